import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Chunker, chunkerProblem } from './chunker.js';

const params = { minBytes: 16 * 1024, avgBytes: 64 * 1024, maxBytes: 256 * 1024 };

function boundaries(chunker: Chunker, data: Uint8Array): number[] {
  const cuts: number[] = [];
  for (let start = 0; start < data.length; ) {
    start = chunker.cut(data, start, data.length);
    cuts.push(start);
  }
  return cuts;
}

describe('Chunker', () => {
  const data = randomBytes(8 * 1024 * 1024);
  const chunker = new Chunker(params, Buffer.from('seed'));

  it('cuts within min and max and averages near the configured size', () => {
    const cuts = boundaries(chunker, data);
    const sizes = cuts.map((c, i) => c - (cuts[i - 1] ?? 0));
    for (const size of sizes.slice(0, -1)) {
      assert.ok(size >= params.minBytes && size <= params.maxBytes, `chunk of ${size} bytes`);
    }
    const avg = data.length / sizes.length;
    assert.ok(avg > params.avgBytes * 0.7 && avg < params.avgBytes * 1.6, `average ${avg}`);
  });

  it('finds the same boundaries after an insertion near the start (content-defined)', () => {
    const shifted = Buffer.concat([Buffer.from('inserted bytes'), data]);
    const before = new Set(boundaries(chunker, data).map((c) => c + 14));
    const after = boundaries(chunker, shifted);
    const shared = after.filter((c) => before.has(c)).length;
    assert.ok(shared >= after.length - 3, `${shared} of ${after.length} boundaries kept`);
  });

  it('depends on the secret seed', () => {
    const other = new Chunker(params, Buffer.from('another seed'));
    assert.notDeepEqual(boundaries(other, data).slice(0, 10), boundaries(chunker, data).slice(0, 10));
  });

  it('knows where a run of zeros is cut without hashing it', () => {
    const zeros = new Uint8Array(params.maxBytes * 3);
    assert.equal(chunker.cut(zeros, 0, zeros.length), chunker.zeroChunkBytes);
  });

  it('cuts the same with the WebAssembly scanner as with the JavaScript loop', () => {
    const fast = new Chunker(params, Buffer.from('seed'));
    const text = Buffer.from('the repository of a cluster holds volume snapshots. '.repeat(200_000));
    const mixed = Buffer.concat([data.subarray(0, 3_000_000), text.subarray(0, 3_000_000), new Uint8Array(1_000_000), data.subarray(5_000_000)]);
    const buffer = fast.fastBuffer(mixed.length + 4096);
    // At an odd offset, and ending at several places (the end of the data changes the last cut).
    for (const end of [mixed.length, mixed.length - 77_777, params.minBytes - 1, params.avgBytes + 5]) {
      buffer.set(mixed.subarray(0, end), 4096);
      const view = buffer.subarray(4096, 4096 + end);
      const cuts: number[] = [];
      for (let start = 0; start < end; ) {
        start = fast.cut(view, start, end);
        cuts.push(start);
      }
      assert.deepEqual(cuts, boundaries(chunker, mixed.subarray(0, end)), `data ending at ${end}`);
    }
  });

  it('rejects unusable sizes', () => {
    assert.match(chunkerProblem({ minBytes: 16384, avgBytes: 100000, maxBytes: 300000 }) ?? '', /power of two/);
    assert.match(chunkerProblem({ minBytes: 65536, avgBytes: 65536, maxBytes: 300000 }) ?? '', /min < avg < max/);
    assert.equal(chunkerProblem(params), undefined);
  });
});
