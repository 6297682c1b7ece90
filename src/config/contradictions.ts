/**
 * Selectors that can match no node. Requirements are ANDed, so a selector is impossible as soon as the requirements
 * on one label key cannot all hold. Deciding that is exact and cheap: any node that satisfies them has the label
 * absent or set to a value from a short list of candidates (the values the requirements mention, their integer
 * neighbours for Gt/Lt, and one value they do not mention), so trying those candidates with the scheduler's own
 * matching answers the question.
 */
import { matchesRequirement, parseInt64 } from '../kube/labels.js';
import { showRequirement, type LocatedRequirement } from './selector.js';
import type { ConfigIssue } from './types.js';

/** Not a valid label value, so it differs from every value a requirement can mention. */
const UNMENTIONED = '\u0000';

function candidateValues(reqs: readonly LocatedRequirement[]): (string | undefined)[] {
  const ins = reqs.filter((r) => r.operator === 'In');
  // A node matching an In requirement carries one of its values.
  if (ins.length > 0) return ins.flatMap((r) => r.values);
  const values = new Set<string>(reqs.flatMap((r) => r.values));
  for (const v of [...values]) {
    const n = parseInt64(v);
    if (n !== undefined) values.add(String(n - 1n)).add(String(n + 1n));
  }
  return [undefined, UNMENTIONED, ...values];
}

function satisfiable(reqs: readonly LocatedRequirement[]): boolean {
  const key = reqs[0]?.key ?? '';
  return candidateValues(reqs).some((value) => {
    const labels = value === undefined ? {} : { [key]: value };
    return reqs.every((r) => matchesRequirement(r, labels));
  });
}

const NEEDS_LABEL = new Set(['In', 'Exists', 'Gt', 'Lt']);

/** Why two requirements on one key cannot both hold, in words. */
function why(a: LocatedRequirement, b: LocatedRequirement): string {
  const pair = [a, b];
  const find = (op: string): LocatedRequirement | undefined => pair.find((r) => r.operator === op);
  const [inReq, notIn, absent, gt, lt] = ['In', 'NotIn', 'DoesNotExist', 'Gt', 'Lt'].map(find);
  const show = (r: LocatedRequirement): string => `[${r.values.join(' ')}]`;
  if (a.operator === 'In' && b.operator === 'In') return `no value is in both ${show(a)} and ${show(b)}`;
  if (inReq && notIn) return 'NotIn excludes every value that In allows';
  if (absent) {
    const other = pair.find((r) => NEEDS_LABEL.has(r.operator));
    return `${other?.operator ?? 'the other'} needs the label ${a.key} and DoesNotExist forbids it`;
  }
  const bound = gt ?? lt;
  if (inReq && bound) return `no value in ${show(inReq)} is an integer ${bound === gt ? 'greater' : 'less'} than ${bound.values[0] ?? ''}`;
  if (gt && lt) return `no integer is greater than ${gt.values[0] ?? ''} and less than ${lt.values[0] ?? ''}`;
  return 'no value of the label satisfies both';
}

/**
 * One error per pair of requirements on the same key that cannot both hold, at the later one; when every pair is
 * possible but a key's requirements are not all together, one error naming them all.
 */
export function findContradictions(reqs: readonly LocatedRequirement[]): ConfigIssue[] {
  const byKey = new Map<string, LocatedRequirement[]>();
  for (const r of reqs) {
    const group = byKey.get(r.key);
    if (group === undefined) byKey.set(r.key, [r]);
    else group.push(r);
  }
  const issues: ConfigIssue[] = [];
  for (const group of byKey.values()) {
    if (group.length < 2 || satisfiable(group)) continue;
    const before = issues.length;
    for (const [j, later] of group.entries()) {
      for (const earlier of group.slice(0, j)) {
        if (satisfiable([earlier, later])) continue;
        issues.push({
          path: later.path,
          message: `"${showRequirement(later)}" contradicts ${earlier.path} "${showRequirement(earlier)}": ${why(earlier, later)}, so no node can match this selector`,
        });
      }
    }
    const last = group.at(-1);
    if (issues.length === before && last !== undefined) {
      const all = group.map((r) => `${r.path} "${showRequirement(r)}"`).join(', ');
      issues.push({ path: last.path, message: `no value of label ${last.key} satisfies ${all} together, so no node can match this selector` });
    }
  }
  return issues;
}

const OS_LABEL = 'kubernetes.io/os';

/**
 * Requirements on `kubernetes.io/os` that Linux nodes fail. Data-mover pods always carry `kubernetes.io/os NotIn
 * [windows]`, so they run only on Linux nodes, and the kubelet labels every Linux node `kubernetes.io/os=linux`.
 */
export function findLinuxExclusions(reqs: readonly LocatedRequirement[]): ConfigIssue[] {
  return reqs
    .filter((r) => r.key === OS_LABEL && !matchesRequirement(r, { [OS_LABEL]: 'linux' }))
    .map((r) => {
      const miscased = r.values.some((v) => v !== 'linux' && v.toLowerCase() === 'linux');
      return {
        path: r.path,
        message:
          `"${showRequirement(r)}" excludes Linux nodes, so no node can match: data-mover pods always carry ` +
          `"${OS_LABEL} NotIn [windows]" and run only on Linux nodes, which all carry ${OS_LABEL}=linux` +
          (miscased ? ' (label values are case-sensitive: write "linux")' : ''),
      };
    });
}
