import { stringify } from 'yaml';
import type { Explanation } from './explain.js';

export type ExplainFormat = 'text' | 'json';

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}

function formatText(result: Explanation): string {
  const rows: string[][] = [['NODE', 'ELIGIBLE', 'REASONS']];
  for (const node of result.nodes) {
    const [first = '', ...more] = node.reasons;
    rows.push([node.name, node.eligible ? 'yes' : 'no', first]);
    // Further reasons go on lines of their own under the REASONS column.
    for (const reason of more) rows.push(['', '', reason]);
  }
  const eligible = result.nodes.filter((n) => n.eligible).length;
  const forClass = result.storageClass === '' ? '(no storage class given)' : `for storage class ${JSON.stringify(result.storageClass)}`;
  const lines = [
    `entry: ${result.picked}`,
    'affinity of data-mover pods:',
    ...stringify(result.affinity).trimEnd().split('\n').map((line) => `  ${line}`),
    '',
    ...table(rows),
    '',
    `${eligible} of ${result.nodes.length} ${result.nodes.length === 1 ? 'node' : 'nodes'} eligible`,
  ];
  if (eligible === 0) lines.push(`no node is eligible: data-mover pods ${forClass} would stay Pending`);
  return `${lines.join('\n')}\n`;
}

/** `text` for people; `json` is exactly `{"entry", "affinity", "nodes": [{"name", "eligible", "reasons"}]}` for scripts. */
export function formatExplanation(result: Explanation, format: ExplainFormat): string {
  if (format === 'json') {
    const { entry, affinity, nodes } = result;
    return `${JSON.stringify({ entry, affinity, nodes }, null, 2)}\n`;
  }
  return formatText(result);
}
