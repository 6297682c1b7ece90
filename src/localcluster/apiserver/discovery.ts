/**
 * Discovery documents: the legacy ones (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`) and the
 * aggregated `apidiscovery.k8s.io/v2` `APIGroupDiscoveryList` kubectl asks for first. Both are computed per request
 * from the registry, so CRD resources appear as soon as the CRD exists.
 */
import type { GroupInfo, ResourceRegistry } from './registry.js';
import type { ResourceType, Subresource, Verb } from './types.js';

interface SubresourceInfo {
  kind: { group: string; version: string; kind: string };
  verbs: Verb[];
}

function subresourceInfo(type: ResourceType, sub: Subresource): SubresourceInfo {
  const own = { group: type.group, version: type.version, kind: type.kind };
  switch (sub) {
    case 'status':
      return { kind: own, verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] };
    case 'log':
      return { kind: own, verbs: ['get'] };
    case 'finalize':
      return { kind: own, verbs: ['update'] };
    case 'token':
      return { kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] };
  }
}

function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

function groupEntry(g: GroupInfo): Record<string, unknown> {
  const versions = g.versions.map((v) => ({ groupVersion: groupVersion(g.name, v), version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().filter((g) => g.name !== '').map(groupEntry) };
}

export function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  const g = registry.groups().find((x) => x.name === group && group !== '');
  return g === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g) };
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.resources(group, version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    },
    ...t.subresources.map((sub) => {
      const info = subresourceInfo(t, sub);
      return {
        name: `${t.plural}/${sub}`,
        singularName: '',
        namespaced: t.namespaced,
        ...(info.kind.group === t.group && info.kind.version === t.version ? {} : { group: info.kind.group, version: info.kind.version }),
        kind: info.kind.kind,
        verbs: info.verbs,
      };
    }),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

function discoveryResource(t: ResourceType): Record<string, unknown> {
  return {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: t.verbs,
    ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    ...(t.subresources.length > 0
      ? {
          subresources: t.subresources.map((sub) => {
            const info = subresourceInfo(t, sub);
            return { subresource: sub, responseKind: info.kind, verbs: info.verbs };
          }),
        }
      : {}),
  };
}

/** `APIGroupDiscoveryList` for `/api` (core group only) or `/apis` (every other group). */
export function aggregatedDiscovery(registry: ResourceRegistry, legacy: boolean, apiVersion: string): Record<string, unknown> {
  const groups = registry.groups().filter((g) => (g.name === '') === legacy);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: registry.resources(g.name, v).map(discoveryResource),
        freshness: 'Current',
      })),
    })),
  };
}
