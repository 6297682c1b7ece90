/**
 * The default roles of a fresh cluster (a subset of Kubernetes' bootstrap policy): `cluster-admin` for
 * `system:masters`, and what every authenticated user may do: discovery, health and version, and asking what it is
 * allowed to do (`system:discovery`, `system:public-info-viewer`, `system:basic-user`).
 */

const RBAC_API = 'rbac.authorization.k8s.io/v1';
const BOOTSTRAP_META = {
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
};

interface Role {
  name: string;
  rules: Record<string, string[]>[];
  /** Groups bound to it by a ClusterRoleBinding of the same name. */
  groups: string[];
}

const PUBLIC_INFO = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

const ROLES: readonly Role[] = [
  {
    name: 'cluster-admin',
    rules: [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ],
    groups: ['system:masters'],
  },
  {
    name: 'system:discovery',
    rules: [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', ...PUBLIC_INFO], verbs: ['get'] }],
    groups: ['system:authenticated'],
  },
  { name: 'system:public-info-viewer', rules: [{ nonResourceURLs: PUBLIC_INFO, verbs: ['get'] }], groups: ['system:authenticated', 'system:unauthenticated'] },
  {
    name: 'system:basic-user',
    rules: [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ],
    groups: ['system:authenticated'],
  },
];

export function bootstrapClusterRoles(): Record<string, unknown>[] {
  return ROLES.map((r) => ({ apiVersion: RBAC_API, kind: 'ClusterRole', metadata: { name: r.name, ...BOOTSTRAP_META }, rules: r.rules }));
}

export function bootstrapClusterRoleBindings(): Record<string, unknown>[] {
  return ROLES.map((r) => ({
    apiVersion: RBAC_API,
    kind: 'ClusterRoleBinding',
    metadata: { name: r.name, ...BOOTSTRAP_META },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: r.name },
    subjects: r.groups.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
  }));
}
