import type { ResourceRequirements } from '../kube/models.js';
import { parseQuantity } from '../config/quantity.js';
import type { PodResources } from '../config/types.js';

const PAIRS = [
  { resource: 'cpu', request: 'cpuRequest', limit: 'cpuLimit', empty: undefined },
  { resource: 'memory', request: 'memoryRequest', limit: 'memoryLimit', empty: undefined },
  { resource: 'ephemeral-storage', request: 'ephemeralStorageRequest', limit: 'ephemeralStorageLimit', empty: '0' },
] as const;

/**
 * The requests and limits data-mover pods get from `podResources`, as Velero's `ParseResourceRequirements` builds
 * them: empty ephemeral-storage values mean "0", zero values are left out, and if any value does not parse (an
 * empty cpu or memory value included) or a request exceeds its non-zero limit, the whole section is ignored
 * (`undefined`; the config check already warned about it).
 */
export function podResourceRequirements(resources: PodResources | undefined): ResourceRequirements | undefined {
  if (resources === undefined) return undefined;
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const { resource, request, limit, empty } of PAIRS) {
    const req = resources[request] || empty;
    const lim = resources[limit] || empty;
    if (req === undefined || lim === undefined) return undefined;
    const reqValue = parseQuantity(req);
    const limValue = parseQuantity(lim);
    if (reqValue === undefined || limValue === undefined) return undefined;
    if (limValue !== 0 && reqValue > limValue) return undefined;
    if (reqValue !== 0) requests[resource] = req;
    if (limValue !== 0) limits[resource] = lim;
  }
  const result: ResourceRequirements = {};
  if (Object.keys(requests).length > 0) result.requests = requests;
  if (Object.keys(limits).length > 0) result.limits = limits;
  return Object.keys(result).length === 0 ? undefined : result;
}
