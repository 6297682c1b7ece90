import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataDownload } from '../kube/crds.js';
import type { ObjectMeta } from '../kube/models.js';
import { formatRestoreDescribe, formatRestoreResult, formatRestoreTable, groupByRestore } from './restore-output.js';

function download(name: string, restore: string, pvc: string, status: DataDownload['status']): DataDownload {
  const meta: ObjectMeta = { name, namespace: 'velero', labels: { 'velero.io/restore-name': restore } };
  return {
    apiVersion: 'velero.io/v2alpha1',
    kind: 'DataDownload',
    metadata: meta,
    spec: { targetVolume: { pvc, pv: '', namespace: 'app' }, backupStorageLocation: 'default', datamover: 'ferry', snapshotID: 'abc', sourceNamespace: 'app', operationTimeout: '10m0s' },
    ...(status === undefined ? {} : { status }),
  };
}

describe('ferry restore output', () => {
  const done = download('r1-a', 'r1', 'data', { phase: 'Completed', node: 'node-3', progress: { totalBytes: 2048, bytesDone: 2048 }, startTimestamp: '2026-11-21T08:00:00Z', completionTimestamp: '2026-11-21T08:00:02Z' });
  const running = download('r1-b', 'r1', 'logs', { phase: 'InProgress', node: 'node-4' });
  const waiting = download('r2-a', 'r2', 'other', { phase: 'Accepted', acceptedByNode: 'node-1', message: 'data-mover pod velero/r2-a cannot be placed: no node matches' });

  it('groups DataDownloads by restore, with the least advanced phase and the count of completed volumes', () => {
    const [r1, r2] = groupByRestore([done, running, waiting]);
    assert.equal(r1?.phase, 'InProgress (1/2 completed)');
    assert.deepEqual(r1.nodes, ['node-3', 'node-4']);
    assert.deepEqual(r1.targets, ['app/data', 'app/logs']);
    assert.equal(r2?.phase, 'Accepted');
    assert.match(formatRestoreTable([r1, r2]), /^NAME +PHASE +NODE +BYTES +TARGETS +AGE\nr1 +InProgress \(1\/2 completed\) +node-3,node-4 +2\.0 kB/);
  });

  it('ends create --wait with the node each volume was restored on', () => {
    assert.equal(formatRestoreResult(done), 'PVC app/data Completed on node node-3, 2.0 kB in 2 s (DataDownload velero/r1-a)\n');
  });

  it('says a volume that failed before it was placed was never placed, and labels its end with how it ended', () => {
    const failed = download('r3-a', 'r3', 'nw', { phase: 'Failed', acceptedByNode: 'node-1', acceptedTimestamp: '2026-11-21T08:00:00Z', completionTimestamp: '2026-11-21T08:00:08Z', message: 'timeout on preparing data download: …' });
    assert.equal(formatRestoreResult(failed), 'PVC app/nw Failed, never placed on a node (DataDownload velero/r3-a)\n');
    const text = formatRestoreDescribe('r3', 'velero', [failed]);
    assert.match(text, /\n {4}Failed: +2026-11-21T08:00:08Z \(after 8 s\)\n/);
    assert.doesNotMatch(text, /Completed:/);
  });

  it('describes why a restore waits', () => {
    assert.match(formatRestoreDescribe('r2', 'velero', [waiting]), /Message: +data-mover pod velero\/r2-a cannot be placed: no node matches/);
  });
});
