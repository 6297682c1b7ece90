/**
 * A WaitForFirstConsumer source whose volume exists only on one node (the hostpath driver pins PVs by hostname):
 * the data-mover pod's affinity is the PV's topology ANDed with loadAffinity (Velero v1.18.1, #9343), so it runs on
 * the volume's node when loadAffinity allows that node, and when it does not, no node matches — and the DataUpload
 * says so within seconds, naming the requirements, then fails at the prepare timeout with that reason.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dataMoverPodAffinity } from '../../src/affinity/index.js';
import type { NodeAgentConfig } from '../../src/config/types.js';
import type { PersistentVolume, PersistentVolumeClaim, Plain } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { toMillis } from '../../src/kube/time.js';
import { eventually, kubectlSkip, ok, putConfigMap, startE2e, type E2e } from './harness.js';
import { dataUploadOf, expectNoLeftovers, filledVolume, restoredDifferences } from './volumes.js';

const skip = kubectlSkip();
const PREPARE_TIMEOUT_S = 15;

const ENTRY = { nodeSelector: { matchExpressions: [{ key: 'beta.kubernetes.io/instance-type', operator: 'In', values: ['Standard_B4ms'] }] } };
const CONFIG: Plain<NodeAgentConfig> = { loadAffinity: [ENTRY] };

describe('a WaitForFirstConsumer source pins the data-mover pod to its volume\'s node (e2e)', { skip, timeout: 300_000 }, () => {
  let e2e: E2e;
  before(async () => {
    e2e = await startE2e({ storage: { topology: 'hostname' }, objectStore: true });
    await putConfigMap(e2e.client, 'node-agent-config', CONFIG);
    ok(await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config', '--data-mover-prepare-timeout', `${PREPARE_TIMEOUT_S}s`, '--wait']), 'ferry install');
  });
  after(async () => {
    await e2e.stop();
  });

  it('runs on the volume\'s node when loadAffinity allows it, and the data restores byte for byte', async () => {
    const volume = await filledVolume(e2e, 'app', 'on-node-4', 'ferry-hostpath-wffc', { consumerNode: 'node-4' });
    ok(await e2e.ferry(['backup', 'create', 'wffc', '--pvc', 'app/on-node-4', '--wait']), 'ferry backup create');
    const du = await dataUploadOf(e2e, 'wffc');
    assert.equal(du.status?.node, 'node-4', 'Standard_B4ms nodes are node-1, node-2 and node-4, the volume is on node-4');
    const pvc = await e2e.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: 'app', name: 'on-node-4' });
    const pv = await e2e.client.get<PersistentVolume>(R.persistentVolumes, { name: pvc.spec?.volumeName });
    const topology = pv.spec?.nodeAffinity?.required;
    assert.ok(topology !== undefined, 'the source PV carries node affinity');
    assert.deepEqual(e2e.moverPods.get(du.metadata.name ?? '')?.spec?.affinity, dataMoverPodAffinity(ENTRY, topology));
    assert.deepEqual(await restoredDifferences(e2e, du, volume), []);
    await expectNoLeftovers(e2e);
  });

  it('says at once that no node matches when the volume\'s node is not allowed, and fails at the prepare timeout with that reason', async () => {
    await filledVolume(e2e, 'app', 'on-node-3', 'ferry-hostpath-wffc', { consumerNode: 'node-3' });
    const waiting = e2e.ferry(['backup', 'create', 'conflict', '--pvc', 'app/on-node-3', '--wait']);
    try {
      const explained = await eventually('the DataUpload to say why its pod is not placed', async () => {
        const du = await dataUploadOf(e2e, 'conflict').catch(() => undefined);
        return du?.status?.message?.includes('no node matches') === true ? du : undefined;
      });
      const saidAfterMs = Date.now() - (toMillis(explained.status?.acceptedTimestamp) ?? 0);
      assert.ok(saidAfterMs < 6000, `said after ${saidAfterMs} ms`);
      // Ferry's own reason; the scheduler's current message, appended in parentheses, may change meanwhile.
      const message = (explained.status?.message ?? '').split(' (scheduler: ')[0] ?? '';
      assert.match(message, /no node matches its node affinity \(loadAffinity\[0\] for storage class "ferry-hostpath-wffc", within the source volume's node affinity\): /);
      assert.match(message, /node-3: beta\.kubernetes\.io\/instance-type In \[Standard_B4ms\]/);
      assert.match(message, /node-1, node-2, node-4(, node-5)?: kubernetes\.io\/hostname In \[node-3\]/);

      const result = await waiting;
      assert.equal(result.code, 1);
      const failed = (await dataUploadOf(e2e, 'conflict')).status ?? {};
      assert.equal(failed.phase, 'Failed');
      assert.ok(failed.message?.startsWith(`timeout on preparing data upload: ${message}`), failed.message);
      const tookMs = (toMillis(failed.completionTimestamp) ?? 0) - (toMillis(failed.acceptedTimestamp) ?? 0);
      assert.ok(tookMs >= PREPARE_TIMEOUT_S * 1000 - 1000, `failed after ${tookMs} ms, the prepare timeout is ${PREPARE_TIMEOUT_S} s`);
      assert.match(result.stderr, /error: backup conflict failed: timeout on preparing data upload: data-mover pod velero\/conflict-\w+ cannot be placed: no node matches/);
    } finally {
      // Never leave the CLI running past the test, even when an assertion failed first.
      await waiting;
    }
    await expectNoLeftovers(e2e);
    assert.deepEqual(e2e.schemaErrors, []);
  });
});
