// How long `ferry affinity explain` takes on a large cluster: 5,000 nodes and 10 loadAffinity entries.
// Goal (issue "Foundation"): under 100 ms on this machine.
import { performance } from 'node:perf_hooks';
import { explain, formatExplanation } from '../src/affinity/index.js';
import type { LoadAffinity, NodeAgentConfig } from '../src/config/types.js';
import type { LabelSelector, Node } from '../src/kube/models.js';

const NODES = 5_000;
const ENTRIES = 10;
const RUNS = 21;
const GOAL_MS = 100;

const types = ['Standard_B4ms', 'Standard_D2s_v3', 'Standard_D8s_v5', 'Standard_E4s_v5'];

function makeNode(i: number): Node {
  const name = `node-${i}`;
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': i % 50 === 0 ? 'windows' : 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': types[i % types.length] ?? '',
    'topology.kubernetes.io/zone': `zone-${i % 3}`,
    'ferry.example.com/cores': String(2 + (i % 16)),
  };
  if (i % 7 === 0) labels['xxx/critial-workload'] = 'true';
  return {
    metadata: { name, labels },
    spec: {
      ...(i % 97 === 0 && { unschedulable: true }),
      ...(i % 31 === 0 && { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
    },
    status: { conditions: [{ type: 'Ready', status: i % 113 === 0 ? 'False' : 'True' }] },
  };
}

function makeEntry(i: number): LoadAffinity {
  const hostnames = Array.from({ length: 200 }, (_, k) => `node-${(i * 200 + k * 3) % NODES}`);
  const nodeSelector: LabelSelector = {
    matchLabels: { 'beta.kubernetes.io/instance-type': types[i % types.length] ?? '' },
    matchExpressions: [
      { key: 'kubernetes.io/hostname', operator: 'In', values: hostnames },
      { key: 'xxx/critial-workload', operator: 'DoesNotExist' },
      { key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['zone-2'] },
      { key: 'ferry.example.com/cores', operator: 'Gt', values: ['3'] },
    ],
  };
  const entry: LoadAffinity = { nodeSelector };
  // The last entry is the global one; the others are per storage class.
  if (i < ENTRIES - 1) entry.storageClass = `sc-${i}`;
  return entry;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(run: () => void): number[] {
  for (let i = 0; i < 3; i++) run(); // warm up the JIT
  return Array.from({ length: RUNS }, () => {
    const start = performance.now();
    run();
    return performance.now() - start;
  });
}

export async function benchAffinity(): Promise<void> {
  const nodes = Array.from({ length: NODES }, (_, i) => makeNode(i));
  const config: NodeAgentConfig = { loadAffinity: Array.from({ length: ENTRIES }, (_, i) => makeEntry(i)) };
  // A storage class without an entry walks all 10 entries before falling back to the global one.
  const input = { config, nodes, storageClass: 'no-such-class' };
  const eligible = explain(input).nodes.filter((n) => n.eligible).length;

  const explainMs = median(time(() => explain(input)));
  const textMs = median(time(() => formatExplanation(explain(input), 'text')));
  const verdict = explainMs < GOAL_MS ? 'met' : 'MISSED';
  console.log(`affinity explain: ${NODES} nodes, ${ENTRIES} loadAffinity entries (${eligible} eligible), median of ${RUNS} runs`);
  console.log(`  explain():               ${explainMs.toFixed(1)} ms (goal < ${GOAL_MS} ms: ${verdict})`);
  console.log(`  explain() + text output: ${textMs.toFixed(1)} ms`);
  return Promise.resolve();
}
