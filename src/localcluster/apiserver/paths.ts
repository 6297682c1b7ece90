/**
 * How request paths map onto the API: discovery documents (`/api`, `/apis/<group>/<version>`) and resource paths
 * (`/api/v1/namespaces/<ns>/<resource>/<name>/<subresource>`, cluster-scoped and all-namespace forms, and the
 * deprecated `/watch/` prefix).
 */
import { badRequest } from './errors.js';

export type DiscoveryPath =
  | { discovery: 'api' }
  | { discovery: 'apis' }
  | { discovery: 'group'; group: string }
  | { discovery: 'groupVersion'; group: string; version: string };

export interface ResourcePath {
  group: string;
  version: string;
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
  /** `/api/v1/watch/...`: the old spelling of `?watch=true`. */
  legacyWatch: boolean;
}

/** `undefined` when the path is not under `/api` or `/apis`, or has too many segments. */
export function parseApiPath(pathname: string): DiscoveryPath | ResourcePath | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest(`malformed path ${JSON.stringify(pathname)}`);
  }
  const [root, ...rest] = segments;
  if (root === 'api') {
    const [version, ...tail] = rest;
    if (version === undefined) return { discovery: 'api' };
    if (tail.length === 0) return { discovery: 'groupVersion', group: '', version };
    return parseResource('', version, tail);
  }
  if (root === 'apis') {
    const [group, version, ...tail] = rest;
    if (group === undefined) return { discovery: 'apis' };
    if (version === undefined) return { discovery: 'group', group };
    if (tail.length === 0) return { discovery: 'groupVersion', group, version };
    return parseResource(group, version, tail);
  }
  return undefined;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function parseResource(group: string, version: string, segments: string[]): ResourcePath | undefined {
  const legacyWatch = segments[0] === 'watch';
  const rest = legacyWatch ? segments.slice(1) : segments;
  const base = { group, version, legacyWatch };
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const [, namespace, resource = '', name, subresource, ...extra] = rest;
    if (group === '' && rest.length === 3 && NAMESPACE_SUBRESOURCES.has(resource)) {
      return { ...base, namespace: undefined, resource: 'namespaces', name: namespace, subresource: resource };
    }
    if (extra.length > 0) return undefined;
    return { ...base, namespace, resource, name, subresource };
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined || extra.length > 0) return undefined;
  return { ...base, namespace: undefined, resource, name, subresource };
}

export function isDiscoveryPath(p: DiscoveryPath | ResourcePath): p is DiscoveryPath {
  return 'discovery' in p;
}
