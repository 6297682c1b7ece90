import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSnapshots, restoreSnapshot } from '../repository/index.js';
import { startS3rver, type S3rver } from '../localcluster/objectstore/s3rver.js';
import type { DataUpload } from '../kube/crds.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { createLogger } from '../util/log.js';
import { dataMoverBackup, openOrInitRepository, repositoryPassword, repositoryStorage, SOURCE_PVC_TAG } from './index.js';
import { createDataUpload, seedStorageLocation } from './testing.js';

const NS = 'velero';
const logger = createLogger({ level: 'silent' });
let api: TestApiServer;
let s3: S3rver;
let work: string;

async function volume(name: string, files: Record<string, Buffer | string>): Promise<string> {
  const dir = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

describe('ferry data-mover backup (the data path of one DataUpload)', () => {
  before(async () => {
    [api, s3] = await Promise.all([startTestApiServer(), startS3rver()]);
    work = await mkdtemp(join(tmpdir(), 'ferry-datamover-test-'));
    await seedStorageLocation(api.client, NS, s3);
  });
  after(async () => {
    await Promise.all([api.close(), s3.stop(), rm(work, { recursive: true, force: true })]);
  });

  it('backs up the volume once InProgress, reports progress, and the next backup of the PVC is incremental', async () => {
    const dir = await volume('v1', { 'a.txt': 'hello\n', 'sub/b.bin': randomBytes(300_000), 'sub/deep/c': 'c' });
    await createDataUpload(api.client, NS, 'b1', { status: { phase: 'Prepared', node: 'node-1' } });
    const running = dataMoverBackup({ client: api.client, namespace: NS, dataUpload: 'b1', volumePath: dir, logger, pollIntervalMs: 50, progressIntervalMs: 100, workers: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await api.client.patch(R.dataUploads, { namespace: NS, name: 'b1' }, { status: { phase: 'InProgress' } });
    const result = await running;
    assert.equal(result.totalBytes, 300_000 + 6 + 1);
    assert.equal(result.source.byPath, dir);
    assert.equal(result.emptySnapshot, false);
    const du = await api.client.get<DataUpload>(R.dataUploads, { namespace: NS, name: 'b1' });
    assert.deepEqual(du.status?.progress, { totalBytes: 300_007, bytesDone: 300_007 });

    const { storage } = await repositoryStorage(api.client, NS, 'default', 'app');
    const repo = await openOrInitRepository({ storage, password: await repositoryPassword(api.client, NS), client: api.client, namespace: NS, holder: 't', logger });
    const [snapshot] = await listSnapshots(repo);
    assert.equal(snapshot?.id, result.snapshotID);
    assert.equal(snapshot.tags[SOURCE_PVC_TAG], 'app/data');
    const out = join(work, 'restored');
    await restoreSnapshot(repo, result.snapshotID, out);
    assert.deepEqual(await readFile(join(out, 'sub/b.bin')), await readFile(join(dir, 'sub/b.bin')));
    assert.equal(await readFile(join(out, 'a.txt'), 'utf8'), 'hello\n');

    await createDataUpload(api.client, NS, 'b2', { status: { phase: 'InProgress', node: 'node-1' } });
    const again = await dataMoverBackup({ client: api.client, namespace: NS, dataUpload: 'b2', volumePath: dir, logger, workers: 1 });
    assert.equal(again.incrementalBytes, 0, 'nothing changed since the parent');
    assert.equal((await listSnapshots(repo)).find((s) => s.id === again.snapshotID)?.parent, result.snapshotID);
    await storage.close();
  });

  it('lets two data movers of a new source namespace create its repository together', async () => {
    const [d1, d2] = [await volume('n1', { f: 'one' }), await volume('n2', { f: 'two' })];
    await createDataUpload(api.client, NS, 'c1', { sourceNamespace: 'fresh', sourcePVC: 'p1', status: { phase: 'InProgress' } });
    await createDataUpload(api.client, NS, 'c2', { sourceNamespace: 'fresh', sourcePVC: 'p2', status: { phase: 'InProgress' } });
    const [r1, r2] = await Promise.all([
      dataMoverBackup({ client: api.client, namespace: NS, dataUpload: 'c1', volumePath: d1, logger, workers: 1 }),
      dataMoverBackup({ client: api.client, namespace: NS, dataUpload: 'c2', volumePath: d2, logger, workers: 1 }),
    ]);
    const { storage } = await repositoryStorage(api.client, NS, 'default', 'fresh');
    const repo = await openOrInitRepository({ storage, password: 'test-password', client: api.client, namespace: NS, holder: 't', logger });
    assert.deepEqual((await listSnapshots(repo)).map((s) => s.id).sort(), [r1.snapshotID, r2.snapshotID].sort(), 'both snapshots are in one repository');
    assert.equal((await api.client.list(R.leases, NS)).items.length, 0, 'the initialisation lease is released');
    await storage.close();
  });

  it('stops with "data path is canceled" when canceled before or while waiting to start', async () => {
    const dir = await volume('v3', { f: 'x' });
    await createDataUpload(api.client, NS, 'd1', { status: { phase: 'Accepted' } });
    await api.client.patch(R.dataUploads, { namespace: NS, name: 'd1' }, { spec: { cancel: true } });
    await assert.rejects(dataMoverBackup({ client: api.client, namespace: NS, dataUpload: 'd1', volumePath: dir, logger }), /data upload d1 was canceled: data path is canceled$/);

    await createDataUpload(api.client, NS, 'd2', { status: { phase: 'Prepared' } });
    const waiting = dataMoverBackup({ client: api.client, namespace: NS, dataUpload: 'd2', volumePath: dir, logger, pollIntervalMs: 50 });
    await new Promise((r) => setTimeout(r, 200));
    await api.client.delete(R.dataUploads, { namespace: NS, name: 'd2' });
    await assert.rejects(waiting, /data path is canceled$/);
  });
});
