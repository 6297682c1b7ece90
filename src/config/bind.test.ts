import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from './parse.js';
import { messageAt } from './testing.js';
import type { ConfigReport } from './types.js';

const parse = (text: string): ConfigReport => parseConfigText(text, 'test.json');

const selector = { matchLabels: { 'kubernetes.io/hostname': 'node-1' } };

describe('binding keys like Go', () => {
  it('binds any letter case, and warns about every spelling that is not the canonical one', () => {
    const r = parse(JSON.stringify({ LoadAffinity: [{ NODESELECTOR: selector, storageclass: 'gp3' }], loadconcurrency: { GlobalConfig: 3 } }));
    assert.deepEqual(r.config, { loadAffinity: [{ nodeSelector: selector, storageClass: 'gp3' }], loadConcurrency: { globalConfig: 3 } });
    assert.deepEqual(r.errors, []);
    assert.equal(
      messageAt(r.warnings, 'LoadAffinity'),
      'keys match case-insensitively (as in Velero), so this sets "loadAffinity"; spell it "loadAffinity"',
    );
    for (const path of ['loadAffinity[0].NODESELECTOR', 'loadAffinity[0].storageclass', 'loadconcurrency', 'loadConcurrency.GlobalConfig']) {
      assert.match(messageAt(r.warnings, path), /case-insensitively/);
    }
  });

  it("folds the Kelvin sign and the long s as Go's decoder does", () => {
    const r = parse('{"loadAffinity":[{"nodeSelector":{"matchExpressions":[{"\u212Aey":"a","operator":"Exists"}]},"\u017FtorageClass":"gp3"}]}');
    assert.deepEqual(r.config?.loadAffinity?.[0], { nodeSelector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] }, storageClass: 'gp3' });
    assert.equal(r.warnings.length, 2);
  });

  it('matches map keys (labels, storage classes) exactly', () => {
    const r = parse('{"backupPVC":{"GP3":{"readOnly":true},"gp3":{"readOnly":false}}}');
    assert.deepEqual(r.config?.backupPVC, { GP3: { readOnly: true }, gp3: { readOnly: false } });
  });

  it('lets the later duplicate win, merges duplicate objects, and warns with the first line', () => {
    const r = parse('{\n"priorityClassName": "a",\n"loadConcurrency": {"globalConfig": 5},\n"priorityClassName": "b",\n"LoadConcurrency": {"prepareQueueLength": 3},\n"podLabels": {"x": "1", "x": "2"}}');
    assert.equal(r.config?.priorityClassName, 'b');
    assert.deepEqual(r.config.loadConcurrency, { globalConfig: 5, prepareQueueLength: 3 });
    assert.deepEqual(r.config.podLabels, { x: '2' });
    const duplicates = r.warnings.filter((w) => w.message.startsWith('duplicate key'));
    assert.deepEqual(duplicates, [
      { path: 'priorityClassName', message: 'duplicate key (first at line 2): the later value wins' },
      { path: 'loadConcurrency', message: 'duplicate key (first at line 3): both objects are merged and the later values win' },
      { path: 'podLabels.x', message: 'duplicate key (first at line 6): the later value wins' },
    ]);
  });

  it('keeps keys such as __proto__ as plain data', () => {
    const r = parse('{"podLabels":{"__proto__":"x"}}');
    assert.equal(Object.getPrototypeOf(r.config?.podLabels), Object.prototype);
    assert.ok(Object.hasOwn(r.config?.podLabels ?? {}, '__proto__'));
  });
});

describe('unknown keys', () => {
  it('are ignored with a warning at every depth, with the closest known key', () => {
    const doc = {
      loadAfinity: [],
      prepareQueueLength: 3,
      someothers: { someother: 10 },
      loadAffinity: [{ nodeSelector: { matchLabel: {}, matchExpressions: [{ key: 'a', operator: 'In', value: ['x'] }] }, storageClassName: 'gp3', matchLabels: {} }],
      loadConcurrency: { globalConfg: 1, perNodeConfig: [{ nodeSelector: {}, number: 1, numbr: 2 }] },
      backupPVC: { gp3: { readOnlyy: true } },
      podResources: { cpuRequests: '1' },
      cachePVC: { thresholdInGB: 1, storageClass: 'x' },
      restorePVC: { ignoreDelayBind: true },
    };
    const r = parse(JSON.stringify(doc));
    const expected: [string, string | undefined][] = [
      ['loadAfinity', 'loadAffinity'],
      ['prepareQueueLength', 'loadConcurrency.prepareQueueLength'],
      ['someothers', undefined],
      ['loadAffinity[0].nodeSelector.matchLabel', 'matchLabels'],
      ['loadAffinity[0].nodeSelector.matchExpressions[0].value', 'values'],
      ['loadAffinity[0].storageClassName', 'storageClass'],
      ['loadAffinity[0].matchLabels', 'nodeSelector.matchLabels'],
      ['loadConcurrency.globalConfg', 'globalConfig'],
      ['loadConcurrency.perNodeConfig[0].numbr', 'number'],
      ['backupPVC.gp3.readOnlyy', 'readOnly'],
      ['podResources.cpuRequests', 'cpuRequest'],
      ['cachePVC.thresholdInGB', 'residentThresholdInMB'],
      ['restorePVC.ignoreDelayBind', 'ignoreDelayBinding'],
    ];
    for (const [path, suggestion] of expected) {
      assert.equal(messageAt(r.warnings, path), `unknown key, ignored${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`, path);
    }
    assert.deepEqual(r.errors.filter((e) => !e.path.endsWith('.values')), []);
  });

  it('quotes keys that are not plain words in their path', () => {
    const r = parse('{"node.agent/x": 1, "loadAffinity": [{"nodeSelector": {"matchLabels": {"kubernetes.io/os": "linux"}, "match expressions": []}}]}');
    assert.ok(r.warnings.some((w) => w.path === '["node.agent/x"]'));
    assert.ok(r.warnings.some((w) => w.path === 'loadAffinity[0].nodeSelector["match expressions"]'));
  });
});

describe('null', () => {
  it('leaves a field unset, like Go', () => {
    const r = parse('{"loadConcurrency": null, "priorityClassName": null, "loadAffinity": [{"nodeSelector": {"matchLabels": {"a": "b"}, "matchExpressions": null}, "storageClass": null}]}');
    assert.deepEqual(r.config, { loadAffinity: [{ nodeSelector: { matchLabels: { a: 'b' } } }] });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
  });

  it('is an error as a list element, reported at its index', () => {
    const r = parse('{"loadAffinity": [{"nodeSelector": {"matchExpressions": [{"key": "a", "operator": "In", "values": ["x", null]}, null]}}, null]}');
    assert.deepEqual(r.errors, [
      { path: 'loadAffinity[0].nodeSelector.matchExpressions[0].values[1]', message: 'null list element: expected a string; remove it' },
      { path: 'loadAffinity[0].nodeSelector.matchExpressions[1]', message: 'null list element: expected an object; remove it' },
      { path: 'loadAffinity[1]', message: 'null list element: expected an object; remove it' },
    ]);
    // No follow-up findings about the entries that failed to bind (an empty selector, a second global entry).
    assert.deepEqual(r.warnings, []);
  });

  it('sets a map key to the zero value, with a warning', () => {
    const r = parse('{"podLabels": {"team": null}}');
    assert.deepEqual(r.config?.podLabels, { team: '' });
    assert.equal(messageAt(r.warnings, 'podLabels.team'), 'null sets this key to ""');
  });

  it('as the whole document is an empty config', () => {
    const r = parse('null');
    assert.deepEqual(r.config, {});
    assert.deepEqual(r.errors, []);
    assert.equal(messageAt(r.warnings, '$'), 'the document is null, which configures nothing');
  });
});

describe('wrong types', () => {
  it('are errors naming the expected type and what was found, and every one is reported', () => {
    const r = parse(
      JSON.stringify({
        loadConcurrency: { globalConfig: '5', perNodeConfig: {} },
        loadAffinity: [{ nodeSelector: { matchLabels: { a: 1 } }, storageClass: 5 }, 'x'],
        privilegedFsBackup: 'true',
        podResources: [],
        priorityClassName: false,
      }),
    );
    assert.deepEqual(r.errors, [
      { path: 'loadConcurrency.globalConfig', message: 'expected an integer, got string "5"' },
      { path: 'loadConcurrency.perNodeConfig', message: 'expected a list, got an object' },
      { path: 'loadAffinity[0].nodeSelector.matchLabels.a', message: 'expected a string, got number 1' },
      { path: 'loadAffinity[0].storageClass', message: 'expected a string, got number 5' },
      { path: 'loadAffinity[1]', message: 'expected an object, got string "x"' },
      { path: 'privilegedFsBackup', message: 'expected true or false, got string "true"' },
      { path: 'podResources', message: 'expected an object, got a list' },
      { path: 'priorityClassName', message: 'expected a string, got false' },
    ]);
    assert.deepEqual(r.warnings, []);
  });

  it('do not also produce validation errors for the same value', () => {
    const r = parse('{"loadAffinity": [{"nodeSelector": {"matchExpressions": [{"key": "a", "operator": 1}]}}]}');
    assert.deepEqual(r.errors, [{ path: 'loadAffinity[0].nodeSelector.matchExpressions[0].operator', message: 'expected a string, got number 1' }]);
  });

  it('include Go integer rules: no fraction, no exponent, int64 range', () => {
    const at = (n: string): ConfigReport => parse(`{"loadConcurrency": {"globalConfig": ${n}}}`);
    assert.equal(messageAt(at('1.5').errors, 'loadConcurrency.globalConfig'), 'expected an integer, got number 1.5 (Velero reads integer fields without fraction or exponent)');
    assert.match(messageAt(at('1e3').errors, 'loadConcurrency.globalConfig'), /got number 1e3 \(Velero reads integer fields without fraction or exponent\)/);
    assert.match(messageAt(at('2.0').errors, 'loadConcurrency.globalConfig'), /got number 2\.0/);
    assert.equal(messageAt(at('9223372036854775808').errors, 'loadConcurrency.globalConfig'), 'expected an integer, got number 9223372036854775808, which is out of the 64-bit integer range');
    assert.equal(at('9223372036854775807').errors.length, 0);
    assert.equal(at('-9223372036854775808').errors.length, 0);
    assert.equal(at('-0').config?.loadConcurrency?.globalConfig, 0);
  });

  it('at the top level make the document unusable', () => {
    for (const [text, got] of [['[]', 'a list'], ['"x"', 'string "x"'], ['5', 'number 5']]) {
      const r = parse(text ?? '');
      assert.equal(r.config, undefined);
      assert.deepEqual(r.errors, [{ path: '$', message: `expected a JSON object (the node-agent configuration), got ${got ?? ''}` }]);
    }
  });
});

describe('syntax errors', () => {
  it('leave no config and carry line and column', () => {
    const r = parse('{\n  "loadAffinity": [\n    {"nodeSelector": {}},\n  ]\n}');
    assert.equal(r.config, undefined);
    assert.deepEqual(r.errors, [{ path: '$', message: "invalid character ']' looking for beginning of value at line 4, column 3 (remove the trailing comma)" }]);
  });
});
