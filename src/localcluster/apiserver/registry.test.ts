import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, ResourceRegistry } from './registry.js';
import { defineResource } from './resources/define.js';

describe('resource registry', () => {
  it('orders versions as Kubernetes does', () => {
    assert.deepEqual(['v1beta1', 'v1alpha1', 'v2', 'v1', 'foo', 'v2beta2', 'v2beta1', 'abc'].sort(compareVersions), ['v2', 'v1', 'v2beta2', 'v2beta1', 'v1beta1', 'v1alpha1', 'abc', 'foo']);
  });

  it('adds and removes dynamic resources, changing its generation', () => {
    const registry = new ResourceRegistry([defineResource({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true })]);
    const before = registry.generation;
    const widget = (version: string) => defineResource({ group: 'x.dev', version, kind: 'Widget', plural: 'widgets', namespaced: false });
    registry.setDynamic('widgets.x.dev', [widget('v1beta1'), widget('v1')]);
    assert.ok(registry.generation > before);
    assert.deepEqual(registry.groups(), [{ name: '', versions: ['v1'] }, { name: 'x.dev', versions: ['v1', 'v1beta1'] }]);
    assert.equal(registry.byKind('x.dev', 'Widget')?.version, 'v1');
    assert.equal(registry.byStorageKey('x.dev/widgets')?.plural, 'widgets');
    registry.setDynamic('widgets.x.dev', []);
    assert.equal(registry.lookup('x.dev', 'v1', 'widgets'), undefined);
  });
});
