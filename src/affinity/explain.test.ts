import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { NodeAgentConfig } from '../config/types.js';
import { explain } from './explain.js';
import { loadNodesFile } from './nodes-file.js';
import { loadAffinity, node, OS_REQUIREMENT, req, required } from './testing.js';
import type { NodeSelector } from '../kube/models.js';

const seedNodesPath = fileURLToPath(new URL('../../test/fixtures/nodes/seed-nodes.yaml', import.meta.url));

/** The sample of the seed doc "Node Selection for Data Movement Backup". */
const seed: NodeAgentConfig = {
  loadAffinity: [
    loadAffinity({
      matchLabels: { 'beta.kubernetes.io/instance-type': 'Standard_B4ms' },
      matchExpressions: [
        { key: 'kubernetes.io/hostname', values: ['node-1', 'node-2', 'node-3'], operator: 'In' },
        { key: 'xxx/critial-workload', operator: 'DoesNotExist' },
      ],
    }),
  ],
};

describe('explain', () => {
  it('the seed sample against five nodes allows exactly node-1, with every reason for the others', async () => {
    const result = explain({ config: seed, nodes: await loadNodesFile(seedNodesPath), storageClass: 'managed-csi' });
    assert.equal(result.entry, 0);
    assert.equal(result.picked, 'loadAffinity[0] (global entry: no entry for storage class "managed-csi")');
    assert.deepEqual(
      result.affinity,
      required({
        matchExpressions: [
          req('beta.kubernetes.io/instance-type', 'In', ['Standard_B4ms']),
          req('kubernetes.io/hostname', 'In', ['node-1', 'node-2', 'node-3']),
          req('xxx/critial-workload', 'DoesNotExist'),
          OS_REQUIREMENT,
        ],
      }),
    );
    assert.deepEqual(result.nodes, [
      { name: 'node-1', eligible: true, reasons: [] },
      { name: 'node-2', eligible: false, reasons: ['has label xxx/critial-workload (DoesNotExist)'] },
      { name: 'node-3', eligible: false, reasons: ['beta.kubernetes.io/instance-type: Standard_D2s_v3 not in [Standard_B4ms]'] },
      { name: 'node-4', eligible: false, reasons: ['kubernetes.io/hostname: node-4 not in [node-1 node-2 node-3]'] },
      {
        name: 'node-5',
        eligible: false,
        reasons: [
          'beta.kubernetes.io/instance-type: Standard_D2s_v3 not in [Standard_B4ms]',
          'kubernetes.io/hostname: node-5 not in [node-1 node-2 node-3]',
        ],
      },
    ]);
  });

  describe('which entry is picked, and why', () => {
    const config: NodeAgentConfig = {
      loadAffinity: [loadAffinity({ matchLabels: { disk: 'ssd' } }, 'gp3'), loadAffinity({ matchLabels: { pool: 'data' } })],
    };
    const rows: { name: string; config: NodeAgentConfig; sc: string | undefined; entry: number | null; picked: string }[] = [
      { name: 'the entry for the storage class', config, sc: 'gp3', entry: 0, picked: 'loadAffinity[0] (storage class "gp3")' },
      { name: 'the global entry for another class', config, sc: 'standard', entry: 1, picked: 'loadAffinity[1] (global entry: no entry for storage class "standard")' },
      { name: 'the global entry without a class', config, sc: undefined, entry: 1, picked: 'loadAffinity[1] (global entry: no storage class given)' },
      {
        name: 'none: no global entry',
        config: { loadAffinity: [loadAffinity({ matchLabels: { disk: 'ssd' } }, 'gp3')] },
        sc: 'standard',
        entry: null,
        picked: 'none (no entry for storage class "standard" and no global entry): data-mover pods only carry the OS requirement',
      },
      { name: 'none: no loadAffinity', config: {}, sc: 'gp3', entry: null, picked: 'none (the config has no loadAffinity): data-mover pods only carry the OS requirement' },
    ];
    for (const row of rows) {
      it(row.name, () => {
        const result = explain(row.sc === undefined ? { config: row.config, nodes: [] } : { config: row.config, nodes: [], storageClass: row.sc });
        assert.equal(result.entry, row.entry);
        assert.equal(result.picked, row.picked);
      });
    }
    it('without an entry the pod only excludes Windows nodes', () => {
      const result = explain({ config: {}, nodes: [node('linux-1'), node('win-1', { labels: { 'kubernetes.io/os': 'windows' } })] });
      assert.deepEqual(result.affinity, required({ matchExpressions: [OS_REQUIREMENT] }));
      assert.deepEqual(result.nodes[1]?.reasons, ['kubernetes.io/os: windows is in [windows] (NotIn)']);
      assert.equal(result.nodes[0]?.eligible, true);
    });
  });

  it('with a volume topology, says which term failed how', () => {
    const topology: NodeSelector = {
      nodeSelectorTerms: [
        { matchExpressions: [req('topology.kubernetes.io/zone', 'In', ['zone-a'])] },
        { matchExpressions: [req('topology.kubernetes.io/zone', 'In', ['zone-b'])] },
      ],
    };
    const config: NodeAgentConfig = { loadAffinity: [loadAffinity({ matchLabels: { disk: 'ssd' } })] };
    const nodes = [
      node('node-a', { labels: { 'topology.kubernetes.io/zone': 'zone-a', disk: 'hdd' } }),
      node('node-b', { labels: { 'topology.kubernetes.io/zone': 'zone-b', disk: 'ssd' } }),
    ];
    const result = explain({ config, nodes, volumeTopology: topology });
    assert.equal(result.affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.length, 2);
    assert.deepEqual(result.nodes, [
      {
        name: 'node-a',
        eligible: false,
        reasons: ['term[0]: disk: hdd not in [ssd]', 'term[1]: topology.kubernetes.io/zone: zone-a not in [zone-b]', 'term[1]: disk: hdd not in [ssd]'],
      },
      { name: 'node-b', eligible: true, reasons: [] },
    ]);
  });

  it('reports node state with the affinity reasons, and honours given tolerations', () => {
    const nodes = [
      node('node-1', { unschedulable: true }),
      node('node-2', { ready: 'False' }),
      node('node-3', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
    ];
    assert.deepEqual(
      explain({ config: {}, nodes }).nodes.map((n) => n.reasons),
      [['cordoned'], ['not ready'], ['untolerated taint dedicated=db:NoSchedule']],
    );
    const tolerations = [{ key: 'dedicated', operator: 'Exists' }];
    assert.equal(explain({ config: {}, nodes, tolerations }).nodes[2]?.eligible, true);
  });

  it('leaves the config untouched and gives the same answer twice', () => {
    const before = structuredClone(seed);
    const nodes = [node('node-1', { labels: { 'beta.kubernetes.io/instance-type': 'Standard_B4ms' } })];
    const first = explain({ config: seed, nodes });
    const second = explain({ config: seed, nodes });
    assert.deepEqual(seed, before);
    assert.deepEqual(first, second);
    assert.equal(first.nodes[0]?.eligible, true);
  });
});
