/**
 * Pod subresources: `binding` (what a scheduler posts to place a pod on a node; 409 once bound) and `log` (the
 * container's log file under the cluster directory, with `tailLines`, `limitBytes` and `follow`).
 */
import { open, stat } from 'node:fs/promises';
import { badRequest, conflict, fieldErr, invalid, notFound, successStatus } from '../errors.js';
import { sendJson } from '../http.js';
import { asArray, asRecord, asString, clone, isRecord } from '../json.js';
import { timestamp } from '../keys.js';
import { asStorable } from '../ops/create.js';
import { podLogPath } from '../../podlogs.js';
import type { KubeObject, StoredObject } from '../types.js';
import type { ApiRequest } from './context.js';
import { requestBody } from './write.js';

const PODS = { group: '', resource: 'pods' };

function getPod(r: ApiRequest): StoredObject {
  const name = r.path.name ?? '';
  const pod = r.server.store.get(r.type.storageKey, r.path.namespace, name);
  if (pod === undefined) throw notFound(PODS, name);
  return pod;
}

export async function handleBinding(r: ApiRequest): Promise<void> {
  const body = asRecord(await requestBody(r));
  const pod = getPod(r);
  const name = pod.metadata.name;
  const target = asString(asRecord(body['target'])['name']) ?? '';
  if (target === '') throw invalid({ group: '', kind: 'Binding' }, name, [fieldErr.required('target.name')]);
  const bound = asString(asRecord(pod['spec'])['nodeName']);
  if (bound !== undefined && bound !== '') {
    throw conflict({ group: '', resource: 'pods/binding' }, name, `pod ${name} is already assigned to node "${bound}"`);
  }
  if (pod.metadata.deletionTimestamp !== undefined) {
    throw conflict({ group: '', resource: 'pods/binding' }, name, `pod ${name} is being deleted, cannot be assigned to a host`);
  }
  const next: KubeObject = clone(pod);
  next['spec'] = { ...asRecord(next['spec']), nodeName: target };
  const status = asRecord(next['status']);
  const conditions = asArray(status['conditions']).filter((c) => !(isRecord(c) && c['type'] === 'PodScheduled'));
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(r.server.now()) });
  next['status'] = { ...status, conditions };
  if (r.query.get('dryRun') !== 'All') r.server.store.put(r.type.storageKey, asStorable(next));
  sendJson(r.res, 201, successStatus());
}

function containerFor(pod: StoredObject, requested: string | null): string {
  const names = ['containers', 'initContainers'].flatMap((k) => asArray(asRecord(pod['spec'])[k]).map((c) => asString(asRecord(c)['name']) ?? ''));
  const main = asArray(asRecord(pod['spec'])['containers']).map((c) => asString(asRecord(c)['name']) ?? '');
  if (requested === null || requested === '') {
    if (main.length === 1 && main[0] !== undefined) return main[0];
    throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${main.join(' ')}]`);
  }
  if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${pod.metadata.name}`);
  return requested;
}

async function readLog(path: string): Promise<Buffer> {
  try {
    const handle = await open(path, 'r');
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

function tail(text: Buffer, lines: number): Buffer {
  if (lines < 0) return text;
  const parts = text.toString('utf8').split('\n');
  const trailing = parts[parts.length - 1] === '' ? parts.pop() : undefined;
  const kept = parts.slice(Math.max(0, parts.length - lines));
  return Buffer.from(kept.join('\n') + (trailing === undefined || kept.length === 0 ? '' : '\n'));
}

const FOLLOW_POLL_MS = 200;

export async function handleLog(r: ApiRequest): Promise<void> {
  const pod = getPod(r);
  const container = containerFor(pod, r.query.get('container'));
  const path = podLogPath(r.server.dir, pod.metadata.namespace ?? '', pod.metadata.name, container);
  const tailLines = r.query.has('tailLines') ? Number(r.query.get('tailLines')) : -1;
  const limitBytes = r.query.has('limitBytes') ? Number(r.query.get('limitBytes')) : Infinity;
  const content = await readLog(path);
  let body = tail(content, Number.isInteger(tailLines) ? tailLines : -1);
  if (body.length > limitBytes) body = body.subarray(0, limitBytes);
  const { res } = r;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  res.write(body);
  if (r.query.get('follow') !== 'true') {
    res.end();
    return;
  }
  r.server.streams.add(res);
  let offset = content.length;
  let done = false;
  const stop = (): void => {
    if (done) return;
    done = true;
    clearInterval(timer);
    r.server.streams.delete(res);
    res.end();
  };
  const poll = async (): Promise<void> => {
    if (r.server.store.get(r.type.storageKey, pod.metadata.namespace, pod.metadata.name)?.metadata.uid !== pod.metadata.uid) {
      stop();
      return;
    }
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size <= offset || done) return;
    const handle = await open(path, 'r');
    try {
      const chunk = Buffer.alloc(size - offset);
      await handle.read(chunk, 0, chunk.length, offset);
      offset = size;
      res.write(chunk);
    } finally {
      await handle.close();
    }
  };
  const timer = setInterval(() => {
    poll().catch(stop);
  }, FOLLOW_POLL_MS);
  res.on('close', stop);
}
