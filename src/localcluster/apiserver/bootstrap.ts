/**
 * What a fresh cluster contains: the system namespaces, the system priority classes, the snapshot CRDs and the
 * default RBAC roles and bindings.
 */
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './auth/policy.js';
import { SNAPSHOT_CRDS } from './crd/preinstalled.js';
import type { OpsContext } from './ops/common.js';
import { createObject } from './ops/create.js';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const PRIORITY_CLASSES = [
  { name: 'system-cluster-critical', value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
  { name: 'system-node-critical', value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
];

export function bootstrap(ctx: OpsContext): void {
  const create = (group: string, plural: string, body: unknown): void => {
    const type = ctx.registry.lookup(group, 'v1', plural);
    if (type === undefined) throw new Error(`bootstrap: no resource ${plural}.${group}`);
    createObject(ctx, type, undefined, body, {});
  };
  for (const name of NAMESPACES) create('', 'namespaces', { metadata: { name } });
  for (const pc of PRIORITY_CLASSES) {
    create('scheduling.k8s.io', 'priorityclasses', { metadata: { name: pc.name }, value: pc.value, description: pc.description, globalDefault: false });
  }
  for (const crd of SNAPSHOT_CRDS) create('apiextensions.k8s.io', 'customresourcedefinitions', crd);
  for (const role of bootstrapClusterRoles()) create('rbac.authorization.k8s.io', 'clusterroles', role);
  for (const binding of bootstrapClusterRoleBindings()) create('rbac.authorization.k8s.io', 'clusterrolebindings', binding);
}
