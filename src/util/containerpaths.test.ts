import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { CONTAINER_ROOT_ENV, containerPath } from './containerpaths.js';

describe('containerPath', () => {
  const saved = process.env.FERRY_CONTAINER_ROOT;
  afterEach(() => {
    if (saved === undefined) delete process.env.FERRY_CONTAINER_ROOT;
    else process.env[CONTAINER_ROOT_ENV] = saved;
  });

  it('leaves paths alone in a real container (variable unset or empty)', () => {
    delete process.env.FERRY_CONTAINER_ROOT;
    assert.equal(containerPath('/data/x'), '/data/x');
    process.env[CONTAINER_ROOT_ENV] = '';
    assert.equal(containerPath('/dev/termination-log'), '/dev/termination-log');
  });

  it('joins absolute paths to the container root, including /dev/termination-log', () => {
    process.env[CONTAINER_ROOT_ENV] = '/tmp/c/pods/ns/p/root/main';
    assert.equal(containerPath('/data/x'), '/tmp/c/pods/ns/p/root/main/data/x');
    assert.equal(containerPath('/dev/termination-log'), '/tmp/c/pods/ns/p/root/main/dev/termination-log');
    assert.equal(containerPath('/'), '/tmp/c/pods/ns/p/root/main/');
  });

  it('keeps relative paths relative (the working directory is inside the root)', () => {
    process.env[CONTAINER_ROOT_ENV] = '/r';
    assert.equal(containerPath('out/file'), 'out/file');
  });
});
