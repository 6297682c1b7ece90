import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { check, messageAt, withExpressions } from './testing.js';

const expr = 'loadAffinity[0].nodeSelector.matchExpressions';
const labels = 'loadAffinity[0].nodeSelector.matchLabels';

function errorsOf(config: unknown): string[] {
  return check(config).errors.map((e) => `${e.path}: ${e.message}`);
}

describe('selectors that can match no node are errors', () => {
  it('In with a NotIn that excludes all its values', () => {
    const r = check(withExpressions({ key: 'zone', operator: 'In', values: ['a'] }, { key: 'zone', operator: 'NotIn', values: ['a', 'b'] }));
    assert.equal(
      messageAt(r.errors, `${expr}[1]`),
      `"zone NotIn [a b]" contradicts ${expr}[0] "zone In [a]": NotIn excludes every value that In allows, so no node can match this selector`,
    );
    assert.deepEqual(errorsOf(withExpressions({ key: 'zone', operator: 'NotIn', values: ['a'] }, { key: 'zone', operator: 'In', values: ['a', 'c'] })), []);
  });

  it('Exists with DoesNotExist', () => {
    const r = check(withExpressions({ key: 'gpu', operator: 'Exists' }, { key: 'gpu', operator: 'DoesNotExist' }));
    assert.equal(messageAt(r.errors, `${expr}[1]`), `"gpu DoesNotExist" contradicts ${expr}[0] "gpu Exists": Exists needs the label gpu and DoesNotExist forbids it, so no node can match this selector`);
  });

  it('In sets on one key without a common value, also with matchLabels', () => {
    const r = check(withExpressions({ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'zone', operator: 'In', values: ['c'] }));
    assert.match(messageAt(r.errors, `${expr}[1]`), /: no value is in both \[a b\] and \[c\], so no node can match/);
    const ml = check({ loadAffinity: [{ nodeSelector: { matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] } }] });
    assert.equal(messageAt(ml.errors, `${expr}[0]`), `"zone In [b]" contradicts ${labels}.zone "zone In [a]": no value is in both [a] and [b], so no node can match this selector`);
    assert.deepEqual(errorsOf(withExpressions({ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'zone', operator: 'In', values: ['b', 'c'] })), []);
  });

  it('matchLabels k: v with k NotIn [v] or k DoesNotExist', () => {
    const notIn = check({ loadAffinity: [{ nodeSelector: { matchLabels: { tier: 'gold' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] } }] });
    assert.match(messageAt(notIn.errors, `${expr}[0]`), /contradicts loadAffinity\[0\]\.nodeSelector\.matchLabels\.tier "tier In \[gold\]": NotIn excludes every value/);
    const absent = check({ loadAffinity: [{ nodeSelector: { matchLabels: { tier: 'gold' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }] });
    assert.match(messageAt(absent.errors, `${expr}[0]`), /: In needs the label tier and DoesNotExist forbids it/);
  });

  it('In with DoesNotExist, and Gt/Lt bounds no value fits', () => {
    assert.match(messageAt(check(withExpressions({ key: 'a', operator: 'DoesNotExist' }, { key: 'a', operator: 'In', values: ['x'] })).errors, `${expr}[1]`), /In needs the label a/);
    assert.match(messageAt(check(withExpressions({ key: 'n', operator: 'Gt', values: ['5'] }, { key: 'n', operator: 'Lt', values: ['6'] })).errors, `${expr}[1]`), /no integer is greater than 5 and less than 6/);
    assert.deepEqual(errorsOf(withExpressions({ key: 'n', operator: 'Gt', values: ['5'] }, { key: 'n', operator: 'Lt', values: ['7'] })), []);
    assert.match(messageAt(check(withExpressions({ key: 'n', operator: 'In', values: ['3', 'x'] }, { key: 'n', operator: 'Gt', values: ['5'] })).errors, `${expr}[1]`), /no value in \[3 x\] is an integer greater than 5/);
    assert.match(messageAt(check(withExpressions({ key: 'n', operator: 'Gt', values: ['5'] }, { key: 'n', operator: 'DoesNotExist' })).errors, `${expr}[1]`), /Gt needs the label n/);
  });

  it('requirements that only fail together', () => {
    const r = check(withExpressions({ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'zone', operator: 'NotIn', values: ['a'] }, { key: 'zone', operator: 'NotIn', values: ['b'] }));
    assert.equal(
      messageAt(r.errors, `${expr}[2]`),
      `no value of label zone satisfies ${expr}[0] "zone In [a b]", ${expr}[1] "zone NotIn [a]", ${expr}[2] "zone NotIn [b]" together, so no node can match this selector`,
    );
    assert.deepEqual(errorsOf(withExpressions({ key: 'n', operator: 'Gt', values: ['5'] }, { key: 'n', operator: 'Lt', values: ['8'] }, { key: 'n', operator: 'NotIn', values: ['6'] })), []);
    assert.equal(errorsOf(withExpressions({ key: 'n', operator: 'Gt', values: ['5'] }, { key: 'n', operator: 'Lt', values: ['8'] }, { key: 'n', operator: 'NotIn', values: ['6', '7'] })).length, 1);
  });

  it('never across different keys, and never for satisfiable combinations', () => {
    assert.deepEqual(
      errorsOf(
        withExpressions(
          { key: 'a', operator: 'In', values: ['x'] },
          { key: 'b', operator: 'NotIn', values: ['x'] },
          { key: 'c', operator: 'Exists' },
          { key: 'a', operator: 'Exists' },
          { key: 'b', operator: 'DoesNotExist' },
          { key: 'd', operator: 'NotIn', values: ['1'] },
          { key: 'd', operator: 'Gt', values: ['0'] },
        ),
      ),
      [],
    );
  });

  it('names each contradicting pair once per selector and applies to perNodeConfig too', () => {
    const r = check({
      loadConcurrency: { perNodeConfig: [{ nodeSelector: { matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'a', operator: 'DoesNotExist' }] }, number: 1 }] },
    });
    assert.match(messageAt(r.errors, 'loadConcurrency.perNodeConfig[0].nodeSelector.matchExpressions[1]'), /contradicts loadConcurrency\.perNodeConfig\[0\]\.nodeSelector\.matchExpressions\[0\]/);
  });
});

describe('requirements on kubernetes.io/os that exclude Linux are errors', () => {
  const os = (operator: string, values?: string[]): string[] => errorsOf(withExpressions({ key: 'kubernetes.io/os', operator, ...(values && { values }) }));

  it('for In [windows], DoesNotExist and NotIn [linux]', () => {
    assert.deepEqual(os('In', ['windows']), [
      `${expr}[0]: "kubernetes.io/os In [windows]" excludes Linux nodes, so no node can match: data-mover pods always carry "kubernetes.io/os NotIn [windows]" and run only on Linux nodes, which all carry kubernetes.io/os=linux`,
    ]);
    assert.equal(os('DoesNotExist').length, 1);
    assert.equal(os('NotIn', ['linux']).length, 1);
    assert.equal(os('Gt', ['1']).length, 1);
  });

  it('pointing out that label values are case-sensitive', () => {
    assert.match(os('In', ['Linux'])[0] ?? '', /\(label values are case-sensitive: write "linux"\)$/);
  });

  it('also in matchLabels', () => {
    const r = check({ loadAffinity: [{ nodeSelector: { matchLabels: { 'kubernetes.io/os': 'windows' } } }] });
    assert.match(messageAt(r.errors, `${labels}["kubernetes.io/os"]`), /excludes Linux nodes/);
  });

  it('but not for requirements Linux nodes meet, nor in perNodeConfig (Windows node-agents read it too)', () => {
    assert.deepEqual(os('In', ['linux', 'windows']), []);
    assert.deepEqual(os('Exists'), []);
    assert.deepEqual(os('NotIn', ['windows']), []);
    assert.deepEqual(errorsOf({ loadConcurrency: { perNodeConfig: [{ nodeSelector: { matchLabels: { 'kubernetes.io/os': 'windows' } }, number: 1 }] } }), []);
  });
});
