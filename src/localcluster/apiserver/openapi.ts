/**
 * OpenAPI v3, only as far as kubectl needs it: per group/version, one path per resource item whose PATCH operation
 * names its kind and takes the `fieldValidation` parameter. That tells kubectl (`create -f`, `apply`, `edit`,
 * `replace`) to leave validation to the server instead of downloading full schemas. No component schemas are served
 * (`kubectl explain` is not supported), and strategic merge patch is not advertised, so `kubectl apply` computes its
 * patches from its built-in types as it does for servers without OpenAPI.
 */
import { createHash } from 'node:crypto';
import type { ResourceRegistry } from './registry.js';
import type { ResourceType } from './types.js';

const VERSION = 'v1.32.0';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

const PARAM = (name: string, description: string): Record<string, unknown> => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const WRITE_PARAMS = [
  PARAM('dryRun', 'When present, indicates that modifications should not be persisted.'),
  PARAM('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  PARAM('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.'),
];

function itemPath(t: ResourceType): Record<string, unknown> {
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const op = (action: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    operationId: `${action}${t.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { description: 'OK' } },
    ...extra,
  });
  const jsonBody = (types: string[]): Record<string, unknown> => ({
    requestBody: { content: Object.fromEntries(types.map((ct) => [ct, { schema: { type: 'object' } }])), required: true },
  });
  return {
    get: op('get'),
    put: op('put', { parameters: WRITE_PARAMS, ...jsonBody(['*/*']) }),
    patch: op('patch', { parameters: WRITE_PARAMS, ...jsonBody(['application/json-patch+json', 'application/merge-patch+json']) }),
    delete: op('delete', { parameters: [WRITE_PARAMS[0]] }),
    parameters: [
      { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
      ...(t.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] : []),
    ],
  };
}

export function openApiGroupVersion(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.resources(group, version);
  if (types.length === 0) return undefined;
  const base = `/${gvPath(group, version)}`;
  const paths = Object.fromEntries(
    types.map((t) => [t.namespaced ? `${base}/namespaces/{namespace}/${t.plural}/{name}` : `${base}/${t.plural}/{name}`, itemPath(t)]),
  );
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: VERSION }, paths, components: { schemas: {} } };
}

/** `/openapi/v3`: where each group/version's document is, with a hash that changes when the document does. */
export function openApiRoot(registry: ResourceRegistry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const g of registry.groups()) {
    for (const v of g.versions) {
      const doc = JSON.stringify(openApiGroupVersion(registry, g.name, v));
      const hash = createHash('sha512').update(doc).digest('hex').slice(0, 32).toUpperCase();
      paths[gvPath(g.name, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g.name, v)}?hash=${hash}` };
    }
  }
  return { paths };
}
