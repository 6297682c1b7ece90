/**
 * loadAffinity end to end on the seed's five nodes (node-1..node-5: instance types, zones, a critical-workload
 * label), Ferry installed with `ferry install`, backups started with `ferry backup create --wait`. One config holds
 * one entry per rule kind, each for its own storage class, plus the seed's sample as the global entry and a
 * backupPVC remapping; every data-mover pod must land on a node its rule allows, every backup must restore byte for
 * byte, per-node loadConcurrency must hold while they all run at once, and nothing may be left behind. Then the
 * ConfigMap is edited: nothing changes until the node-agents are restarted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dataMoverPodAffinity, selectLoadAffinity } from '../../src/affinity/index.js';
import type { Plain } from '../../src/kube/models.js';
import type { NodeAgentConfig } from '../../src/config/types.js';
import type { DataUpload } from '../../src/kube/crds.js';
import { eventually, kubectlSkip, NS, ok, putConfigMap, startE2e, type E2e } from './harness.js';
import { dataUploadOf, expectNoLeftovers, filledVolume, restoredDifferences, storageClass, type FilledVolume } from './volumes.js';

const skip = kubectlSkip();

const SEED_SAMPLE = {
  matchLabels: { 'beta.kubernetes.io/instance-type': 'Standard_B4ms' },
  matchExpressions: [
    { key: 'kubernetes.io/hostname', values: ['node-1', 'node-2', 'node-3'], operator: 'In' },
    { key: 'xxx/critial-workload', operator: 'DoesNotExist' },
  ],
};

const CONFIG: Plain<NodeAgentConfig> = {
  loadAffinity: [
    { storageClass: 'sc-labels', nodeSelector: { matchLabels: { 'topology.kubernetes.io/zone': 'westeurope-2' } } },
    { storageClass: 'sc-in', nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-3', 'node-4'] }] } },
    { storageClass: 'sc-exists', nodeSelector: { matchExpressions: [{ key: 'xxx/critial-workload', operator: 'Exists' }] } },
    { storageClass: 'sc-notin', nodeSelector: { matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'NotIn', values: ['Standard_B4ms'] }] } },
    {
      storageClass: 'sc-dne',
      nodeSelector: {
        matchExpressions: [
          { key: 'beta.kubernetes.io/instance-type', operator: 'In', values: ['Standard_B4ms'] },
          { key: 'xxx/critial-workload', operator: 'DoesNotExist' },
        ],
      },
    },
    { storageClass: 'sc-remap-src', nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-4'] }] } },
    { storageClass: 'sc-remap-dst', nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-5'] }] } },
    { nodeSelector: SEED_SAMPLE },
  ],
  backupPVC: { 'sc-remap-src': { storageClass: 'sc-remap-dst' } },
  loadConcurrency: { globalConfig: 1, perNodeConfig: [{ nodeSelector: { matchLabels: { 'xxx/critial-workload': 'true' } }, number: 2 }] },
};

interface Case {
  name: string;
  storageClass: string;
  /** The nodes the rule allows, worked out by hand from the seed's node labels. */
  allowed: string[];
  /** How many PVCs of this class are backed up at once. */
  copies?: number;
}

const CASES: Case[] = [
  { name: 'matchLabels (zone westeurope-2)', storageClass: 'sc-labels', allowed: ['node-2', 'node-5'] },
  { name: 'In (hostname node-3, node-4)', storageClass: 'sc-in', allowed: ['node-3', 'node-4'] },
  { name: 'Exists (xxx/critial-workload)', storageClass: 'sc-exists', allowed: ['node-2'], copies: 3 },
  { name: 'NotIn (instance type not Standard_B4ms)', storageClass: 'sc-notin', allowed: ['node-3', 'node-5'] },
  { name: 'DoesNotExist (Standard_B4ms without xxx/critial-workload)', storageClass: 'sc-dne', allowed: ['node-1', 'node-4'] },
  { name: 'backupPVC storage-class remapping (entry of the backup PVC\'s class, not the source\'s)', storageClass: 'sc-remap-src', allowed: ['node-5'] },
  { name: 'the seed\'s sample, as the global entry for a class without its own', storageClass: 'ferry-hostpath', allowed: ['node-1'], copies: 3 },
];

interface Run {
  volume: FilledVolume;
  backup: string;
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** The most DataUploads InProgress (or Canceling) on each node at any one time, replaying every version seen. */
function maxConcurrentPerNode(history: readonly DataUpload[]): Map<string, number> {
  const current = new Map<string, { phase: string; node: string }>();
  const max = new Map<string, number>();
  for (const du of history) {
    current.set(du.metadata.name ?? '', { phase: du.status?.phase ?? 'New', node: du.status?.node ?? '' });
    const counts = new Map<string, number>();
    for (const { phase, node } of current.values()) if (phase === 'InProgress' || phase === 'Canceling') counts.set(node, (counts.get(node) ?? 0) + 1);
    for (const [node, n] of counts) max.set(node, Math.max(max.get(node) ?? 0, n));
  }
  return max;
}

describe('loadAffinity decides where data-mover pods run (e2e)', { skip, timeout: 300_000 }, () => {
  let e2e: E2e;
  const runs = new Map<string, Run[]>();

  before(async () => {
    e2e = await startE2e({ storage: { topology: 'none' }, objectStore: true });
    for (const sc of ['sc-labels', 'sc-in', 'sc-exists', 'sc-notin', 'sc-dne', 'sc-remap-src', 'sc-remap-dst']) await storageClass(e2e, sc);
    await putConfigMap(e2e.client, 'node-agent-config', CONFIG);
    ok(await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config', '--wait']), 'ferry install');
    for (const c of CASES) {
      const list: Run[] = [];
      for (let i = 0; i < (c.copies ?? 1); i++) {
        const pvc = `${c.storageClass}-${i}`;
        const volume = await filledVolume(e2e, 'app', pvc, c.storageClass);
        const backup = `b-${pvc}`;
        list.push({ volume, backup, result: e2e.ferry(['backup', 'create', backup, '--pvc', `app/${pvc}`, '--wait']) });
      }
      runs.set(c.name, list);
    }
  });
  after(async () => {
    await e2e.stop();
  });

  for (const c of CASES) {
    it(`${c.name}: every data-mover pod on an allowed node, data restorable byte for byte`, async () => {
      for (const run of runs.get(c.name) ?? []) {
        const out = ok(await run.result, `ferry backup create ${run.backup}`);
        const du = await dataUploadOf(e2e, run.backup);
        const { phase, node = '', snapshotID = '' } = du.status ?? {};
        assert.equal(phase, 'Completed');
        assert.ok(c.allowed.includes(node), `${run.backup} ran on ${node}, allowed: ${c.allowed.join(', ')}`);
        assert.match(out, new RegExp(`^Backup ${run.backup} Completed on node ${node}: snapshot ${snapshotID}`, 'm'));
        const podSpec = e2e.moverPods.get(du.metadata.name ?? '')?.spec;
        assert.equal(podSpec?.nodeName, node, 'the node the DataUpload names is where its pod ran');
        const backupClass = CONFIG.backupPVC?.[c.storageClass]?.storageClass ?? c.storageClass;
        assert.deepEqual(podSpec.affinity, dataMoverPodAffinity(selectLoadAffinity(CONFIG.loadAffinity, backupClass)?.entry));
        assert.deepEqual(await restoredDifferences(e2e, du, run.volume), []);
      }
    });
  }

  it('several backups at once keep to each node\'s loadConcurrency, every DataUpload is valid for Velero, and nothing is left', async () => {
    await Promise.all([...runs.values()].flat().map((r) => r.result));
    const max = maxConcurrentPerNode(e2e.history);
    for (const [node, n] of max) assert.ok(n <= (node === 'node-2' ? 2 : 1), `${n} data paths ran at once on ${node}`);
    const waited = e2e.history.some((du) => du.status?.node === 'node-1' && (du.status.message ?? '').startsWith('waiting for a free data path on node node-1: 1 of 1 in use'));
    assert.ok(waited, 'three backups for node-1 at once: some waited for its one data path');
    assert.deepEqual(e2e.schemaErrors, []);
    await expectNoLeftovers(e2e);
  });

  it('an edited ConfigMap changes nothing until the node-agents restart; then the new rule applies', async () => {
    const edited: Plain<NodeAgentConfig> = structuredClone(CONFIG);
    edited.loadAffinity = [{ nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-5'] }] } }];
    await putConfigMap(e2e.client, 'node-agent-config', edited);
    await filledVolume(e2e, 'app', 'edited', 'ferry-hostpath');
    ok(await e2e.ferry(['backup', 'create', 'before-restart', '--pvc', 'app/edited', '--wait']), 'backup before restart');
    assert.equal((await dataUploadOf(e2e, 'before-restart')).status?.node, 'node-1', 'the running node-agents still use the rule they started with');

    ok(await e2e.kubectl.run(['rollout', 'restart', 'ds/ferry-node-agent', '-n', NS]), 'kubectl rollout restart');
    ok(await e2e.kubectl.run(['rollout', 'status', 'ds/ferry-node-agent', '-n', NS, '--timeout=120s'], { timeoutMs: 130_000 }), 'kubectl rollout status');
    await eventually('the old node-agents to be gone', async () => {
      const r = await e2e.kubectl.run(['get', 'pods', '-n', NS, '-l', 'name=ferry-node-agent', '-o', 'name']);
      return r.stdout.trim().split('\n').length === 5 ? true : undefined;
    });
    ok(await e2e.ferry(['backup', 'create', 'after-restart', '--pvc', 'app/edited', '--wait']), 'backup after restart');
    assert.equal((await dataUploadOf(e2e, 'after-restart')).status?.node, 'node-5');
    await expectNoLeftovers(e2e);
  });
});
