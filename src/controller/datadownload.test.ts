import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataDownload } from '../kube/crds.js';
import type { ObjectMeta } from '../kube/models.js';
import type { Exposer } from '../exposer/index.js';
import { veleroSchemaErrors } from '../../test/support/velero-schema.js';
import { dataDownloadKind } from './datadownload.js';

const exposer: Exposer<DataDownload> = {
  expose: () => Promise.resolve(),
  peek: () => undefined,
  diagnose: () => Promise.resolve(undefined),
  cleanUp: () => Promise.resolve(),
};

const META: ObjectMeta = { name: 'r-1', namespace: 'velero' };

const dd: DataDownload = {
  apiVersion: 'velero.io/v2alpha1',
  kind: 'DataDownload',
  metadata: META,
  spec: { targetVolume: { pvc: 'data', pv: '', namespace: 'app' }, backupStorageLocation: 'default', datamover: 'ferry', snapshotID: 'abc', sourceNamespace: 'app', operationTimeout: '10m0s' },
  status: { phase: 'InProgress', node: 'node-1', acceptedByNode: 'node-2', acceptedTimestamp: '2026-11-21T08:00:00Z', startTimestamp: '2026-11-21T08:00:01Z' },
};

describe('dataDownloadKind', () => {
  const kind = dataDownloadKind(exposer);

  it('names Velero\'s resource, noun and pod label', () => {
    assert.equal(kind.resource.plural, 'datadownloads');
    assert.equal(kind.noun, 'data download');
    assert.equal(kind.podLabel, 'velero.io/data-download');
    assert.doesNotMatch(kind.exposing, /snapshot/, 'a restore exposes a volume to fill, not a snapshot');
  });

  it('turns the data mover\'s result into final progress that Velero\'s schema accepts', () => {
    const outcome = kind.completed(dd, JSON.stringify({ snapshotID: 'abc', targetPath: '/u', totalBytes: 1234, files: 3 }));
    assert.deepEqual(outcome, { status: { progress: { totalBytes: 1234, bytesDone: 1234 } }, bytes: 1234 });
    const completed = { ...dd, status: { ...dd.status, ...outcome.status, phase: 'Completed', completionTimestamp: '2026-11-21T08:00:09Z' } };
    assert.deepEqual(veleroSchemaErrors(completed), []);
  });

  it('refuses a termination message that is not a result', () => {
    assert.throws(() => kind.completed(dd, 'exit status 1'), /not JSON/);
    assert.throws(() => kind.completed(dd, '{"totalBytes":1}'), /no snapshotID/);
  });
});
