// List and watch throughput of the embedded API server with 10,000 ConfigMaps: create them over HTTP, list them
// whole, in kubectl's 500-item pages and as a Table, replay them to a watch from resourceVersion 0, and stream 10,000
// live updates to several watchers at once. Client and server share one process (and one core), as in tests; the
// client is node:http with keep-alive (fetch costs the shared core about twice as much per request).
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApiServer } from '../src/localcluster/apiserver/server.js';

const OBJECTS = 10_000;
const CONCURRENCY = 32;
const WATCHERS = 4;
const BASE = '/api/v1/namespaces/default/configmaps';

interface Reply {
  status: number;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function call(url: string, method = 'GET', body?: string, contentType = 'application/json', accept?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': contentType, ...(accept === undefined ? {} : { Accept: accept }) };
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function inParallel(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Opens a watch and resolves with the time at which `expected` events (not bookmarks) have arrived. */
async function watchUntil(url: string, expected: number, started: Promise<void> = Promise.resolve()): Promise<() => Promise<number>> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const reader = res.body?.getReader();
  if (reader === undefined) throw new Error('watch without a body');
  const decoder = new TextDecoder();
  const done = (async (): Promise<number> => {
    await started;
    let seen = 0;
    let partial = '';
    while (seen < expected) {
      const { value, done: ended } = (await reader.read()) as { value?: Uint8Array; done: boolean };
      if (ended) throw new Error(`watch ended after ${seen} of ${expected} events`);
      const text = partial + decoder.decode(value, { stream: true });
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      seen += lines.filter((l) => !l.startsWith('{"type":"BOOKMARK"')).length;
    }
    const at = performance.now();
    controller.abort();
    return at;
  })();
  return () => done;
}

const rate = (count: number, ms: number): string => `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;

export async function benchApiServer(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-apiserver-'));
  const server = await startApiServer({ dir, historySize: 3 * OBJECTS });
  const url = (path: string): string => `${server.url}${path}`;
  const rows: [string, string, string][] = [];
  try {
    const created = await timed(() =>
      inParallel(OBJECTS, async (i) => {
        const body = JSON.stringify({ metadata: { name: `cm-${i}`, labels: { bench: 'yes', shard: String(i % 10) } }, data: { index: String(i), payload: 'x'.repeat(200) } });
        const res = await call(url(BASE), 'POST', body);
        if (res.status !== 201) throw new Error(`create answered ${res.status}`);
      }),
    );
    rows.push(['create (POST, 32 in flight)', `${(created.ms / 1000).toFixed(2)} s`, rate(OBJECTS, created.ms)]);

    const full = await timed(async () => (JSON.parse((await call(url(BASE))).body) as { items: unknown[] }).items.length);
    rows.push([`list all (${full.value} items, JSON)`, `${full.ms.toFixed(0)} ms`, rate(full.value, full.ms)]);
    const paged = await timed(async () => {
      let count = 0;
      let cont = '';
      do {
        const page = JSON.parse((await call(url(`${BASE}?limit=500${cont === '' ? '' : `&continue=${cont}`}`))).body) as { items: unknown[]; metadata: { continue?: string } };
        count += page.items.length;
        cont = page.metadata.continue ?? '';
      } while (cont !== '');
      return count;
    });
    rows.push([`list in pages of 500 (${paged.value} items)`, `${paged.ms.toFixed(0)} ms`, rate(paged.value, paged.ms)]);
    const table = await timed(async () => {
      const res = await call(url(`${BASE}?limit=500`), 'GET', undefined, 'application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
      return (JSON.parse(res.body) as { rows: unknown[] }).rows.length;
    });
    rows.push([`list a 500-row Table (kubectl get)`, `${table.ms.toFixed(0)} ms`, rate(table.value, table.ms)]);
    const selected = await timed(async () => (JSON.parse((await call(url(`${BASE}?labelSelector=shard%3D3`))).body) as { items: unknown[] }).items.length);
    rows.push([`list with labelSelector (${selected.value} of ${OBJECTS})`, `${selected.ms.toFixed(0)} ms`, rate(OBJECTS, selected.ms)]);

    const replayStart = performance.now();
    const replay = await watchUntil(url(`${BASE}?watch=true&resourceVersion=0`), OBJECTS);
    const replayMs = (await replay()) - replayStart;
    rows.push([`watch from resourceVersion 0 (${OBJECTS} ADDED)`, `${replayMs.toFixed(0)} ms`, rate(OBJECTS, replayMs)]);

    const rv = (JSON.parse((await call(url(`${BASE}?limit=1`))).body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const watchers = await Promise.all(Array.from({ length: WATCHERS }, () => watchUntil(url(`${BASE}?watch=true&resourceVersion=${rv}`), OBJECTS)));
    const updateStart = performance.now();
    await inParallel(OBJECTS, async (i) => {
      const res = await call(url(`${BASE}/cm-${i}`), 'PATCH', '{"data":{"updated":"yes"}}', 'application/merge-patch+json');
      if (res.status !== 200) throw new Error(`patch answered ${res.status}`);
    });
    const writesMs = performance.now() - updateStart;
    const lastSeen = Math.max(...(await Promise.all(watchers.map((w) => w()))));
    const liveMs = lastSeen - updateStart;
    rows.push([`update (PATCH merge, 32 in flight)`, `${(writesMs / 1000).toFixed(2)} s`, rate(OBJECTS, writesMs)]);
    rows.push([`live watch: ${OBJECTS} updates to ${WATCHERS} watchers`, `${(liveMs / 1000).toFixed(2)} s`, `${rate(OBJECTS * WATCHERS, liveMs)} events`]);

    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(`embedded API server, ${OBJECTS.toLocaleString('en-US')} ConfigMaps of ~300 bytes (client and server in one process)`);
    for (const [what, time, throughput] of rows) console.log(`  ${what.padEnd(width)}  ${time.padStart(9)}  ${throughput}`);
  } finally {
    agent.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '-')) await benchApiServer();
