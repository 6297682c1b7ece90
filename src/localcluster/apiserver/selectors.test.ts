import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js';

function rejects(run: () => unknown, message: string | RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof SelectorError);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('parseLabelSelector: matching', () => {
  const node = { 'kubernetes.io/os': 'linux', zone: 'a', 'disk-gb': '100' };
  // [selector, matches node, matches an object without labels]
  const cases: [string, boolean, boolean][] = [
    ['', true, true],
    ['zone=a', true, false],
    ['zone==a', true, false],
    ['zone = a', true, false],
    ['zone!=a', false, true],
    ['zone!=b', true, true],
    ['zone in (a,b)', true, false],
    ['zone in ( b , c )', false, false],
    ['zone notin (a)', false, true],
    ['zone notin (b)', true, true],
    ['zone', true, false],
    ['!zone', false, true],
    ['!gpu', true, true],
    ['kubernetes.io/os=linux,zone in (a),!gpu', true, false],
    ['zone=a,zone=b', false, false],
    ['disk-gb>50', true, false],
    ['disk-gb<50', false, false],
    ['zone in (a,)', true, false],
    ['zone=', false, false],
    ['in in (in)', false, false],
  ];
  for (const [selector, onNode, onBare] of cases) {
    it(`${JSON.stringify(selector)} ${onNode ? 'matches' : 'does not match'} the node`, () => {
      const query = parseLabelSelector(selector);
      assert.equal(query.matches(node), onNode);
      assert.equal(query.matches({}), onBare);
      assert.equal(query.empty, selector === '');
    });
  }

  it('"key=" matches the empty value and "in ()" means the empty value too', () => {
    assert.equal(parseLabelSelector('a=').matches({ a: '' }), true);
    assert.equal(parseLabelSelector('a in ()').matches({ a: '' }), true);
    assert.equal(parseLabelSelector('a in ()').matches({ a: 'x' }), false);
  });
});

describe('parseLabelSelector: errors in apimachinery wording', () => {
  const ops = 'in, notin, =, ==, !=, gt, lt';
  const cases: [string, string | RegExp][] = [
    ['a b', `unable to parse requirement: found 'b', expected: ${ops}`],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a in (x,y', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
    ['! =a', "unable to parse requirement: found '=', expected: identifier"],
    ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
    ['-a=b', /^unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric/],
    ['a/b/c', /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must consist/],
    ['a=-b', /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-b": a valid label must be/],
    ['a>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
  ];
  for (const [selector, message] of cases) {
    it(JSON.stringify(selector), () => {
      rejects(() => parseLabelSelector(selector), message);
    });
  }
});

describe('parseFieldSelector', () => {
  const pod: Record<string, string> = { 'metadata.name': 'a,b', 'spec.nodeName': 'n1', 'status.phase': 'Running' };
  const getField = (path: string): string | undefined => pod[path];

  const cases: [string, boolean][] = [
    ['', true],
    ['spec.nodeName=n1', true],
    ['spec.nodeName==n1', true],
    ['spec.nodeName!=n1', false],
    ['spec.nodeName=n2', false],
    ['spec.nodeName=n1,status.phase!=Succeeded', true],
    ['spec.nodeName=n1,,status.phase=Running', true],
    ['metadata.name=a\\,b', true],
    ['metadata.namespace=', true],
    ['metadata.namespace!=', false],
  ];
  for (const [selector, expected] of cases) {
    it(`${JSON.stringify(selector)} ${expected ? 'matches' : 'does not match'}`, () => {
      assert.equal(parseFieldSelector(selector).matches(getField), expected);
    });
  }

  it('lists the fields it mentions, once each, and knows when it is empty', () => {
    const query = parseFieldSelector('spec.nodeName=a,status.phase!=b,spec.nodeName!=c');
    assert.deepEqual(query.fields, ['spec.nodeName', 'status.phase']);
    assert.equal(query.empty, false);
    assert.equal(parseFieldSelector('').empty, true);
    assert.deepEqual(parseFieldSelector('').fields, []);
  });

  it('unescapes \\\\, \\, and \\= in values', () => {
    assert.equal(parseFieldSelector('f=a\\\\b\\=c').matches(() => 'a\\b=c'), true);
  });

  const errors: [string, string][] = [
    ['spec.nodeName', "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: ='],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [selector, message] of errors) {
    it(`rejects ${JSON.stringify(selector)}`, () => {
      rejects(() => parseFieldSelector(selector), message);
    });
  }
});
