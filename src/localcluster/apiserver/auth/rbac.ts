/**
 * The RBAC authorizer: a request is allowed when a rule of a role bound to its user allows it. ClusterRoleBindings
 * grant their ClusterRole's rules everywhere; RoleBindings grant their Role's (or ClusterRole's) rules in their own
 * namespace. Members of `system:masters` are allowed everything, as Kubernetes' privileged-group authorizer does.
 * Matching follows `k8s.io/kubernetes/pkg/apis/rbac/v1/evaluation_helpers.go`.
 */
import { asArray, asRecord, asString } from '../json.js';
import type { ObjectStore } from '../store.js';
import type { StoredObject } from '../types.js';
import type { RequestAttributes } from './attributes.js';
import { MASTERS, type UserInfo } from './user.js';

const RBAC = 'rbac.authorization.k8s.io';
const CLUSTER_ROLES = `${RBAC}/clusterroles`;
const ROLES = `${RBAC}/roles`;
const CLUSTER_ROLE_BINDINGS = `${RBAC}/clusterrolebindings`;
const ROLE_BINDINGS = `${RBAC}/rolebindings`;

export interface Decision {
  allowed: boolean;
  /** Why RBAC could not decide cleanly (a binding to a missing role), appended to the 403 message. */
  reason: string;
}

interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

const strings = (value: unknown): string[] => asArray(value).filter((v): v is string => typeof v === 'string');

function rulesOf(role: StoredObject): Rule[] {
  return asArray(role['rules']).map((r) => {
    const rule = asRecord(r);
    return {
      verbs: strings(rule['verbs']),
      apiGroups: strings(rule['apiGroups']),
      resources: strings(rule['resources']),
      resourceNames: strings(rule['resourceNames']),
      nonResourceURLs: strings(rule['nonResourceURLs']),
    };
  });
}

const hasOrAll = (list: readonly string[], value: string): boolean => list.includes('*') || list.includes(value);

function resourceMatches(rule: Rule, resource: string, subresource: string): boolean {
  const combined = subresource === '' ? resource : `${resource}/${subresource}`;
  return rule.resources.some((r) => r === '*' || r === combined || (subresource !== '' && r === `*/${subresource}`));
}

function nonResourceURLMatches(rule: Rule, path: string): boolean {
  return rule.nonResourceURLs.some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

function ruleAllows(rule: Rule, attrs: RequestAttributes): boolean {
  if (!hasOrAll(rule.verbs, attrs.verb)) return false;
  if (attrs.kind === 'nonResource') return nonResourceURLMatches(rule, attrs.path);
  return (
    hasOrAll(rule.apiGroups, attrs.group) &&
    resourceMatches(rule, attrs.resource, attrs.subresource) &&
    (rule.resourceNames.length === 0 || (attrs.name !== '' && rule.resourceNames.includes(attrs.name)))
  );
}

/** Whether a binding's subject is this user; a ServiceAccount subject without a namespace means the binding's. */
function subjectMatches(subject: unknown, user: UserInfo, bindingNamespace: string): boolean {
  const s = asRecord(subject);
  const name = asString(s['name']) ?? '';
  switch (s['kind']) {
    case 'User':
      return user.name === name;
    case 'Group':
      return user.groups.includes(name);
    case 'ServiceAccount': {
      const namespace = asString(s['namespace']) || bindingNamespace;
      return namespace !== '' && user.name === `system:serviceaccount:${namespace}:${name}`;
    }
    default:
      return false;
  }
}

/** The roles bound to the user where the request applies, and the bindings whose role is missing. */
function boundRoles(store: ObjectStore, user: UserInfo, namespace: string): { roles: StoredObject[]; errors: string[] } {
  const roles: StoredObject[] = [];
  const errors: string[] = [];
  const bindings = [
    ...store.list(CLUSTER_ROLE_BINDINGS).map((b) => ({ binding: b, namespace: '' })),
    ...(namespace === '' ? [] : store.list(ROLE_BINDINGS, namespace).map((b) => ({ binding: b, namespace }))),
  ];
  for (const { binding, namespace: bindingNamespace } of bindings) {
    if (!asArray(binding['subjects']).some((s) => subjectMatches(s, user, bindingNamespace))) continue;
    const ref = asRecord(binding['roleRef']);
    const name = asString(ref['name']) ?? '';
    const clusterRole = ref['kind'] !== 'Role';
    const role = clusterRole ? store.get(CLUSTER_ROLES, undefined, name) : store.get(ROLES, bindingNamespace, name);
    if (role === undefined) errors.push(`${clusterRole ? 'clusterrole' : 'role'}.${RBAC} "${name}" not found`);
    else roles.push(role);
  }
  return { roles, errors };
}

export function authorize(store: ObjectStore, user: UserInfo, attrs: RequestAttributes): Decision {
  if (user.groups.includes(MASTERS)) return { allowed: true, reason: '' };
  const { roles, errors } = boundRoles(store, user, attrs.kind === 'resource' ? attrs.namespace : '');
  if (roles.some((role) => rulesOf(role).some((rule) => ruleAllows(rule, attrs)))) return { allowed: true, reason: '' };
  const aggregate = errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
  return { allowed: false, reason: errors.length === 0 ? '' : `RBAC: ${aggregate}` };
}
