// The local cluster's nodes against the embedded API server: registration with the well-known labels, Leases
// renewed on a heartbeat, and the condition taints that NotReady and cordoned nodes carry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CoordinationV1Api, type V1Node } from '@kubernetes/client-node';
import { MERGE_PATCH } from '../../src/localcluster/kubelet/api.js';
import { waitFor } from '../../src/localcluster/kubelet/testing.js';
import { LEASE_NAMESPACE, nodesFromOptions, startNodes } from '../../src/localcluster/nodes/index.js';
import { createLogger } from '../../src/util/log.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { findKubectl, kubectlFor, type Kubectl } from '../support/kubectl.js';

const kubectlFound = findKubectl();
const SEED = join(import.meta.dirname, '../fixtures/nodes/seed-nodes.yaml');

const taintKeys = (n: V1Node): string[] => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
const condition = (n: V1Node, type: string) => n.status?.conditions?.find((c) => c.type === type);

describe('local nodes', { concurrency: 1, skip: 'skip' in kubectlFound ? kubectlFound.skip : false }, () => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  let coordination: CoordinationV1Api;
  const readNode = (name: string): Promise<V1Node> => cluster.core.readNode({ name });

  before(async () => {
    cluster = await startTestCluster({ nodes: 3, heartbeatMs: 200 });
    kubectl = kubectlFor('path' in kubectlFound ? kubectlFound.path : 'kubectl', cluster.kubeconfigPath);
    coordination = cluster.kc.makeApiClient(CoordinationV1Api);
  });
  after(async () => {
    await cluster.stop();
  });

  it('registers Ready nodes that kubectl lists with their version', async () => {
    const r = await kubectl.run(['get', 'nodes', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,VERSION:.status.nodeInfo.kubeletVersion']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trim().split('\n').map((l) => l.split(/\s+/)),
      [
        ['node-1', 'True', 'v1.32.0+ferry'],
        ['node-2', 'True', 'v1.32.0+ferry'],
        ['node-3', 'True', 'v1.32.0+ferry'],
      ],
    );
    const node = await readNode('node-2');
    const labels = node.metadata?.labels ?? {};
    assert.deepEqual([labels['kubernetes.io/hostname'], labels['topology.kubernetes.io/zone'], node.status?.allocatable?.pods], ['node-2', 'zone-b', '110']);
  });

  it('holds a Lease per node in kube-node-lease and renews it on the heartbeat', async () => {
    const lease = await coordination.readNamespacedLease({ name: 'node-1', namespace: LEASE_NAMESPACE });
    const spec = lease.spec;
    assert.deepEqual([spec?.holderIdentity, spec?.leaseDurationSeconds], ['node-1', 40]);
    const node = await readNode('node-1');
    assert.equal(lease.metadata?.ownerReferences?.[0]?.uid, node.metadata?.uid, 'owned by its Node, so it goes with it');
    const first = String(spec?.renewTime);
    await waitFor(
      () => coordination.readNamespacedLease({ name: 'node-1', namespace: LEASE_NAMESPACE }),
      (l) => String(l.spec?.renewTime) !== first,
      3_000,
    );
  });

  it('taints a cordoned node as the node lifecycle controller does, and untaints it on uncordon', async () => {
    assert.equal((await kubectl.run(['cordon', 'node-1'])).code, 0);
    await waitFor(
      () => readNode('node-1'),
      (n) => taintKeys(n).includes('node.kubernetes.io/unschedulable:NoSchedule'),
    );
    assert.equal((await kubectl.run(['uncordon', 'node-1'])).code, 0);
    await waitFor(
      () => readNode('node-1'),
      (n) => taintKeys(n).length === 0,
    );
  });

  it('keeps a NotReady status through heartbeats and marks the node with the not-ready taint', async () => {
    await cluster.core.patchNodeStatus({ name: 'node-3', body: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Test', message: 'made unhealthy by the test' }] } } }, MERGE_PATCH);
    const tainted = await waitFor(
      () => readNode('node-3'),
      (n) => taintKeys(n).includes('node.kubernetes.io/not-ready:NoSchedule'),
    );
    const beat = String(condition(tainted, 'Ready')?.lastHeartbeatTime);
    const later = await waitFor(
      () => readNode('node-3'),
      (n) => String(condition(n, 'Ready')?.lastHeartbeatTime) !== beat,
      5_000,
    );
    assert.equal(condition(later, 'Ready')?.status, 'False', 'the heartbeat does not make it Ready again');
    await cluster.core.patchNodeStatus({ name: 'node-3', body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } } }, MERGE_PATCH);
    await waitFor(
      () => readNode('node-3'),
      (n) => taintKeys(n).length === 0,
    );
  });

  it('adopts nodes that already exist (a restart), keeping labels set meanwhile', async () => {
    assert.equal((await kubectl.run(['label', 'node', 'node-2', 'team=storage'])).code, 0);
    const again = await startNodes(cluster.kc, { nodes: await nodesFromOptions({ count: 2 }), logger: createLogger({ level: 'silent' }) });
    await again.stop();
    assert.equal((await readNode('node-2')).metadata?.labels?.team, 'storage');
  });

  it('registers the nodes of a nodes file with their instance types and labels', async () => {
    assert.equal((await kubectl.run(['delete', 'nodes', '--all'])).code, 0);
    const seeded = await startNodes(cluster.kc, { nodes: await nodesFromOptions({ file: SEED }), logger: createLogger({ level: 'silent' }) });
    try {
      const r = await kubectl.run(['get', 'nodes', '-l', 'xxx/critial-workload=true', '--no-headers', '-L', 'beta.kubernetes.io/instance-type', '-o', 'custom-columns=NAME:.metadata.name,TYPE:.metadata.labels.beta\\.kubernetes\\.io/instance-type']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^node-2\s+Standard_B4ms$/m);
      const node5 = await readNode('node-5');
      assert.equal(node5.status?.allocatable?.cpu, '3860m');
      assert.equal(condition(node5, 'Ready')?.status, 'True');
    } finally {
      await seeded.stop();
    }
  });
});
