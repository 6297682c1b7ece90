import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTaint, toleratesTaint, untoleratedTaints } from './taints.js';
import type { Taint, Toleration } from '../kube/models.js';

const dedicated: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };

describe('toleratesTaint (Kubernetes Toleration.ToleratesTaint)', () => {
  const rows: { name: string; toleration: Toleration; taint: Taint; want: boolean }[] = [
    { name: 'Equal with the same key, value and effect', toleration: { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, taint: dedicated, want: true },
    { name: 'Equal with another value', toleration: { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }, taint: dedicated, want: false },
    { name: 'no operator means Equal', toleration: { key: 'dedicated', value: 'db' }, taint: dedicated, want: true },
    { name: 'no operator and no value against a valued taint', toleration: { key: 'dedicated' }, taint: dedicated, want: false },
    { name: 'Equal without values on both sides', toleration: { key: 'gpu', operator: 'Equal' }, taint: { key: 'gpu', effect: 'NoSchedule' }, want: true },
    { name: 'Exists ignores the value', toleration: { key: 'dedicated', operator: 'Exists' }, taint: dedicated, want: true },
    { name: 'Exists with an empty key tolerates every taint', toleration: { operator: 'Exists' }, taint: { key: 'anything', value: 'x', effect: 'NoExecute' }, want: true },
    { name: 'an empty effect matches every effect', toleration: { key: 'dedicated', operator: 'Exists' }, taint: { ...dedicated, effect: 'NoExecute' }, want: true },
    { name: 'another effect does not match', toleration: { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint: dedicated, want: false },
    { name: 'another key does not match', toleration: { key: 'gpu', operator: 'Exists' }, taint: dedicated, want: false },
    { name: 'an unknown operator tolerates nothing', toleration: { key: 'dedicated', operator: 'Gt', value: 'db' }, taint: dedicated, want: false },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.equal(toleratesTaint(row.toleration, row.taint), row.want);
    });
  }
});

describe('untoleratedTaints', () => {
  const taints: Taint[] = [
    dedicated,
    { key: 'spot', effect: 'PreferNoSchedule' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
  ];
  it('keeps NoSchedule and NoExecute taints nothing tolerates; PreferNoSchedule never blocks', () => {
    assert.deepEqual(untoleratedTaints(taints, undefined), [taints[0], taints[2]]);
  });
  it('drops tolerated taints', () => {
    assert.deepEqual(untoleratedTaints(taints, [{ key: 'dedicated', operator: 'Equal', value: 'db' }]), [taints[2]]);
    assert.deepEqual(untoleratedTaints(taints, [{ operator: 'Exists' }]), []);
  });
  it('a node without taints has none', () => {
    assert.deepEqual(untoleratedTaints(undefined, []), []);
  });
});

describe('formatTaint', () => {
  it('uses kubectl notation', () => {
    assert.equal(formatTaint(dedicated), 'dedicated=db:NoSchedule');
    assert.equal(formatTaint({ key: 'gpu', effect: 'NoExecute' }), 'gpu:NoExecute');
  });
});
