import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Node, V1NodeSpec, V1NodeStatus } from '@kubernetes/client-node';
import type { Plain } from '../../kube/models.js';
import { FerryError } from '../../util/errors.js';
import { goArch, KUBELET_VERSION } from './defaults.js';
import { nodesFromOptions } from './options.js';

// Accessors, not property chains: an assertion on a chain would narrow it and make the next one look needless.
const labels = (n: V1Node | undefined): Record<string, string> => n?.metadata?.labels ?? {};
const status = (n: V1Node | undefined): Plain<V1NodeStatus> => n?.status ?? {};
const spec = (n: V1Node | undefined): Plain<V1NodeSpec> => n?.spec ?? {};

const SEED = join(import.meta.dirname, '../../../test/fixtures/nodes/seed-nodes.yaml');

async function rejection(promise: Promise<unknown>): Promise<FerryError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof FerryError, `expected a FerryError, got ${String(err)}`);
  return err;
}

describe('nodesFromOptions', () => {
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-nodes-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--nodes 3 makes node-1..3 with the well-known labels, zones round robin, capacity and nodeInfo', async () => {
    const nodes = await nodesFromOptions({ count: 3 });
    assert.deepEqual(
      nodes.map((n) => n.metadata?.name),
      ['node-1', 'node-2', 'node-3'],
    );
    assert.deepEqual(
      nodes.map((n) => n.metadata?.labels?.['topology.kubernetes.io/zone']),
      ['zone-a', 'zone-b', 'zone-c'],
    );
    const [first] = nodes;
    assert.equal(labels(first)['kubernetes.io/hostname'], 'node-1');
    assert.equal(labels(first)['kubernetes.io/os'], 'linux');
    assert.equal(labels(first)['kubernetes.io/arch'], goArch());
    assert.deepEqual(status(first).allocatable, { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' });
    assert.equal(status(first).nodeInfo?.kubeletVersion, KUBELET_VERSION);
    assert.equal(status(first).nodeInfo?.architecture, goArch());
  });

  it('defaults to one node', async () => {
    assert.deepEqual(
      (await nodesFromOptions()).map((n) => n.metadata?.name),
      ['node-1'],
    );
  });

  it('rejects a count out of range and both options together as usage errors', async () => {
    assert.equal((await rejection(nodesFromOptions({ count: 0 }))).code, 'Usage');
    assert.equal((await rejection(nodesFromOptions({ count: 2.5 }))).code, 'Usage');
    assert.equal((await rejection(nodesFromOptions({ count: 2, file: SEED }))).code, 'Usage');
  });

  it("--nodes-file keeps the file's labels and allocatable and drops what only a real cluster knows", async () => {
    const nodes = await nodesFromOptions({ file: SEED });
    assert.equal(nodes.length, 5);
    const node2 = nodes.find((n) => n.metadata?.name === 'node-2');
    assert.equal(labels(node2)['xxx/critial-workload'], 'true');
    assert.equal(labels(node2)['beta.kubernetes.io/instance-type'], 'Standard_B4ms');
    assert.equal(labels(node2)['topology.kubernetes.io/zone'], 'westeurope-2', 'the file zone wins over the default');
    assert.equal(status(node2).allocatable?.cpu, '3860m');
    assert.equal(status(node2).capacity?.cpu, '3860m', 'capacity defaults to at least the allocatable');
    assert.equal(node2?.metadata?.uid, undefined);
    assert.equal(node2?.metadata?.resourceVersion, undefined);
    assert.deepEqual(status(node2).addresses?.[0], { type: 'InternalIP', address: '127.0.0.1' });
  });

  it('takes taints, unschedulable and numeric quantities from a multi-document file', async () => {
    const path = await file(
      'multi.yaml',
      [
        'kind: Node\nmetadata: {name: a}\nspec:\n  unschedulable: true\n  taints: [{key: dedicated, value: db, effect: NoSchedule}]\nstatus:\n  allocatable: {cpu: 8}',
        'kind: Node\nmetadata: {name: b, labels: {kubernetes.io/arch: arm64}}',
      ].join('\n---\n'),
    );
    const [a, b] = await nodesFromOptions({ file: path });
    assert.equal(spec(a).unschedulable, true);
    assert.deepEqual(spec(a).taints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    assert.equal(status(a).allocatable?.cpu, '8');
    assert.equal(labels(b)['kubernetes.io/arch'], 'arm64');
  });

  it('reports invalid nodes with what the API server would say, naming the file and node', async () => {
    const badLabel = await file('bad-label.yaml', 'kind: Node\nmetadata: {name: a, labels: {"bad key!": x}}');
    const err = await rejection(nodesFromOptions({ file: badLabel }));
    assert.equal(err.code, 'ConfigInvalid');
    assert.match(err.message, /bad-label\.yaml: node "a":\n {2}label "bad key!": name part must consist of alphanumeric characters/);
    const badEffect = await file('bad-effect.yaml', 'kind: Node\nmetadata: {name: a}\nspec: {taints: [{key: k, effect: Sometimes}]}');
    assert.match((await rejection(nodesFromOptions({ file: badEffect }))).message, /taint k: effect "Sometimes" is not one of NoSchedule, PreferNoSchedule, NoExecute/);
    const twice = await file('twice.yaml', 'kind: Node\nmetadata: {name: a}\n---\nkind: Node\nmetadata: {name: a}');
    assert.match((await rejection(nodesFromOptions({ file: twice }))).message, /node "a" is defined twice/);
    const badName = await file('bad-name.yaml', 'kind: Node\nmetadata: {name: Node_1}');
    assert.match((await rejection(nodesFromOptions({ file: badName }))).message, /metadata.name: a lowercase RFC 1123 subdomain/);
    const badQuantity = await file('bad-quantity.yaml', 'kind: Node\nmetadata: {name: a}\nstatus: {allocatable: {cpu: lots}}');
    assert.match((await rejection(nodesFromOptions({ file: badQuantity }))).message, /status.allocatable.cpu: "lots" is not a valid quantity/);
    assert.equal((await rejection(nodesFromOptions({ file: join(dir, 'missing.yaml') }))).code, 'NotFound');
  });
});
