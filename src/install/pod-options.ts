import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { parseQuantity } from '../config/index.js';
import type { ResourceRequirements, Toleration } from '../kube/models.js';
import { FerryError, usageError } from '../util/errors.js';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export interface PodResourceFlags {
  cpuRequest?: string | undefined;
  memRequest?: string | undefined;
  cpuLimit?: string | undefined;
  memLimit?: string | undefined;
}

function quantity(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (parseQuantity(value) === undefined) throw usageError(`${flag}: "${value}" is not a Kubernetes quantity`, 'e.g. 500m, 1, 512Mi, 2Gi');
  return value;
}

/** The node-agent container's resources; `undefined` when no flag is set, so the template stays as before. */
export function podResources(flags: PodResourceFlags): ResourceRequirements | undefined {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  const set = (target: Record<string, string>, key: string, flag: string, value: string | undefined): void => {
    const q = quantity(flag, value);
    if (q !== undefined) target[key] = q;
  };
  set(requests, 'cpu', '--node-agent-pod-cpu-request', flags.cpuRequest);
  set(requests, 'memory', '--node-agent-pod-mem-request', flags.memRequest);
  set(limits, 'cpu', '--node-agent-pod-cpu-limit', flags.cpuLimit);
  set(limits, 'memory', '--node-agent-pod-mem-limit', flags.memLimit);
  const out: ResourceRequirements = {};
  if (Object.keys(requests).length > 0) out.requests = requests;
  if (Object.keys(limits).length > 0) out.limits = limits;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `key[=value][:Effect]`: without a value the toleration matches any value (Exists), without an effect every effect. */
function parseToleration(item: string): Toleration {
  const colon = item.lastIndexOf(':');
  const target = colon < 0 ? item : item.slice(0, colon);
  const effect = colon < 0 ? '' : item.slice(colon + 1);
  if (effect !== '' && !EFFECTS.includes(effect)) throw usageError(`--tolerations: "${item}": effect must be one of ${EFFECTS.join(', ')}`);
  const eq = target.indexOf('=');
  const key = eq < 0 ? target : target.slice(0, eq);
  if (key === '') throw usageError(`--tolerations: "${item}": a key is required (key[=value]:Effect)`);
  const t: Toleration = eq < 0 ? { key, operator: 'Exists' } : { key, operator: 'Equal', value: target.slice(eq + 1) };
  if (effect !== '') t.effect = effect;
  return t;
}

export function parseTolerations(list: string): Toleration[] {
  return list.split(',').map((s) => s.trim()).filter((s) => s !== '').map(parseToleration);
}

/** A YAML or JSON list of tolerations, as they appear in a pod spec. */
export async function loadTolerationsFile(file: string): Promise<Toleration[]> {
  let value: unknown;
  try {
    value = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new FerryError('ConfigInvalid', `--tolerations-file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'object' && t !== null && !Array.isArray(t))) {
    throw new FerryError('ConfigInvalid', `--tolerations-file ${file}: expected a list of tolerations (key, operator, value, effect)`);
  }
  return value as Toleration[];
}
