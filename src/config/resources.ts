/**
 * `podResources` as the node-agent reads it at start (`kube.ParseResourceRequirements`): all six values are parsed
 * as quantities (empty ephemeral-storage values count as "0", empty CPU or memory values fail), and a request above
 * its limit fails unless the limit is 0 (unbounded). Any failure makes Velero ignore the whole section, so data-mover
 * pods run without requests or limits: a warning here. A negative quantity passes that parse but the API server
 * rejects every data-mover pod carrying it: an error.
 */
import { parseQuantity } from './quantity.js';
import { fieldPath } from './path.js';
import type { IssueLists, PodResources } from './types.js';

/** Each Kubernetes resource with its podResources fields, and what an empty value stands for (none: it fails). */
export const POD_RESOURCE_PAIRS = [
  { resource: 'cpu', request: 'cpuRequest', limit: 'cpuLimit', emptyMeans: undefined },
  { resource: 'memory', request: 'memoryRequest', limit: 'memoryLimit', emptyMeans: undefined },
  { resource: 'ephemeral-storage', request: 'ephemeralStorageRequest', limit: 'ephemeralStorageLimit', emptyMeans: '0' },
] as const;

const IGNORED = 'so Velero ignores the whole podResources section and data-mover pods get no requests or limits';

export function checkPodResources(resources: PodResources, path: string, issues: IssueLists): void {
  const warn = (field: string, problem: string): void => {
    issues.warnings.push({ path: fieldPath(path, field), message: `${problem}, ${IGNORED}` });
  };
  const quantity = (field: keyof PodResources, emptyMeans: string | undefined): number | undefined => {
    const written = resources[field] ?? '';
    if (written === '' && emptyMeans === undefined) {
      warn(field, 'empty: Velero cannot parse an empty quantity (write "0" for none)');
      return undefined;
    }
    const value = parseQuantity(written === '' ? (emptyMeans ?? '') : written);
    if (value === undefined) warn(field, `${JSON.stringify(written)} is not a Kubernetes quantity (such as 500m, 2, 1Gi or 1e3)`);
    else if (value < 0) {
      issues.errors.push({
        path: fieldPath(path, field),
        message: `${JSON.stringify(written)} is negative: the API server rejects data-mover pods with negative resources, so every data movement would fail`,
      });
    }
    return value;
  };
  for (const { resource, request, limit, emptyMeans } of POD_RESOURCE_PAIRS) {
    const req = quantity(request, emptyMeans);
    const lim = quantity(limit, emptyMeans);
    if (req !== undefined && lim !== undefined && lim !== 0 && req > lim) {
      warn(request, `${resource} request ${JSON.stringify(resources[request])} is above its limit ${JSON.stringify(resources[limit])}`);
    }
  }
}
