import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore } from '../store.js';
import { requestAttributes, type RequestAttributes, type ResourceAttributes } from './attributes.js';
import { forbidden } from './errors.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './policy.js';
import { authorize } from './rbac.js';
import { ADMIN, serviceAccountUser } from './user.js';
import { parseApiPath } from '../paths.js';

const RBAC = 'rbac.authorization.k8s.io';
let uid = 0;

function put(store: ObjectStore, plural: string, obj: Record<string, unknown> & { metadata: { name: string; namespace?: string } }): void {
  store.put(`${RBAC}/${plural}`, {
    apiVersion: `${RBAC}/v1`,
    kind: 'x',
    ...obj,
    metadata: { ...obj.metadata, uid: `u${String(++uid)}`, creationTimestamp: '2026-01-01T00:00:00Z' },
  });
}

function attrs(method: string, url: string): RequestAttributes {
  const u = new URL(url, 'http://x');
  return requestAttributes(method, u.pathname, parseApiPath(u.pathname), u.searchParams);
}

function resourceAttrs(method: string, url: string): ResourceAttributes {
  const a = attrs(method, url);
  assert.equal(a.kind, 'resource');
  return a;
}

const agent = serviceAccountUser('velero', 'ferry');

/** A store with the bootstrap policy, a ClusterRole for the agent and a Role in `velero` bound to it. */
function cluster(): ObjectStore {
  const store = new ObjectStore();
  for (const r of bootstrapClusterRoles()) put(store, 'clusterroles', r as { metadata: { name: string } });
  for (const b of bootstrapClusterRoleBindings()) put(store, 'clusterrolebindings', b as { metadata: { name: string } });
  put(store, 'clusterroles', {
    metadata: { name: 'agent' },
    rules: [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] },
      { apiGroups: ['velero.io'], resources: ['datauploads', '*/status'], verbs: ['*'] },
    ],
  });
  put(store, 'clusterrolebindings', { metadata: { name: 'agent' }, roleRef: { kind: 'ClusterRole', name: 'agent' }, subjects: [{ kind: 'ServiceAccount', name: 'ferry', namespace: 'velero' }] });
  put(store, 'roles', {
    metadata: { name: 'pods', namespace: 'velero' },
    rules: [
      { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['list', 'watch', 'get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['node-agent-config'], verbs: ['get', 'watch', 'list'] },
    ],
  });
  // No namespace on the subject: the binding's own.
  put(store, 'rolebindings', { metadata: { name: 'pods', namespace: 'velero' }, roleRef: { kind: 'Role', name: 'pods' }, subjects: [{ kind: 'ServiceAccount', name: 'ferry' }] });
  return store;
}

describe('RBAC authorizer', () => {
  const store = cluster();
  const allowed = (method: string, url: string): boolean => authorize(store, agent, attrs(method, url)).allowed;

  it('maps HTTP requests to verbs, subresources, namespaces and names as Kubernetes RequestInfo does', () => {
    assert.deepEqual(attrs('GET', '/api/v1/namespaces/velero/pods'), { kind: 'resource', verb: 'list', group: '', resource: 'pods', subresource: '', namespace: 'velero', name: '' });
    assert.equal(attrs('GET', '/api/v1/namespaces/velero/pods?watch=true').verb, 'watch');
    assert.equal(attrs('GET', '/api/v1/watch/namespaces/velero/pods').verb, 'watch');
    assert.equal(attrs('DELETE', '/api/v1/namespaces/velero/pods').verb, 'deletecollection');
    assert.equal(attrs('DELETE', '/api/v1/namespaces/velero/pods/p').verb, 'delete');
    assert.equal(attrs('PATCH', '/api/v1/namespaces/velero/pods/p/status').verb, 'patch');
    assert.deepEqual(attrs('POST', '/api/v1/namespaces/velero/pods/p/binding'), { kind: 'resource', verb: 'create', group: '', resource: 'pods', subresource: 'binding', namespace: 'velero', name: 'p' });
    assert.equal(resourceAttrs('GET', '/api/v1/namespaces/velero/configmaps?fieldSelector=metadata.name%3Dnode-agent-config').name, 'node-agent-config');
    assert.equal(resourceAttrs('GET', '/api/v1/namespaces/velero').namespace, 'velero');
    assert.deepEqual(attrs('GET', '/apis/velero.io'), { kind: 'nonResource', verb: 'get', path: '/apis/velero.io' });
  });

  it('allows what bound roles grant: verbs, groups, subresources, */subresource, resourceNames', () => {
    assert.ok(allowed('GET', '/api/v1/namespaces/velero/pods'));
    assert.ok(allowed('GET', '/api/v1/namespaces/velero/pods/p/log'));
    assert.ok(allowed('GET', '/api/v1/nodes/n1'));
    assert.ok(allowed('PUT', '/apis/velero.io/v2alpha1/namespaces/other/datauploads/d/status'), '*/status in the velero.io group');
    assert.ok(allowed('DELETE', '/apis/velero.io/v2alpha1/datauploads'), '* verbs, and a ClusterRoleBinding grants cluster-wide');
    assert.ok(allowed('GET', '/api/v1/namespaces/velero/configmaps/node-agent-config'));
    assert.ok(allowed('GET', '/api/v1/namespaces/velero/configmaps?fieldSelector=metadata.name%3Dnode-agent-config'));
  });

  it('denies everything else', () => {
    assert.ok(!allowed('DELETE', '/api/v1/namespaces/velero/pods/p'), 'verb not granted');
    assert.ok(!allowed('GET', '/api/v1/namespaces/other/pods'), 'a RoleBinding grants in its namespace only');
    assert.ok(!allowed('GET', '/api/v1/pods'), 'nor across all namespaces');
    assert.ok(!allowed('PATCH', '/api/v1/namespaces/velero/pods/p/status'), 'pods does not grant pods/status');
    assert.ok(!allowed('GET', '/api/v1/namespaces/velero/configmaps/other'), 'resourceNames');
    assert.ok(!allowed('GET', '/api/v1/namespaces/velero/configmaps'), 'a list of all names is not one of the names');
    assert.ok(!allowed('GET', '/apis/apps/v1/namespaces/velero/daemonsets'), 'group not granted');
    assert.ok(!allowed('GET', '/api/v1/nodes/n1/status'), 'nodes does not grant nodes/status');
    assert.ok(!authorize(store, serviceAccountUser('other', 'ferry'), attrs('GET', '/api/v1/nodes')).allowed, 'same name, other namespace');
  });

  it('lets authenticated users discover, and administrators do anything', () => {
    for (const path of ['/api', '/apis/velero.io/v2alpha1', '/version', '/healthz', '/openapi/v3']) assert.ok(allowed('GET', path), path);
    assert.ok(!allowed('POST', '/api'));
    assert.ok(!allowed('GET', '/metrics'));
    assert.ok(authorize(store, ADMIN, attrs('DELETE', '/api/v1/nodes')).allowed);
  });

  it('words a denial as Kubernetes does, and names a binding whose role is missing', () => {
    const list = attrs('GET', '/api/v1/namespaces/velero/secrets');
    assert.equal(forbidden(agent.name, list, '').message, 'secrets is forbidden: User "system:serviceaccount:velero:ferry" cannot list resource "secrets" in API group "" in the namespace "velero"');
    const get = attrs('GET', '/apis/apps/v1/daemonsets');
    assert.equal(forbidden(agent.name, get, '').message, 'daemonsets.apps is forbidden: User "system:serviceaccount:velero:ferry" cannot list resource "daemonsets" in API group "apps" at the cluster scope');
    const log = attrs('GET', '/api/v1/namespaces/x/pods/p/log');
    assert.deepEqual(forbidden(agent.name, log, '').status.details, { name: 'p', kind: 'pods' });
    assert.equal(forbidden(agent.name, log, '').message, 'pods "p" is forbidden: User "system:serviceaccount:velero:ferry" cannot get resource "pods/log" in API group "" in the namespace "x"');
    assert.equal(forbidden(agent.name, attrs('GET', '/metrics'), '').message, 'forbidden: User "system:serviceaccount:velero:ferry" cannot get path "/metrics"');

    const broken = cluster();
    put(broken, 'rolebindings', { metadata: { name: 'gone', namespace: 'velero' }, roleRef: { kind: 'Role', name: 'gone' }, subjects: [{ kind: 'ServiceAccount', name: 'ferry' }] });
    const decision = authorize(broken, agent, list);
    assert.deepEqual(decision, { allowed: false, reason: 'RBAC: role.rbac.authorization.k8s.io "gone" not found' });
  });
});
