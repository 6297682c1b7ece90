/**
 * What goes wrong, end to end: a storage class whose loadAffinity entry matches no node (the DataUpload says so at
 * once, naming the rule, and fails at the prepare timeout with that reason), a data-mover pod killed mid-backup (a
 * clean Failed), a node-agent that crashes mid-backup (the restarted one resumes and completes), and a backup
 * canceled mid-way (Canceled), and Ctrl-C on `backup create --wait`, which leaves the backup running. Nothing is ever
 * left behind, and every DataUpload stays valid for Velero.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeAgentConfig } from '../../src/config/types.js';
import type { DataUpload } from '../../src/kube/crds.js';
import type { Plain, Pod } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { toMillis } from '../../src/kube/time.js';
import { eventually, kubectlSkip, nodeAgentPods, NS, ok, putConfigMap, startE2e, type E2e } from './harness.js';
import { dataUploadOf, expectNoLeftovers, filledVolume, restoredDifferences, storageClass } from './volumes.js';

const skip = kubectlSkip();
const PREPARE_TIMEOUT_S = 12;

const CONFIG: Plain<NodeAgentConfig> = {
  loadAffinity: [{ storageClass: 'sc-nowhere', nodeSelector: { matchLabels: { 'beta.kubernetes.io/instance-type': 'Standard_E64s_v5' } } }],
  loadConcurrency: { globalConfig: 2 },
};

/** Starts a backup and waits until its data path runs (InProgress), polling fast so the data mover is still busy. */
async function startedBackup(e2e: E2e, name: string, pvc: string): Promise<DataUpload> {
  ok(await e2e.ferry(['backup', 'create', name, '--pvc', `app/${pvc}`]), `ferry backup create ${name}`);
  return eventually(`${name} to be in progress`, async () => {
    const du = await dataUploadOf(e2e, name);
    return du.status?.phase === 'InProgress' ? du : undefined;
  });
}

async function finalPhase(e2e: E2e, name: string): Promise<DataUpload> {
  return eventually(`${name} to end`, async () => {
    const du = await dataUploadOf(e2e, name);
    return ['Completed', 'Failed', 'Canceled'].includes(du.status?.phase ?? '') ? du : undefined;
  }, 60_000);
}

describe('failures end cleanly (e2e)', { skip, timeout: 300_000 }, () => {
  let e2e: E2e;
  before(async () => {
    e2e = await startE2e({ storage: { topology: 'none' }, objectStore: true });
    await storageClass(e2e, 'sc-nowhere');
    await putConfigMap(e2e.client, 'node-agent-config', CONFIG);
    ok(await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config', '--data-mover-prepare-timeout', `${PREPARE_TIMEOUT_S}s`, '--wait']), 'ferry install');
  });
  after(async () => {
    await e2e.stop();
  });

  it('no node matches: the DataUpload says so within seconds naming the rule, then fails at the prepare timeout with that reason', async () => {
    await filledVolume(e2e, 'app', 'nowhere', 'sc-nowhere');
    const waiting = e2e.ferry(['backup', 'create', 'nowhere', '--pvc', 'app/nowhere', '--wait']);
    try {
      const explained = await eventually('the DataUpload to say why its pod is not placed', async () => {
        const du = await dataUploadOf(e2e, 'nowhere').catch(() => undefined);
        return du?.status?.message === undefined ? undefined : du;
      });
      const saidAfterMs = Date.now() - (toMillis(explained.status?.acceptedTimestamp) ?? 0);
      assert.ok(saidAfterMs < 6000, `said after ${saidAfterMs} ms`);
      // Ferry's own reason; the scheduler's current message, appended in parentheses, may change meanwhile.
      const message = (explained.status?.message ?? '').split(' (scheduler: ')[0] ?? '';
      assert.match(
        message,
        /^data-mover pod velero\/nowhere-\w+ cannot be placed: no node matches its node affinity \(loadAffinity\[0\] for storage class "sc-nowhere"\): node-1, node-2, node-3, node-4, node-5: beta\.kubernetes\.io\/instance-type In \[Standard_E64s_v5\]/,
      );
      // The scheduler's first word may be about the backup PVC still binding; its affinity verdict follows.
      const withScheduler = await eventually('the scheduler\'s own reason to be added', async () => {
        const du = await dataUploadOf(e2e, 'nowhere');
        return du.status?.message?.includes('didn\'t match Pod\'s node affinity/selector') === true ? du.status.message : undefined;
      });
      assert.ok(withScheduler.startsWith(message), 'the reason stays, the scheduler\'s message is added to it');
      assert.match(withScheduler, / \(scheduler: 0\/5 nodes are available: 5 node\(s\) didn't match Pod's node affinity\/selector/);
      const result = await waiting;
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: backup nowhere failed: timeout on preparing data upload: data-mover pod velero\/nowhere-\w+ cannot be placed: no node matches/m);
      const failed = await dataUploadOf(e2e, 'nowhere');
      assert.ok(failed.status?.message?.startsWith(`timeout on preparing data upload: ${message}`), failed.status?.message);
      const tookMs = (toMillis(failed.status?.completionTimestamp) ?? 0) - (toMillis(failed.status?.acceptedTimestamp) ?? 0);
      assert.ok(tookMs >= (PREPARE_TIMEOUT_S - 1) * 1000, `failed after ${tookMs} ms, the prepare timeout is ${PREPARE_TIMEOUT_S} s`);
    } finally {
      // Never leave the CLI running past the test, even when an assertion failed first.
      await waiting;
    }
    await expectNoLeftovers(e2e);
  });

  it('a data-mover pod killed mid-backup ends in a clean Failed', async () => {
    await filledVolume(e2e, 'app', 'killpod', 'ferry-hostpath', { bytes: 40_000_000 });
    const running = await startedBackup(e2e, 'killpod', 'killpod');
    await e2e.client.delete(R.pods, { namespace: NS, name: running.metadata.name }, { gracePeriodSeconds: 0 });
    const { phase, message = '' } = (await finalPhase(e2e, 'killpod')).status ?? {};
    assert.equal(phase, 'Failed', message);
    assert.match(message, new RegExp(`data-mover pod velero/${running.metadata.name ?? ''}|data path for data upload ${running.metadata.name ?? ''} failed`));
    await expectNoLeftovers(e2e);
  });

  it('a node-agent that crashes mid-backup is restarted and completes the backup it was running', async () => {
    const volume = await filledVolume(e2e, 'app', 'killagent', 'ferry-hostpath', { bytes: 40_000_000 });
    const running = await startedBackup(e2e, 'killagent', 'killagent');
    const agent = (await nodeAgentPods(e2e.client)).find((p) => p.spec?.nodeName === running.status?.node);
    const pid = Number(/^ferry:\/\/(\d+)$/.exec(agent?.status?.containerStatuses?.[0]?.containerID ?? '')?.[1]);
    assert.ok(Number.isInteger(pid) && pid > 0, 'the node-agent runs as a local process');
    process.kill(pid, 'SIGKILL');
    const ended = await finalPhase(e2e, 'killagent');
    const { phase, message, node } = ended.status ?? {};
    assert.equal(phase, 'Completed', message);
    assert.equal(node, running.status?.node);
    const restarted = await e2e.client.get<Pod>(R.pods, { namespace: NS, name: agent?.metadata?.name });
    assert.ok((restarted.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'the node-agent was restarted');
    assert.deepEqual(await restoredDifferences(e2e, ended, volume), []);
    await expectNoLeftovers(e2e);
  });

  it('Ctrl-C during backup create --wait leaves the backup running with its VolumeSnapshot (exit 130); canceling it then ends it Canceled with nothing left', async () => {
    await filledVolume(e2e, 'app', 'held', 'sc-nowhere');
    const waiting = e2e.spawnFerry(['backup', 'create', 'held', '--pvc', 'app/held', '--wait']);
    // No node matches sc-nowhere's entry, so the DataUpload is held in Accepted with its data-mover pod Pending.
    const held = await eventually('the DataUpload to be held in Accepted', async () => {
      const du = await dataUploadOf(e2e, 'held').catch(() => undefined);
      return du?.status?.phase === 'Accepted' && du.status.message !== undefined ? du : undefined;
    });
    waiting.interrupt();
    assert.equal(await waiting.exit, 130, waiting.output().stderr);
    const snapshot = held.spec.csiSnapshot?.volumeSnapshot ?? '';
    assert.match(waiting.output().stderr, new RegExp(`interrupted: backup held keeps running in the cluster; follow it with \`ferry backup describe held -n velero\` \\(the VolumeSnapshot app/${snapshot} is yours to delete when it is done\\)\n$`));
    assert.equal((await dataUploadOf(e2e, 'held')).status?.phase, 'Accepted', 'the backup itself is left alone');
    ok(await e2e.kubectl.run(['get', 'volumesnapshot', snapshot, '-n', 'app']), 'the VolumeSnapshot is kept');
    ok(await e2e.kubectl.run(['patch', 'datauploads', held.metadata.name ?? '', '-n', NS, '--type=merge', '-p', '{"spec":{"cancel":true}}']), 'kubectl patch');
    assert.equal((await finalPhase(e2e, 'held')).status?.phase, 'Canceled');
    ok(await e2e.kubectl.run(['delete', 'volumesnapshot', snapshot, '-n', 'app']), 'kubectl delete volumesnapshot');
    await expectNoLeftovers(e2e);
  });

  it('a backup canceled mid-way ends Canceled', async () => {
    await filledVolume(e2e, 'app', 'cancel', 'ferry-hostpath', { bytes: 40_000_000 });
    const running = await startedBackup(e2e, 'cancel', 'cancel');
    ok(await e2e.kubectl.run(['patch', 'datauploads', running.metadata.name ?? '', '-n', NS, '--type=merge', '-p', '{"spec":{"cancel":true}}']), 'kubectl patch');
    const { phase, message = '' } = (await finalPhase(e2e, 'cancel')).status ?? {};
    assert.ok(phase === 'Canceled' || phase === 'Completed', `${phase ?? ''}: ${message}`);
    if (phase === 'Canceled') assert.match(message, /data path is canceled$/);
    await expectNoLeftovers(e2e);
    assert.deepEqual(e2e.schemaErrors, []);
  });
});
