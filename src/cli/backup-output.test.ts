import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDataUpload } from '../datamover/testing.js';
import type { DataUpload } from '../kube/crds.js';
import type { ObjectMeta, Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { pollUntil } from '../kube/wait.js';
import type { FerryError } from '../util/errors.js';
import { followWithProgress, formatAge, formatBackupTable, formatDescribe, formatResult, groupByBackup, unclaimedReason, waitDisplay } from './backup-output.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');

function du(name: string, backup: string, status: DataUpload['status'], created = '2026-11-21T11:58:00Z'): DataUpload {
  const metadata: ObjectMeta = { name, namespace: 'velero', labels: { 'velero.io/backup-name': backup }, creationTimestamp: created as unknown as Date };
  return {
    apiVersion: 'velero.io/v2alpha1',
    kind: 'DataUpload',
    metadata,
    spec: { snapshotType: 'CSI', sourcePVC: 'p', sourceNamespace: 'app', backupStorageLocation: 'default', operationTimeout: '10m0s' },
    ...(status === undefined ? {} : { status }),
  };
}

describe('ferry backup output', () => {
  it('writes ages as kubectl does', () => {
    assert.equal(formatAge('2026-11-21T11:59:15Z', NOW), '45s');
    assert.equal(formatAge('2026-11-21T11:48:00Z', NOW), '12m');
    assert.equal(formatAge('2026-11-21T09:00:00Z', NOW), '3h');
    assert.equal(formatAge('2026-11-16T12:00:00Z', NOW), '5d');
  });

  it('lists one row per backup with where it ran, its size and snapshot', () => {
    const table = formatBackupTable(
      groupByBackup([
        du('a-1', 'a', { phase: 'Completed', node: 'node-3', progress: { totalBytes: 5_000_000, bytesDone: 5_000_000 }, snapshotID: '3f2a9c1d88' }),
        du('b-1', 'b', { phase: 'Accepted', acceptedByNode: 'node-1' }, '2026-11-21T11:59:30Z'),
        du('c-1', 'c', { phase: 'Completed', node: 'node-1', snapshotID: 'aaaaaaaa11' }, '2026-11-21T11:59:40Z'),
        du('c-2', 'c', { phase: 'InProgress', node: 'node-2' }, '2026-11-21T11:59:40Z'),
      ]),
      NOW,
    );
    assert.equal(
      table,
      [
        'NAME   PHASE                        NODE            BYTES    SNAPSHOT   AGE',
        'a      Completed                    node-3          5.0 MB   3f2a9c1d   2m',
        'b      Accepted                     <none>          -        <none>     30s',
        'c      InProgress (1/2 completed)   node-1,node-2   -        aaaaaaaa   20s',
        '',
      ].join('\n'),
    );
  });
});

/** A stream that records what is written; `isTTY` picks the bar or the plain lines. */
function recorder(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    columns: 200,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => stream,
    removeListener: () => stream,
    text: () => chunks.join(''),
  };
  return stream as unknown as NodeJS.WriteStream & { text: () => string };
}

describe('ferry backup create --wait display', () => {
  const accepted = du('x-1', 'x', { phase: 'Accepted', acceptedByNode: 'node-1', message: 'data-mover pod velero/x-1 cannot be placed: no node matches …' });
  const running = du('x-1', 'x', { phase: 'InProgress', node: 'node-3', progress: { totalBytes: 4_000_000, bytesDone: 2_000_000 } });

  it('prints a line per change of phase or message, and progress, when not on a terminal', () => {
    const out = recorder(false);
    const display = waitDisplay(out);
    display.show(accepted);
    display.show(accepted);
    display.show(running);
    display.stop();
    assert.equal(out.text(), 'Accepted (claimed by the node-agent on node-1)\n  data-mover pod velero/x-1 cannot be placed: no node matches …\nInProgress on node-3\n  2.0 MB of 4.0 MB (50%)\n');
  });

  it('prints no progress line before the data mover knows the total', () => {
    const out = recorder(false);
    const display = waitDisplay(out);
    display.show(du('x-1', 'x', { phase: 'InProgress', node: 'node-3', progress: { totalBytes: 0, bytesDone: 0 } }));
    display.stop();
    assert.equal(out.text(), 'InProgress on node-3\n');
  });

  it('draws a bar with the phase, node and bytes on a terminal', () => {
    const out = recorder(true);
    const display = waitDisplay(out);
    display.show(running);
    display.stop();
    assert.match(out.text(), /InProgress on node-3 \[[^\]]*\] 50% \| 2\.0 MB of 4\.0 MB/);
  });

  it('prints plain lines on a terminal when asked (ferry demo -v, whose log lines share the terminal)', () => {
    const out = recorder(true);
    const display = waitDisplay(out, false);
    display.show(running);
    display.stop();
    assert.equal(out.text(), 'InProgress on node-3\n  2.0 MB of 4.0 MB (50%)\n');
  });

  it('labels the end time with how it ended', () => {
    const failed = du('x-1', 'x', { phase: 'Failed', acceptedByNode: 'node-1', acceptedTimestamp: '2026-11-21T11:59:00Z', completionTimestamp: '2026-11-21T11:59:30Z', message: 'timeout on preparing data upload' });
    const text = formatDescribe('x', 'velero', [failed]);
    assert.match(text, /\n {4}Failed: +2026-11-21T11:59:30Z \(after 30 s\)\n/);
    assert.doesNotMatch(text, /Completed:/);
  });

  it('ends with the result and the node it ran on', () => {
    const done = du('x-1', 'x', { phase: 'Completed', node: 'node-3', snapshotID: 'abcdef', incrementalBytes: 1_000_000, progress: { totalBytes: 4_000_000, bytesDone: 4_000_000 }, startTimestamp: '2026-11-21T11:59:00Z', completionTimestamp: '2026-11-21T11:59:05Z' });
    assert.equal(formatResult('x', done), 'Backup x Completed on node node-3: snapshot abcdef, 4.0 MB (1.0 MB new) in 5 s (DataUpload velero/x-1)\n');
  });
});

/** A Ready node-agent pod on `node`, as the DaemonSet makes them, serving `args`' data mover. */
async function nodeAgentPod(api: TestApiServer, node: string, args: string[]): Promise<void> {
  const name = `ferry-node-agent-${node}`;
  await api.client.create<Pod>(R.pods, 'velero', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'velero', labels: { name: 'ferry-node-agent' } },
    spec: { nodeName: node, containers: [{ name: 'node-agent', image: 'ferry/ferry:test', args: ['node-agent', 'server', ...args] }] },
  });
  await api.client.patch(R.pods, { namespace: 'velero', name, subresource: 'status' }, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
}

describe('ferry backup|restore create --wait while nothing claims the movement (against a real API server)', () => {
  let api: TestApiServer;
  before(async () => {
    api = await startTestApiServer();
  });
  after(async () => {
    await api.close();
  });

  const upload = (name: string): Promise<DataUpload> => api.client.get<DataUpload>(R.dataUploads, { namespace: 'velero', name });

  it('says why no node-agent claims it: none is Ready, none serves its data mover, or where to look', async () => {
    await createDataUpload(api.client, 'velero', 'lonely', { datamover: 'ferri' });
    assert.match(await unclaimedReason(api.client, await upload('lonely')), /^DataUpload velero\/lonely is still New: no node-agent has claimed it, and there is no Ready node-agent pod in namespace velero \(check with `kubectl get pods -n velero -l name=ferry-node-agent`/);
    await nodeAgentPod(api, 'node-1', []);
    await nodeAgentPod(api, 'node-2', ['--datamover-name=other']);
    assert.match(await unclaimedReason(api.client, await upload('lonely')), /: no node-agent serves data mover "ferri" \(the 2 Ready in namespace velero serve "ferry", "other"; check with `kubectl get ds ferry-node-agent -n velero/);
    await createDataUpload(api.client, 'velero', 'served', { datamover: 'other' });
    assert.match(await unclaimedReason(api.client, await upload('served')), /although 2 Ready node-agents serve data mover "other" \(check their logs with `kubectl logs -n velero -l name=ferry-node-agent --prefix`\)$/);
  });

  it('warns once after a while in New and keeps waiting; the movement deleted meanwhile ends it as canceled', async () => {
    await createDataUpload(api.client, 'velero', 'unclaimed', { datamover: 'ferri' });
    const out = recorder(false);
    const following = followWithProgress<DataUpload>(api.client, R.dataUploads, { namespace: 'velero', name: 'unclaimed', unclaimedWarningMs: 300, pollMs: 50, stream: out });
    await pollUntil(() => Promise.resolve(out.text().includes('warning:') ? true : undefined), { timeoutMs: 5000, intervalMs: 50, what: 'the warning' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await api.client.delete(R.dataUploads, { namespace: 'velero', name: 'unclaimed' });
    await assert.rejects(following, (err: FerryError) => {
      assert.equal(err.code, 'Canceled');
      assert.equal(err.message, 'DataUpload velero/unclaimed was deleted while waiting for it: the backup is canceled');
      return true;
    });
    assert.equal(out.text().match(/warning:/g)?.length, 1, out.text());
    assert.match(out.text(), /^New\nwarning: DataUpload velero\/unclaimed is still New: no node-agent has claimed it: no node-agent serves data mover "ferri"/);
  });

  it('says once, when the node-agent reports a problem, how long it keeps waiting and how to stop it; not for a PVC being provisioned', async () => {
    await createDataUpload(api.client, 'velero', 'held', { status: { phase: 'Accepted', acceptedByNode: 'node-1', message: 'data-mover pod velero/held waits for its PVC velero/held to be provisioned and bound' } });
    const out = recorder(false);
    const following = followWithProgress<DataUpload>(api.client, R.dataUploads, { namespace: 'velero', name: 'held', pollMs: 50, stream: out });
    const setStatus = async (status: DataUpload['status']): Promise<void> => {
      const current = await upload('held');
      await api.client.replace(R.dataUploads, { namespace: 'velero', name: 'held' }, { ...current, status });
    };
    await pollUntil(() => Promise.resolve(out.text().includes('provisioned') ? true : undefined), { timeoutMs: 5000, intervalMs: 50, what: 'the PVC message' });
    assert.doesNotMatch(out.text(), /note:/, 'a PVC being provisioned is normal');
    await setStatus({ phase: 'Accepted', acceptedByNode: 'node-1', message: 'data-mover pod velero/held cannot be placed: no node matches …' });
    await pollUntil(() => Promise.resolve(out.text().includes('note:') ? true : undefined), { timeoutMs: 5000, intervalMs: 50, what: 'the note' });
    await setStatus({ phase: 'Accepted', acceptedByNode: 'node-1', message: 'data-mover pod velero/held cannot be placed: every node matching … is unavailable' });
    await pollUntil(() => Promise.resolve(out.text().includes('unavailable') ? true : undefined), { timeoutMs: 5000, intervalMs: 50, what: 'the second message' });
    await setStatus({ phase: 'Canceled', message: 'data path is canceled' });
    await following;
    assert.equal(out.text().match(/note:/g)?.length, 1, out.text());
    assert.match(out.text(), /note: still waiting; unless this is resolved, the node-agent fails it at its prepare timeout \(--data-mover-prepare-timeout, 30m by default\)\. Ctrl-C stops waiting and leaves it running; spec\.cancel: true on the DataUpload cancels it/);
  });
});
