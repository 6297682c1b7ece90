import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parseConfigMap } from '../config/index.js';
import { CONFIGMAP_NAME, INSTALL_NAMESPACE, SEED_SAMPLE, seedConfigMap } from './config.js';

describe('the demo\'s ConfigMap', () => {
  it('holds the seed document\'s sample byte for byte', async () => {
    const seed = await readFile(new URL('../../test/fixtures/config/seed-sample.json', import.meta.url), 'utf8');
    assert.equal(SEED_SAMPLE, seed);
  });

  it('is a valid node-agent ConfigMap with the sample\'s one loadAffinity entry', () => {
    const report = parseConfigMap(seedConfigMap(), CONFIGMAP_NAME, { namespace: INSTALL_NAMESPACE });
    assert.deepEqual(report.errors, []);
    assert.equal(report.config?.loadAffinity?.length, 1);
  });
});
