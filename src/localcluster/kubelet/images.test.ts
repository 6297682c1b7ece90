import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FERRY_IMAGE } from '../../kube/image.js';
import { imageId, imageRepository, isFerryImage } from './images.js';

describe('isFerryImage', () => {
  const cases: { image: string; extra?: string[]; want: boolean }[] = [
    { image: DEFAULT_FERRY_IMAGE, want: true },
    { image: 'ferry/ferry:latest', want: true },
    { image: 'ghcr.io/acme/ferry:v2@sha256:abc', want: true },
    { image: 'registry:5000/ferry', want: true },
    { image: 'ferry', want: true },
    { image: 'acme/mover:1', extra: ['acme/mover:1'], want: true },
    { image: 'acme/mover:2', extra: ['acme/mover:1'], want: false },
    { image: 'busybox:1.36', want: false },
    { image: 'acme/ferry-helper:1', want: false },
    { image: 'ferry:5000/busybox', want: false },
  ];
  for (const c of cases) {
    it(`${c.image} ⇒ ${String(c.want)}`, () => {
      assert.equal(isFerryImage(c.image, c.extra), c.want);
    });
  }
  it('strips tag and digest but keeps a registry port', () => {
    assert.equal(imageRepository('localhost:5000/ferry/ferry:1.2@sha256:00'), 'localhost:5000/ferry/ferry');
  });
  it('reports a digest-style image ID that depends on the image', () => {
    assert.match(imageId('ferry/ferry:1'), /^ferry\/ferry@sha256:[0-9a-f]{64}$/);
    assert.notEqual(imageId('ferry/ferry:1'), imageId('ferry/ferry:2'));
  });
});
