// Parse + bind + validate time of a large node-agent config: 1,000 loadAffinity entries with 20 match expressions
// each (every operator, several requirements per key so the contradiction check has work), as one JSON document.
import { performance } from 'node:perf_hooks';
import { parseConfigText } from '../src/config/index.js';

const ENTRIES = 1_000;
const EXPRESSIONS = 20;
const RUNS = 7;

function expression(entry: number, i: number): { key: string; operator: string; values?: string[] } {
  const key = `example.com/label-${i % 8}`;
  switch (i % 5) {
    case 0:
      return { key, operator: 'In', values: [`v${entry}`, `v${i}`, 'common'] };
    case 1:
      return { key, operator: 'NotIn', values: [`x${entry}`, `x${i}`] };
    case 2:
      return { key: `example.com/present-${i}`, operator: 'Exists' };
    case 3:
      return { key: `example.com/absent-${i}`, operator: 'DoesNotExist' };
    default:
      return { key: `example.com/size-${i}`, operator: 'Gt', values: [String(i)] };
  }
}

function largeConfig(): string {
  const loadAffinity = Array.from({ length: ENTRIES }, (_, entry) => ({
    nodeSelector: {
      matchLabels: { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': `m5.${entry % 7}xlarge` },
      matchExpressions: Array.from({ length: EXPRESSIONS }, (_, i) => expression(entry, i)),
    },
    storageClass: `class-${entry}`,
  }));
  return JSON.stringify({ loadAffinity, loadConcurrency: { globalConfig: 2 } }, null, 2);
}

export async function benchConfig(): Promise<void> {
  const text = largeConfig();
  const times: number[] = [];
  let counts = '';
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const report = parseConfigText(text, 'bench.json');
    times.push(performance.now() - start);
    counts = `${report.errors.length} errors, ${report.warnings.length} warnings`;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)] ?? 0;
  const mb = (Buffer.byteLength(text) / 1e6).toFixed(1);
  console.log(
    `config: parse + validate ${ENTRIES} loadAffinity entries x ${EXPRESSIONS} expressions (${mb} MB JSON): ` +
      `median ${median.toFixed(1)} ms, best ${(times[0] ?? 0).toFixed(1)} ms over ${RUNS} runs (${counts})`,
  );
  return Promise.resolve();
}
