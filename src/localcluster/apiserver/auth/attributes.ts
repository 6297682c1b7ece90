/**
 * What a request asks to do, in the terms RBAC rules speak (Kubernetes' `RequestInfo`): a verb on a resource (with
 * its subresource, namespace and name) or a verb on a non-resource path such as `/version`.
 */
import { isDiscoveryPath, type DiscoveryPath, type ResourcePath } from '../paths.js';

export interface ResourceAttributes {
  readonly kind: 'resource';
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  /** '' when the request is for the resource itself. */
  readonly subresource: string;
  /** '' for cluster-scoped resources and requests across all namespaces. */
  readonly namespace: string;
  /** '' for collections (unless a list or watch selects one object by `metadata.name`). */
  readonly name: string;
}

export interface NonResourceAttributes {
  readonly kind: 'nonResource';
  readonly verb: string;
  readonly path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

const WRITE_VERBS: Readonly<Record<string, string>> = { POST: 'create', PUT: 'update', PATCH: 'patch' };

/** The object name a list or watch narrows to with `fieldSelector=metadata.name=<name>`, as Kubernetes honours it. */
function selectedName(query: URLSearchParams): string {
  const selector = query.get('fieldSelector') ?? '';
  const terms = selector.split(',').filter((t) => t !== '');
  for (const term of terms) {
    const match = /^metadata\.name==?(.*)$/.exec(term);
    if (match !== null) return match[1] ?? '';
  }
  return '';
}

function resourceVerb(method: string, path: ResourcePath, query: URLSearchParams): string {
  const watch = path.legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1';
  if (method === 'GET' || method === 'HEAD') {
    if (path.subresource !== undefined) return 'get';
    if (watch) return 'watch';
    return path.name === undefined ? 'list' : 'get';
  }
  if (method === 'DELETE') return path.name === undefined ? 'deletecollection' : 'delete';
  return WRITE_VERBS[method] ?? method.toLowerCase();
}

export function requestAttributes(method: string, pathname: string, path: DiscoveryPath | ResourcePath | undefined, query: URLSearchParams): RequestAttributes {
  if (path === undefined || isDiscoveryPath(path)) return { kind: 'nonResource', verb: method.toLowerCase(), path: pathname };
  const verb = resourceVerb(method, path, query);
  const name = path.name ?? (verb === 'list' || verb === 'watch' ? selectedName(query) : '');
  // A namespace is addressed in its own namespace, so a RoleBinding there can grant access to it.
  const namespace = path.group === '' && path.resource === 'namespaces' ? (path.name ?? '') : (path.namespace ?? '');
  return { kind: 'resource', verb, group: path.group, resource: path.resource, subresource: path.subresource ?? '', namespace, name };
}
