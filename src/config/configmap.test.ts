import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigMap, readConfigMap, type ConfigMapData } from './configmap.js';
import type { ConfigReport } from './types.js';

const NAME = 'node-agent-config';

/** Velero's TestGetConfigs (pkg/nodeagent/node_agent_test.go), one row per case, through the same getter path. */
describe("Velero's TestGetConfigs", () => {
  const read = (get: () => Promise<ConfigMapData | undefined>): Promise<ConfigReport> => readConfigMap(NAME, get, { namespace: 'fake-ns' });
  const onlyError = (r: ConfigReport): string => {
    assert.equal(r.config, undefined);
    assert.equal(r.errors.length, 1);
    return r.errors[0]?.message ?? '';
  };

  it('1: the get fails', async () => {
    const r = await read(() => Promise.reject(new Error('fake-get-error')));
    assert.equal(onlyError(r), 'error to get node agent configs node-agent-config: fake-get-error');
    assert.equal(r.errors[0]?.path, 'data');
  });

  it('2: the ConfigMap has no data', async () => {
    const message = onlyError(await read(() => Promise.resolve({})));
    assert.match(message, /^data is not available in config map node-agent-config; /);
    assert.match(message, /kubectl create cm node-agent-config -n fake-ns --from-file=<config.json>/);
  });

  it('3: the value is not JSON', async () => {
    const r = await read(() => Promise.resolve({ data: { 'fake-key': 'wrong' } }));
    assert.equal(onlyError(r), "error to unmarshall configs from node-agent-config: invalid character 'w' looking for beginning of value at line 1, column 1");
    assert.equal(r.errors[0]?.path, 'data.fake-key');
  });

  it('4: unknown keys give an empty config (and a warning)', async () => {
    const r = await read(() => Promise.resolve({ data: { 'fake-key': '{"someothers":{"someother":10}}' } }));
    assert.deepEqual(r.config, {});
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, [{ path: 'someothers', message: 'unknown key, ignored' }]);
  });

  it('5: globalConfig', async () => {
    const r = await read(() => Promise.resolve({ data: { 'fake-key': '{"loadConcurrency":{"globalConfig":5}}' } }));
    assert.deepEqual(r.config, { loadConcurrency: { globalConfig: 5 } });
    assert.deepEqual([r.errors, r.warnings], [[], []]);
  });

  it('6: priorityClassName', async () => {
    const r = await read(() => Promise.resolve({ data: { 'fake-key': '{"priorityClassName":"high-priority"}' } }));
    assert.deepEqual(r.config, { priorityClassName: 'high-priority' });
  });

  it('7: priorityClassName with loadConcurrency', async () => {
    const r = await read(() => Promise.resolve({ data: { 'fake-key': '{"priorityClassName":"low-priority","loadConcurrency":{"globalConfig":3}}' } }));
    assert.deepEqual(r.config, { priorityClassName: 'low-priority', loadConcurrency: { globalConfig: 3 } });
  });

  it('8: more than one data key', async () => {
    const message = onlyError(await read(() => Promise.resolve({ data: { 'fake-key-1': '{}', 'fake-key-2': '{}' } })));
    assert.match(message, /^more than one keys are found in ConfigMap node-agent-config's data\. only expect one \(found "fake-key-1", "fake-key-2"\); /);
  });
});

/** The parsing facts of Velero's Test_getDataPathConfigs: a failed get names the ConfigMap and the cause; configs are kept. */
describe("Velero's Test_getDataPathConfigs", () => {
  it('reports a not-found error from the getter with the ConfigMap name', async () => {
    const r = await readConfigMap(NAME, () => Promise.reject(new Error('fake-not-found-error')));
    assert.equal(r.errors[0]?.message, 'error to get node agent configs node-agent-config: fake-not-found-error');
  });

  it('keeps the configs it read', async () => {
    const r = await readConfigMap(NAME, () => Promise.resolve({ data: { any: '{"loadAffinity":[{"nodeSelector":{"matchLabels":{"a":"b"}}}]}' } }));
    assert.deepEqual(r.config, { loadAffinity: [{ nodeSelector: { matchLabels: { a: 'b' } } }] });
    assert.equal(r.source, 'ConfigMap node-agent-config');
  });
});

describe('parseConfigMap', () => {
  it('reports a missing ConfigMap with how to create it', () => {
    const r = parseConfigMap(undefined, 'ferry-config', { namespace: 'velero' });
    assert.equal(r.source, 'ConfigMap velero/ferry-config');
    assert.deepEqual(r.errors, [
      {
        path: 'data',
        message:
          'error to get node agent configs ferry-config: ConfigMap ferry-config not found in namespace velero; create it with `kubectl create cm ferry-config -n velero --from-file=<config.json>` or remove --node-agent-configmap from the node-agent',
      },
    ]);
    assert.match(parseConfigMap(undefined, 'x').errors[0]?.message ?? '', /-n <namespace>/);
  });

  it('treats empty data like no data, and says when only binaryData is there', () => {
    assert.match(parseConfigMap({ data: {} }, NAME).errors[0]?.message ?? '', /^data is not available in config map node-agent-config;/);
    assert.match(
      parseConfigMap({ binaryData: { 'config.json': 'e30=' } }, NAME).errors[0]?.message ?? '',
      /^data is not available in config map node-agent-config \(it has only binaryData config\.json, which is not read\)/,
    );
  });

  it('reads the single key whatever its name, and warns that binaryData beside it is ignored', () => {
    const r = parseConfigMap({ data: { 'foo.json': '{"loadConcurrency":{"globalConfig":2}}' }, binaryData: { x: '' } }, NAME);
    assert.deepEqual(r.config, { loadConcurrency: { globalConfig: 2 } });
    assert.deepEqual(r.warnings, [{ path: 'binaryData', message: 'ignored: only data is read' }]);
  });

  it('locates document-level problems at the data key and keeps document paths for the rest', () => {
    const r = parseConfigMap({ data: { 'foo.json': '[]' } }, NAME);
    assert.deepEqual(r.errors, [{ path: 'data["foo.json"]', message: 'error to unmarshall configs from node-agent-config: expected a JSON object (the node-agent configuration), got a list' }]);
    const inner = parseConfigMap({ data: { cfg: '{"loadConcurrency":{"globalConfig":"5"}}' } }, NAME);
    assert.deepEqual(inner.errors, [{ path: 'loadConcurrency.globalConfig', message: 'expected an integer, got string "5"' }]);
    assert.ok(inner.config !== undefined);
  });
});
