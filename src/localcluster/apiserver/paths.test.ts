import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseApiPath } from './paths.js';

describe('API paths', () => {
  it('tells discovery documents from resource paths in every form', () => {
    assert.deepEqual(parseApiPath('/api'), { discovery: 'api' });
    assert.deepEqual(parseApiPath('/apis/apps'), { discovery: 'group', group: 'apps' });
    assert.deepEqual(parseApiPath('/apis/apps/v1'), { discovery: 'groupVersion', group: 'apps', version: 'v1' });
    const base = { group: '', version: 'v1', legacyWatch: false, namespace: undefined, name: undefined, subresource: undefined };
    assert.deepEqual(parseApiPath('/api/v1/pods'), { ...base, resource: 'pods' });
    assert.deepEqual(parseApiPath('/api/v1/namespaces/ns/pods/p/log'), { ...base, namespace: 'ns', resource: 'pods', name: 'p', subresource: 'log' });
    assert.deepEqual(parseApiPath('/api/v1/namespaces/ns'), { ...base, resource: 'namespaces', name: 'ns' });
    assert.deepEqual(parseApiPath('/api/v1/namespaces/ns/finalize'), { ...base, resource: 'namespaces', name: 'ns', subresource: 'finalize' });
    assert.deepEqual(parseApiPath('/api/v1/namespaces/ns/configmaps'), { ...base, namespace: 'ns', resource: 'configmaps' });
    assert.deepEqual(parseApiPath('/api/v1/watch/namespaces/ns/configmaps'), { ...base, legacyWatch: true, namespace: 'ns', resource: 'configmaps' });
    assert.deepEqual(parseApiPath('/apis/velero.io/v2alpha1/namespaces/velero/datauploads/du%2D1/status'), {
      ...base,
      group: 'velero.io',
      version: 'v2alpha1',
      namespace: 'velero',
      resource: 'datauploads',
      name: 'du-1',
      subresource: 'status',
    });
    assert.equal(parseApiPath('/api/v1/namespaces/ns/pods/p/log/extra'), undefined);
    assert.equal(parseApiPath('/metrics'), undefined);
    assert.throws(() => parseApiPath('/api/v1/pods/%E0%A4%A'), /malformed path/);
  });
});
