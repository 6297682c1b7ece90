/**
 * The benchmark's data set: many small files, large incompressible files and large compressible ones (text and
 * structured binary), generated from a fixed seed so every run measures the same bytes.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createCipheriv, createHash } from 'node:crypto';

/** A small deterministic generator (xorshift128+ reduced to 32-bit steps); crypto would be faster but not seeded. */
class Random {
  private a: number;
  private b: number;
  constructor(seed: number) {
    this.a = seed | 1;
    this.b = (seed * 2654435761) | 1;
  }
  next(): number {
    let x = this.a;
    const y = this.b;
    this.a = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    this.b = x;
    return (x + y) >>> 0;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

/** Pseudo-random bytes from a seed: AES-CTR over zeros, fast (GB/s) and reproducible. */
function randomBlock(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const WORDS = 'the of and to in is that for it as with was on be by this are or from at which an have not they but were all can one had there their has more been other when would these will some also into time only new like them then than two may first such use any each many most work data file node volume backup restore cluster kubernetes affinity storage chunk snapshot repository'.split(' ');

let textPool: Buffer | undefined;

/** Text-like bytes: pieces of a pool of random words, so chunks are unique but compress like prose. */
function textBlock(rng: Random, size: number): Buffer {
  if (textPool === undefined) {
    const words: string[] = [];
    for (let n = 0; n < 600_000; n++) {
      const word = WORDS[rng.below(WORDS.length)] ?? 'x';
      words.push(rng.below(12) === 0 ? `${word}.\n` : word);
    }
    textPool = Buffer.from(words.join(' '));
  }
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at < size; ) {
    const piece = Math.min(size - at, 256 + rng.below(4096));
    const from = rng.below(textPool.length - piece);
    at += textPool.copy(out, at, from, from + piece);
  }
  return out;
}

/** Records of a made-up log format: compressible like database pages or logs. */
function structuredBlock(rng: Random, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let at = 0; at + 16 <= size; at += 16) {
    out.writeUInt32LE(at / 16, at);
    out.writeUInt32LE(rng.below(1000), at + 4);
    out.writeUInt32LE(0xfeed0000 + rng.below(16), at + 8);
    out.writeUInt32LE(rng.below(4) === 0 ? rng.next() : 0, at + 12);
  }
  return out;
}

function writeFile(path: string, size: number, make: (size: number) => Buffer): void {
  const fd = openSync(path, 'w');
  try {
    const block = 4 * 1024 * 1024;
    for (let done = 0; done < size; done += block) writeSync(fd, make(Math.min(block, size - done)));
  } finally {
    closeSync(fd);
  }
}

export interface Dataset {
  dir: string;
  bytes: number;
  files: number;
}

/** Creates the data set under `dir` (reused when a marker says it has the same size), returns its size. */
export function generateDataset(dir: string, gib: number): Dataset {
  const total = Math.round(gib * 1024 ** 3);
  const marker = join(dir, '..', `dataset-${total}.json`);
  if (existsSync(marker) && existsSync(dir)) return JSON.parse(readFileSync(marker, 'utf8')) as Dataset;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rng = new Random(42);
  let bytes = 0;
  let files = 0;
  // 25 % small files (1–64 KiB, half text, half random) in directories of 200.
  const smallTotal = total * 0.25;
  for (let n = 0; bytes < smallTotal; n++) {
    const sub = join(dir, 'small', `d${Math.floor(n / 200)}`);
    if (n % 200 === 0) mkdirSync(sub, { recursive: true });
    const size = 1024 + rng.below(63 * 1024);
    const data = n % 2 === 0 ? textBlock(rng, size) : randomBlock(`small${n}`, size);
    writeFileSync(join(sub, `f${n}.${n % 2 === 0 ? 'txt' : 'bin'}`), data);
    bytes += size;
    files++;
  }
  // 40 % large incompressible files, 20 % text, 15 % structured binary.
  const large: [string, number, (i: number) => (size: number) => Buffer][] = [
    ['media', 0.4, (i) => { let k = 0; return (size) => randomBlock(`large${i}:${k++}`, size); }],
    ['text', 0.2, () => (size) => textBlock(rng, size)],
    ['db', 0.15, () => (size) => structuredBlock(rng, size)],
  ];
  for (const [name, share, make] of large) {
    mkdirSync(join(dir, name), { recursive: true });
    const count = 4;
    for (let i = 0; i < count; i++) {
      const size = Math.floor((total * share) / count);
      writeFile(join(dir, name, `${name}${i}.dat`), size, make(i));
      bytes += size;
      files++;
    }
  }
  const dataset = { dir, bytes, files };
  writeFileSync(marker, JSON.stringify(dataset));
  return dataset;
}

/** Changes about `fraction` of the bytes: every 20th small file rewritten, a region of each large file overwritten. */
export function changeDataset({ dir }: Dataset, round: number): number {
  let changed = 0;
  const rng = new Random(1000 + round);
  const visit = (path: string): void => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSorted(path)) visit(join(path, name));
      return;
    }
    if (st.size < 1024 * 1024) {
      if (rng.below(20) !== 0) return;
      writeFileSync(path, randomBlock(`changed${round}:${path}`, st.size));
      changed += st.size;
      return;
    }
    const length = Math.floor(st.size * 0.05);
    const offset = Math.floor(st.size * 0.4);
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, randomBlock(`changed${round}:${path}`, length), 0, length, offset);
    } finally {
      closeSync(fd);
    }
    changed += length;
  };
  visit(dir);
  return changed;
}

function readdirSorted(dir: string): string[] {
  return readdirSync(dir).sort();
}

export function dirSize(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSorted(path).reduce((sum, name) => sum + dirSize(join(path, name)), 0);
}
