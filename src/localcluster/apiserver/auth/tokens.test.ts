import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { API_AUDIENCE, SIGNING_KEY_FILE, TokenSigner, type TokenClaims } from './tokens.js';

const NOW = 1_800_000_000;
const claims: TokenClaims = {
  namespace: 'velero',
  serviceAccount: { name: 'ferry', uid: 'sa-uid' },
  pod: { name: 'node-agent-x', uid: 'pod-uid' },
  audiences: [API_AUDIENCE],
  issuedAt: NOW,
  expiresAt: NOW + 3600,
};

describe('service-account tokens', () => {
  const signer = new TokenSigner(randomBytes(32));

  it('verifies its own tokens and returns their claims', () => {
    const token = signer.sign(claims);
    assert.equal(token.split('.').length, 3, 'JWT-shaped');
    assert.deepEqual(signer.verify(token, NOW + 10), claims);
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    assert.equal(payload['sub'], 'system:serviceaccount:velero:ferry');
  });

  it('rejects expired, not-yet-valid, other-audience, tampered and foreign tokens', () => {
    const token = signer.sign(claims);
    assert.equal(signer.verify(token, NOW + 3600), undefined, 'expired');
    assert.equal(signer.verify(token, NOW - 3600), undefined, 'issued in the future');
    assert.equal(signer.verify(signer.sign({ ...claims, audiences: ['vault'] }), NOW), undefined, 'audience');
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
    assert.equal(signer.verify(`${h ?? ''}.${forged}.${s ?? ''}`, NOW), undefined, 'payload changed');
    assert.equal(new TokenSigner(randomBytes(32)).verify(token, NOW), undefined, 'other key');
    assert.equal(signer.verify('not-a-token', NOW), undefined);
  });

  it('keeps its key in the cluster directory, private, and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-tokens-'));
    try {
      const [a, b] = await Promise.all([TokenSigner.forDirectory(dir), TokenSigner.forDirectory(dir)]);
      assert.deepEqual(b.verify(a.sign(claims), NOW), claims, 'racing servers agree on one key');
      const again = await TokenSigner.forDirectory(dir);
      assert.deepEqual(again.verify(a.sign(claims), NOW), claims, 'a restarted server accepts earlier tokens');
      assert.equal((await stat(join(dir, SIGNING_KEY_FILE))).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
