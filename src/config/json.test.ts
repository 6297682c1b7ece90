import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeSyntaxError, parseJson, type JsonNode } from './json.js';

function fails(text: string): string {
  const r = parseJson(text);
  if (r.ok) assert.fail(`${JSON.stringify(text)} should not parse`);
  return describeSyntaxError(r.error);
}

function value(text: string): JsonNode {
  const r = parseJson(text);
  assert.ok(r.ok, r.ok ? '' : describeSyntaxError(r.error));
  return r.value;
}

describe('parseJson', () => {
  it("fails like Go's encoding/json, with line and column", () => {
    const table: [string, string][] = [
      ['wrong', "invalid character 'w' looking for beginning of value at line 1, column 1"],
      ['', 'unexpected end of JSON input at line 1, column 1'],
      ['{"a":', 'unexpected end of JSON input at line 1, column 6'],
      ['{"a" 1}', "invalid character '1' after object key at line 1, column 6"],
      ['[1 2]', "invalid character '2' after array element at line 1, column 4 (a comma is missing between two elements)"],
      ['{"a":1 "b":2}', `invalid character '"' after object key:value pair at line 1, column 8 (a comma is missing between two members)`],
      ['{"a":1} x', "invalid character 'x' after top-level value at line 1, column 9 (the document holds more than one value)"],
      ['{"a":tx}', "invalid character 'x' in literal true (expecting 'r') at line 1, column 7"],
      ['[nul]', "invalid character ']' in literal null (expecting 'l') at line 1, column 5"],
      ['"\\x"', "invalid character 'x' in string escape code at line 1, column 3"],
      ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape at line 1, column 6"],
      ['"a\tb"', "invalid character '\\t' in string literal at line 1, column 3"],
      ['-x', "invalid character 'x' in numeric literal at line 1, column 2"],
      ['1.x', "invalid character 'x' after decimal point in numeric literal at line 1, column 3"],
      ['1ex', "invalid character 'x' in exponent of numeric literal at line 1, column 3"],
      ['01', "invalid character '1' after top-level value at line 1, column 2 (the document holds more than one value)"],
    ];
    for (const [text, expected] of table) assert.equal(fails(text), expected, text);
  });

  it('explains the usual slips', () => {
    assert.match(fails('{"a":1,}'), /'}' looking for beginning of object key string at line 1, column 8 \(remove the trailing comma\)/);
    assert.match(fails('[1,]'), /\(remove the trailing comma\)/);
    assert.match(fails('{a:1}'), /'a' looking for beginning of object key string .*\(object keys must be in double quotes\)/);
    assert.match(fails("{'a':1}"), /'\\'' looking for beginning of object key string .*\(JSON strings take double quotes\)/);
    assert.match(fails('{\n  // note\n  "a": 1}'), /'\/' looking for beginning of object key string at line 2, column 3 \(JSON has no comments\)/);
    assert.match(fails('[{"a": 1]'), /'\]' after object key:value pair .*\(an object is not closed: a '\}' is missing before this\)/);
    assert.match(fails('{"a": [1}'), /'\}' after array element .*\(a list is not closed: a '\]' is missing before this\)/);
    assert.match(fails('\uFEFF{}'), /'\\ufeff' looking for beginning of value at line 1, column 1 \(the file starts with a byte order mark/);
  });

  it('counts lines and columns across the document', () => {
    assert.equal(fails('{\n    "a": 1,\n    "b": [1, 2,\n    ]\n}'), "invalid character ']' looking for beginning of value at line 4, column 5 (remove the trailing comma)");
    assert.match(fails('{\r\n  "a": x}'), /at line 2, column 8/);
  });

  it('keeps numbers as written and decodes strings', () => {
    assert.deepEqual(value('[1.50, -0, 1e3, 12345678901234567890]'), {
      kind: 'array',
      items: ['1.50', '-0', '1e3', '12345678901234567890'].map((raw) => ({ kind: 'number', raw })),
    });
    assert.deepEqual(value(String.raw`"a\"\\\/\b\f\n\r\tz\u00e9\ud83d\ude00"`), { kind: 'string', value: 'a"\\/\b\f\n\r\tzé😀' });
    // Go turns a lone surrogate into U+FFFD.
    assert.deepEqual(value(String.raw`"\ud800x"`), { kind: 'string', value: '\uFFFDx' });
  });

  it('records the line of every key, and keeps duplicate keys in order', () => {
    const doc = value('{\n"a": 1,\n\n"a": {"b": true, "c": null}}');
    assert.ok(doc.kind === 'object');
    assert.deepEqual(
      doc.members.map((m) => [m.key, m.line]),
      [['a', 2], ['a', 4]],
    );
    assert.deepEqual(doc.members[1]?.value, {
      kind: 'object',
      members: [
        { key: 'b', line: 4, value: { kind: 'boolean', value: true } },
        { key: 'c', line: 4, value: { kind: 'null' } },
      ],
    });
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    assert.match(fails('['.repeat(5000) + ']'.repeat(5000)), /^exceeded max depth at line 1, column 1002$/);
    assert.equal(value('['.repeat(900) + ']'.repeat(900)).kind, 'array');
  });
});
