import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryError } from '../util/errors.js';
import { loadConfigFile } from './file.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/config/${name}`, import.meta.url));

const seedConfig = {
  loadAffinity: [
    {
      nodeSelector: {
        matchLabels: { 'beta.kubernetes.io/instance-type': 'Standard_B4ms' },
        matchExpressions: [
          { key: 'kubernetes.io/hostname', values: ['node-1', 'node-2', 'node-3'], operator: 'In' },
          { key: 'xxx/critial-workload', operator: 'DoesNotExist' },
        ],
      },
    },
  ],
};

describe('loadConfigFile', () => {
  let dir = '';
  const write = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the seed's sample exactly as written (4-space indent, a line with trailing spaces) and finds it clean", async () => {
    const text = await readFile(fixture('seed-sample.json'), 'utf8');
    assert.match(text, /\] {10}\n/);
    const r = await loadConfigFile(fixture('seed-sample.json'));
    assert.deepEqual(r.config, seedConfig);
    assert.deepEqual([r.errors, r.warnings], [[], []]);
    assert.equal(r.source, fixture('seed-sample.json'));
  });

  it('reads a ConfigMap manifest in YAML', async () => {
    const r = await loadConfigFile(fixture('node-agent-configmap.yaml'));
    assert.deepEqual(r.config, { ...seedConfig, loadConcurrency: { globalConfig: 2 } });
    assert.deepEqual([r.errors, r.warnings], [[], []]);
    assert.equal(r.source, fixture('node-agent-configmap.yaml'));
  });

  it('reads what `kubectl get cm -o yaml` prints', async () => {
    const r = await loadConfigFile(fixture('kubectl-get-cm.yaml'));
    assert.equal(r.config?.loadAffinity?.[1]?.storageClass, 'zonal-ssd');
    assert.equal(r.config.loadConcurrency?.perNodeConfig?.[0]?.number, 4);
    assert.deepEqual([r.errors, r.warnings], [[], []]);
  });

  it('reads a ConfigMap manifest in JSON and a one-item List', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nac', namespace: 'velero' }, data: { 'c.json': JSON.stringify(seedConfig) } };
    assert.deepEqual((await loadConfigFile(await write('cm.json', JSON.stringify(cm)))).config, seedConfig);
    const list = `apiVersion: v1\nkind: List\nitems:\n- ${JSON.stringify(cm)}\n`;
    assert.deepEqual((await loadConfigFile(await write('list.yaml', list))).config, seedConfig);
  });

  it("applies the ConfigMap rules to a manifest, naming it from metadata", async () => {
    const two = await loadConfigFile(await write('two.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nac\n  namespace: velero\ndata:\n  a: "{}"\n  b: "{}"\n'));
    assert.match(two.errors[0]?.message ?? '', /^more than one keys are found in ConfigMap nac's data\. only expect one .*kubectl create cm nac -n velero/);
    const bad = await loadConfigFile(await write('bad.yaml', 'kind: ConfigMap\nmetadata: {name: nac}\ndata:\n  config.json: |\n    {"loadAffinity": [\n      {"nodeSelector": {}},\n    ]}\n'));
    assert.deepEqual(bad.errors, [
      { path: 'data["config.json"]', message: "error to unmarshall configs from nac: invalid character ']' looking for beginning of value at line 3, column 1 (remove the trailing comma)" },
    ]);
  });

  it('rejects data values that are not strings', async () => {
    const r = await loadConfigFile(await write('num.yaml', 'kind: ConfigMap\nmetadata: {name: nac}\ndata:\n  config:\n    loadAffinity: []\n'));
    assert.equal(r.config, undefined);
    assert.match(r.errors[0]?.message ?? '', /^expected a string, got \{"loadAffinity":\[\]\} \(ConfigMap values are strings/);
    assert.equal(r.errors[0]?.path, 'data.config');
  });

  it('explains YAML that is not a ConfigMap, several ConfigMaps, other kinds and broken YAML', async () => {
    const cases: [string, RegExp][] = [
      ['loadAffinity:\n- nodeSelector: {}\n', /^YAML that is not a ConfigMap manifest: the node-agent config itself must be JSON/],
      ['kind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n', /^2 ConfigMaps \(a, b\) in one file/],
      ['apiVersion: v1\nkind: Secret\n', /^no ConfigMap here \(found kind Secret\)/],
      ['kind: ConfigMap\ndata: [unclosed\n', /^invalid YAML at line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a \]$/],
    ];
    for (const [text, expected] of cases) {
      const r = await loadConfigFile(await write('case.yaml', text));
      assert.equal(r.config, undefined);
      assert.equal(r.errors[0]?.path, '$');
      assert.match(r.errors[0].message, expected, text);
    }
  });

  it('reports JSON syntax errors of a raw config with line and column, also for an empty file', async () => {
    const r = await loadConfigFile(await write('broken.json', '{\n    "loadAffinity": [\n        {"nodeSelector": {"matchLabels": {"a": "b"}}\n    ]\n}\n'));
    assert.deepEqual(r.errors, [{ path: '$', message: "invalid character ']' after object key:value pair at line 4, column 5 (an object is not closed: a '}' is missing before this)" }]);
    const empty = await loadConfigFile(await write('empty.json', ''));
    assert.deepEqual(empty.errors, [{ path: '$', message: 'unexpected end of JSON input at line 1, column 1' }]);
  });

  it('throws a FerryError naming the path when the file cannot be read', async () => {
    const missing = join(dir, 'missing.json');
    await assert.rejects(loadConfigFile(missing), (err: unknown) => err instanceof FerryError && err.code === 'NotFound' && err.message === `cannot read config file ${missing}: no such file`);
    await assert.rejects(loadConfigFile(dir), (err: unknown) => err instanceof FerryError && err.message === `cannot read config file ${dir}: it is a directory`);
  });
});

describe('the documented examples', () => {
  const docs = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

  it('are the fixture files, the seed sample byte for byte, and all validate clean', async () => {
    const blocks = [...(await readFile(docs, 'utf8')).matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    const names = ['seed-sample.json', 'scenario-critical-nodes.json', 'scenario-big-nodes.json', 'scenario-storage.json'];
    assert.equal(blocks.length, names.length);
    for (const [i, name] of names.entries()) {
      assert.equal(blocks[i], await readFile(fixture(name), 'utf8'), name);
      const r = await loadConfigFile(fixture(name));
      assert.deepEqual([r.errors, r.warnings], [[], []], name);
    }
  });
});
