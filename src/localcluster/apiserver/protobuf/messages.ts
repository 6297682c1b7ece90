/**
 * Protobuf field numbers of the Kubernetes messages kubectl's typed clients send as request bodies (`kubectl create
 * namespace|configmap|secret|serviceaccount|priorityclass|role|clusterrole|rolebinding|clusterrolebinding|token`,
 * `kubectl auth can-i|whoami`), from the `protobuf:` tags of k8s.io/api and apimachinery. Fields not listed are
 * ignored.
 */

export type Scalar = 'string' | 'bytes' | 'int64' | 'int32' | 'bool' | 'time';

export interface FieldSpec {
  name: string;
  type: Scalar | { message: string } | { map: 'string' | 'bytes' };
  repeated?: boolean;
  /** Keep a zero value (non-omitempty JSON fields such as PriorityClass.value). */
  keepZero?: boolean;
}

export type MessageSpec = Readonly<Record<number, FieldSpec>>;

const s = (name: string, repeated = false): FieldSpec => ({ name, type: 'string', repeated });
const m = (name: string, message: string, repeated = false): FieldSpec => ({ name, type: { message }, repeated });

export const MESSAGES: Readonly<Record<string, MessageSpec>> = {
  ObjectMeta: {
    1: s('name'),
    2: s('generateName'),
    3: s('namespace'),
    5: s('uid'),
    6: s('resourceVersion'),
    7: { name: 'generation', type: 'int64' },
    8: { name: 'creationTimestamp', type: 'time' },
    9: { name: 'deletionTimestamp', type: 'time' },
    10: { name: 'deletionGracePeriodSeconds', type: 'int64' },
    11: { name: 'labels', type: { map: 'string' } },
    12: { name: 'annotations', type: { map: 'string' } },
    13: m('ownerReferences', 'OwnerReference', true),
    14: s('finalizers', true),
  },
  OwnerReference: { 1: s('kind'), 3: s('name'), 4: s('uid'), 5: s('apiVersion'), 6: { name: 'controller', type: 'bool' }, 7: { name: 'blockOwnerDeletion', type: 'bool' } },
  Namespace: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'NamespaceSpec'), 3: m('status', 'NamespaceStatus') },
  NamespaceSpec: { 1: s('finalizers', true) },
  NamespaceStatus: { 1: s('phase') },
  ConfigMap: {
    1: m('metadata', 'ObjectMeta'),
    2: { name: 'data', type: { map: 'string' } },
    3: { name: 'binaryData', type: { map: 'bytes' } },
    4: { name: 'immutable', type: 'bool' },
  },
  Secret: {
    1: m('metadata', 'ObjectMeta'),
    2: { name: 'data', type: { map: 'bytes' } },
    3: s('type'),
    4: { name: 'stringData', type: { map: 'string' } },
    5: { name: 'immutable', type: 'bool' },
  },
  ServiceAccount: {
    1: m('metadata', 'ObjectMeta'),
    2: m('secrets', 'ObjectReference', true),
    3: m('imagePullSecrets', 'LocalObjectReference', true),
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
  ObjectReference: { 1: s('kind'), 2: s('namespace'), 3: s('name'), 4: s('uid'), 5: s('apiVersion'), 6: s('resourceVersion'), 7: s('fieldPath') },
  LocalObjectReference: { 1: s('name') },
  PriorityClass: {
    1: m('metadata', 'ObjectMeta'),
    2: { name: 'value', type: 'int32', keepZero: true },
    3: { name: 'globalDefault', type: 'bool' },
    4: s('description'),
    5: s('preemptionPolicy'),
  },
  Role: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', true) },
  ClusterRole: { 1: m('metadata', 'ObjectMeta'), 2: m('rules', 'PolicyRule', true), 3: m('aggregationRule', 'AggregationRule') },
  PolicyRule: { 1: s('verbs', true), 2: s('apiGroups', true), 3: s('resources', true), 4: s('resourceNames', true), 5: s('nonResourceURLs', true) },
  AggregationRule: { 1: m('clusterRoleSelectors', 'LabelSelector', true) },
  LabelSelector: { 1: { name: 'matchLabels', type: { map: 'string' } }, 2: m('matchExpressions', 'LabelSelectorRequirement', true) },
  LabelSelectorRequirement: { 1: s('key'), 2: s('operator'), 3: s('values', true) },
  RoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', true), 3: m('roleRef', 'RoleRef') },
  ClusterRoleBinding: { 1: m('metadata', 'ObjectMeta'), 2: m('subjects', 'Subject', true), 3: m('roleRef', 'RoleRef') },
  Subject: { 1: s('kind'), 2: s('apiGroup'), 3: s('name'), 4: s('namespace') },
  RoleRef: { 1: s('apiGroup'), 2: s('kind'), 3: s('name') },
  TokenRequest: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'TokenRequestSpec') },
  TokenRequestSpec: { 1: s('audiences', true), 3: m('boundObjectRef', 'BoundObjectReference'), 4: { name: 'expirationSeconds', type: 'int64' } },
  BoundObjectReference: { 1: s('kind'), 2: s('apiVersion'), 3: s('name'), 4: s('uid') },
  SelfSubjectAccessReview: { 1: m('metadata', 'ObjectMeta'), 2: m('spec', 'SelfSubjectAccessReviewSpec') },
  SelfSubjectAccessReviewSpec: { 1: m('resourceAttributes', 'ResourceAttributes'), 2: m('nonResourceAttributes', 'NonResourceAttributes') },
  ResourceAttributes: { 1: s('namespace'), 2: s('verb'), 3: s('group'), 4: s('version'), 5: s('resource'), 6: s('subresource'), 7: s('name') },
  NonResourceAttributes: { 1: s('path'), 2: s('verb') },
  SelfSubjectReview: { 1: m('metadata', 'ObjectMeta') },
};

/** `apiVersion kind` → top-level message. */
export const TOP_LEVEL: Readonly<Record<string, string>> = {
  'v1 Namespace': 'Namespace',
  'v1 ConfigMap': 'ConfigMap',
  'v1 Secret': 'Secret',
  'v1 ServiceAccount': 'ServiceAccount',
  'scheduling.k8s.io/v1 PriorityClass': 'PriorityClass',
  'rbac.authorization.k8s.io/v1 Role': 'Role',
  'rbac.authorization.k8s.io/v1 ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1 RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': 'ClusterRoleBinding',
  'authentication.k8s.io/v1 TokenRequest': 'TokenRequest',
  'authentication.k8s.io/v1 SelfSubjectReview': 'SelfSubjectReview',
  'authorization.k8s.io/v1 SelfSubjectAccessReview': 'SelfSubjectAccessReview',
};
