import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Repository } from './repository.js';
import { addKey, removeKey } from './keys.js';
import { acquireLock, LOCK_AAD } from './lock.js';
import { pruneRepository } from './prune.js';
import { MemoryStorage, TEST_KDF, TEST_PASSWORD, testRepository } from './testing.js';
import { textBytes } from './crypto.js';

describe('Repository', () => {
  it('opens with its password and fails with WrongPassword otherwise', async () => {
    const storage = new MemoryStorage();
    const created = await testRepository({}, storage);
    const opened = await Repository.open(storage, { password: TEST_PASSWORD });
    assert.deepEqual(opened.config, created.config);
    await assert.rejects(Repository.open(storage, { password: 'nope' }), { code: 'WrongPassword', message: /wrong password/ });
    await assert.rejects(Repository.open(new MemoryStorage(), { password: 'x' }), { code: 'NotFound', message: /no Ferry repository at memory:/ });
  });

  it('adds keys that open the same repository and keeps the one in use', async () => {
    const storage = new MemoryStorage();
    const repo = await testRepository({}, storage);
    const second = await addKey(repo, 'second', TEST_KDF);
    const viaSecond = await Repository.open(storage, { password: 'second' });
    assert.deepEqual(viaSecond.key.encryption, repo.key.encryption);
    await assert.rejects(removeKey(viaSecond, second), { code: 'Conflict' });
    await removeKey(viaSecond, repo.keyId.slice(0, 10));
    await assert.rejects(Repository.open(storage, { password: TEST_PASSWORD }), { code: 'WrongPassword' });
  });

  it('lets writers share the repository but not with prune; stale locks do not count', async () => {
    const repo = await testRepository();
    const writer = await acquireLock(repo, { exclusive: false });
    const other = await acquireLock(repo, { exclusive: false });
    await assert.rejects(pruneRepository(repo), { code: 'Conflict', message: /locked: a lock held by pid/ });
    await writer.release();
    await other.release();
    const prune = await acquireLock(repo, { exclusive: true });
    await assert.rejects(acquireLock(repo, { exclusive: false }), { code: 'Conflict', message: /an exclusive lock/ });
    await prune.release();
    // A lock left by a process that is gone (same host, dead pid) is stale: prune removes it and proceeds.
    const dead = { hostname: (await import('node:os')).hostname(), pid: 2 ** 22 + 7, time: new Date().toISOString(), exclusive: false };
    await repo.storage.put('locks/dead', repo.sealObject(textBytes(JSON.stringify(dead)), LOCK_AAD));
    const result = await pruneRepository(repo);
    assert.equal(result.staleLocksRemoved, 1);
  });
});
