import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { check, messageAt, withExpressions } from './testing.js';

const expr = 'loadAffinity[0].nodeSelector.matchExpressions';

describe('loadAffinity selectors follow LabelSelector rules', () => {
  it('accept the four LabelSelector operators with the right values', () => {
    const r = check(
      withExpressions(
        { key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1', 'node-2'] },
        { key: 'example.com/pool', operator: 'NotIn', values: ['gpu', ''] },
        { key: 'node-role.kubernetes.io/worker', operator: 'Exists' },
        { key: 'xxx/critial-workload', operator: 'DoesNotExist', values: [] },
      ),
    );
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
  });

  it('reject an unknown operator, suggesting the right case', () => {
    const r = check(withExpressions({ key: 'a', operator: 'In', values: ['x'] }, { key: 'b', operator: 'in', values: ['x'] }, { key: 'c', operator: 'Equals', values: ['x'] }));
    assert.equal(
      messageAt(r.errors, `${expr}[1].operator`),
      '"in" is not a valid operator (use In, NotIn, Exists or DoesNotExist); did you mean "In"? (operators are case-sensitive)',
    );
    assert.equal(messageAt(r.errors, `${expr}[2].operator`), '"Equals" is not a valid operator (use In, NotIn, Exists or DoesNotExist)');
    assert.equal(r.errors.length, 2);
  });

  it('need values for In and NotIn, and none for Exists and DoesNotExist', () => {
    const r = check(
      withExpressions({ key: 'a', operator: 'In' }, { key: 'b', operator: 'NotIn', values: [] }, { key: 'c', operator: 'Exists', values: ['x'] }, { key: 'd', operator: 'DoesNotExist', values: ['y'] }),
    );
    assert.equal(messageAt(r.errors, `${expr}[0].values`), "must be specified when `operator` is 'In' or 'NotIn'");
    assert.equal(messageAt(r.errors, `${expr}[1].values`), "must be specified when `operator` is 'In' or 'NotIn'");
    assert.equal(messageAt(r.errors, `${expr}[2].values`), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    assert.equal(messageAt(r.errors, `${expr}[3].values`), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    assert.equal(r.errors.length, 4);
  });

  it('accept Gt and Lt with one base-10 integer, warning that they are not LabelSelector operators', () => {
    const ok = check(withExpressions({ key: 'example.com/cpus', operator: 'Gt', values: ['8'] }, { key: 'example.com/cpus', operator: 'Lt', values: ['65'] }));
    assert.deepEqual(ok.errors, []);
    assert.match(messageAt(ok.warnings, `${expr}[0].operator`), /^"Gt" is not a LabelSelector operator: node affinity supports it/);
    assert.match(messageAt(ok.warnings, `${expr}[1].operator`), /^"Lt" is not a LabelSelector operator/);

    const bad = check(withExpressions({ key: 'a', operator: 'Gt', values: ['1', '2'] }, { key: 'b', operator: 'Lt' }, { key: 'c', operator: 'Gt', values: ['0x10'] }, { key: 'd', operator: 'Lt', values: ['9223372036854775808'] }));
    assert.equal(messageAt(bad.errors, `${expr}[0].values`), "must be specified single value when `operator` is 'Lt' or 'Gt' (got 2)");
    assert.equal(messageAt(bad.errors, `${expr}[1].values`), "must be specified single value when `operator` is 'Lt' or 'Gt' (got 0)");
    assert.equal(messageAt(bad.errors, `${expr}[2].values[0]`), '"0x10" is not a base-10 64-bit integer, so no node can match this requirement');
    assert.match(messageAt(bad.errors, `${expr}[3].values[0]`), /not a base-10 64-bit integer/);
  });

  it('check label key syntax', () => {
    const r = check(withExpressions(
      { key: '', operator: 'Exists' },
      { key: 'a/b/c', operator: 'Exists' },
      { key: 'Example.com/x', operator: 'Exists' },
      { key: '-x', operator: 'Exists' },
      { key: `example.com/${'n'.repeat(64)}`, operator: 'Exists' },
      { key: '/x', operator: 'Exists' },
      { key: `${'p'.repeat(254)}/x`, operator: 'Exists' },
      { key: 'UPPER_and.dots-ok', operator: 'Exists' },
    ));
    assert.equal(messageAt(r.errors, `${expr}[0].key`), 'invalid label key "": name part must be non-empty');
    assert.match(messageAt(r.errors, `${expr}[1].key`), /^invalid label key "a\/b\/c": a qualified name must consist of/);
    assert.match(messageAt(r.errors, `${expr}[2].key`), /^invalid label key "Example.com\/x": prefix part a lowercase RFC 1123 subdomain/);
    assert.match(messageAt(r.errors, `${expr}[3].key`), /name part must consist of alphanumeric characters/);
    assert.equal(messageAt(r.errors, `${expr}[4].key`), `invalid label key "example.com/${'n'.repeat(64)}": name part must be no more than 63 characters`);
    assert.equal(messageAt(r.errors, `${expr}[5].key`), 'invalid label key "/x": prefix part must be non-empty');
    assert.ok(r.errors.some((e) => e.path === `${expr}[6].key` && e.message.includes('must be no more than 253 characters')));
    assert.ok(!r.errors.some((e) => e.path.startsWith(`${expr}[7]`)));
  });

  it('check label value syntax, allowing the empty value', () => {
    const r = check(withExpressions({ key: 'a', operator: 'In', values: ['ok', '', 'not ok', 'x'.repeat(64), '-1'] }));
    assert.match(messageAt(r.errors, `${expr}[0].values[2]`), /^invalid label value "not ok": a valid label must be an empty string or consist of/);
    assert.ok(r.errors.some((e) => e.path === `${expr}[0].values[3]` && e.message.endsWith('must be no more than 63 characters')));
    assert.match(messageAt(r.errors, `${expr}[0].values[4]`), /^invalid label value "-1"/);
    assert.ok(!r.errors.some((e) => /values\[[01]\]/.test(e.path)));
  });

  it('check matchLabels keys and values, quoting the key in the path', () => {
    const r = check({ loadAffinity: [{ nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'node 1', 'bad key': 'x', zone: 'a' } } }] });
    assert.match(messageAt(r.errors, 'loadAffinity[0].nodeSelector.matchLabels["kubernetes.io/hostname"]'), /^invalid label value "node 1"/);
    assert.match(messageAt(r.errors, 'loadAffinity[0].nodeSelector.matchLabels["bad key"]'), /^invalid label key "bad key"/);
    assert.equal(r.errors.length, 2);
  });
});

describe('perNodeConfig selectors', () => {
  const rule = (matchExpressions: unknown[]): unknown => ({ loadConcurrency: { perNodeConfig: [{ nodeSelector: { matchExpressions }, number: 2 }] } });
  const at = 'loadConcurrency.perNodeConfig[0].nodeSelector.matchExpressions[0]';

  it('reject Gt and Lt, which LabelSelectorAsSelector cannot parse', () => {
    const r = check(rule([{ key: 'example.com/cpus', operator: 'Gt', values: ['8'] }]));
    assert.equal(
      messageAt(r.errors, `${at}.operator`),
      '"Gt" is not a valid label selector operator (use In, NotIn, Exists or DoesNotExist): Velero cannot parse this rule\'s selector and skips the rule',
    );
    assert.deepEqual(r.warnings, []);
  });

  it('apply the same operator, key and value rules', () => {
    const r = check(rule([{ key: 'a b', operator: 'notin', values: ['x y'] }]));
    assert.match(messageAt(r.errors, `${at}.key`), /^invalid label key "a b"/);
    assert.match(messageAt(r.errors, `${at}.operator`), /did you mean "NotIn"\?/);
    assert.match(messageAt(r.errors, `${at}.values[0]`), /^invalid label value "x y"/);
  });

  it('suggest only LabelSelector operators', () => {
    const r = check(rule([{ key: 'a', operator: 'gt', values: ['1'] }]));
    assert.equal(messageAt(r.errors, `${at}.operator`), '"gt" is not a valid operator (use In, NotIn, Exists or DoesNotExist)');
  });
});
