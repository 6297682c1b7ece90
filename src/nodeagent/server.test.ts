import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { configHash, LOADED_CONFIG_HASH_ANNOTATION, LOADED_CONFIGMAP_ANNOTATION } from '../install/config-hash.js';
import type { Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { startNodeAgent, type NodeAgentOptions } from './server.js';

let api: TestApiServer;

/** A logger whose JSON lines the test reads. */
function capture(): { logger: NodeAgentOptions['logger']; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'info', base: null }, stream);
  return { logger, lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function options(logger: NodeAgentOptions['logger'], overrides: Partial<NodeAgentOptions> = {}): NodeAgentOptions {
  return {
    dataMoverName: 'ferry',
    prepareTimeoutMs: 60_000,
    resourceTimeoutMs: 60_000,
    metricsAddress: '127.0.0.1:0',
    kubeconfig: api.kubeconfigPath,
    namespace: 'velero',
    logger,
    env: { NODE_NAME: 'node-1' },
    ...overrides,
  };
}

async function configMap(name: string, data: Record<string, string>): Promise<void> {
  await api.client.create(R.configMaps, 'velero', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'velero' }, data });
}

describe('node-agent start-up', () => {
  before(async () => {
    api = await startTestApiServer();
    await api.client.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', pool: 'big' } } });
  });
  after(async () => {
    await api.close();
  });

  it('needs NODE_NAME', async () => {
    await assert.rejects(startNodeAgent(options(capture().logger, { env: {} })), /NODE_NAME is not set/);
  });

  it('does not start on a missing, ambiguous or invalid ConfigMap, and logs why', async () => {
    const missing = capture();
    await assert.rejects(startNodeAgent(options(missing.logger, { nodeAgentConfigMap: 'nope' })), /error getting node agent configs from configMap nope: error to get node agent configs nope: ConfigMap nope not found in namespace velero/);
    assert.ok(missing.lines().some((l) => l.level === 50 && String(l.msg).includes('ConfigMap nope not found')));

    await configMap('two', { a: '{}', b: '{}' });
    await assert.rejects(startNodeAgent(options(capture().logger, { nodeAgentConfigMap: 'two' })), /more than one keys are found in ConfigMap two's data/);

    await configMap('bad-op', { 'c.json': '{"loadAffinity":[{"nodeSelector":{"matchExpressions":[{"key":"zone","operator":"Equals","values":["a"]}]}}]}' });
    const invalid = capture();
    await assert.rejects(startNodeAgent(options(invalid.logger, { nodeAgentConfigMap: 'bad-op' })), (err: Error & { hint?: string }) => {
      assert.match(err.message, /loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator/);
      assert.match(err.hint ?? '', /kubectl rollout restart ds\/ferry-node-agent -n velero/);
      return true;
    });
    assert.ok(invalid.lines().some((l) => l.level === 50 && l.path === 'loadAffinity[0].nodeSelector.matchExpressions[0].operator'));
  });

  it('logs the effective loadAffinity and its node\'s loadConcurrency once, then runs until stopped', async () => {
    await configMap('good', {
      'c.json': JSON.stringify({
        loadAffinity: [{ nodeSelector: { matchLabels: { pool: 'big' } } }],
        loadConcurrency: { globalConfig: 1, perNodeConfig: [{ nodeSelector: { matchLabels: { pool: 'big' } }, number: 3 }] },
        someUnknownKey: true,
      }),
    });
    const log = capture();
    const agent = await startNodeAgent(options(log.logger, { nodeAgentConfigMap: 'good' }));
    try {
      const lines = log.lines();
      assert.deepEqual(lines.filter((l) => 'loadAffinity' in l).map((l) => l.loadAffinity), [[{ nodeSelector: { matchLabels: { pool: 'big' } } }]]);
      assert.ok(lines.some((l) => l.loadConcurrency === 3));
      assert.ok(lines.some((l) => l.level === 40 && l.path === 'someUnknownKey'), 'warnings are logged');
      assert.equal((await fetch(`http://127.0.0.1:${agent.metricsPort}/healthz`)).status, 200);
      assert.ok(lines.some((l) => l.level === 40 && String(l.msg).includes('config get will show this node-agent\'s config as unknown')), 'no pod of its own to report on');
    } finally {
      await agent.stop();
    }
  });

  it('reports the hash of the config it loaded on its own pod (named by HOSTNAME), and `none` without a ConfigMap', async () => {
    const text = '{"loadConcurrency":{"globalConfig":2}}';
    await configMap('reported', { 'node-agent-config.json': text });
    await api.client.create(R.pods, 'velero', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ferry-node-agent-abcde', namespace: 'velero' }, spec: { nodeName: 'node-1', containers: [{ name: 'node-agent', image: 'x' }] } });
    const annotations = async (): Promise<Record<string, string> | undefined> => (await api.client.get<Pod>(R.pods, { namespace: 'velero', name: 'ferry-node-agent-abcde' })).metadata?.annotations;
    const env = { NODE_NAME: 'node-1', HOSTNAME: 'ferry-node-agent-abcde' };

    const agent = await startNodeAgent(options(capture().logger, { nodeAgentConfigMap: 'reported', env }));
    await agent.stop();
    assert.deepEqual(await annotations(), { [LOADED_CONFIG_HASH_ANNOTATION]: configHash(text), [LOADED_CONFIGMAP_ANNOTATION]: 'reported' });

    const plain = await startNodeAgent(options(capture().logger, { env }));
    await plain.stop();
    assert.deepEqual(await annotations(), { [LOADED_CONFIG_HASH_ANNOTATION]: 'none' });

    const elsewhere = capture();
    const other = await startNodeAgent(options(elsewhere.logger, { nodeAgentConfigMap: 'reported', env: { ...env, NODE_NAME: 'node-2' } }));
    await other.stop();
    assert.deepEqual(await annotations(), { [LOADED_CONFIG_HASH_ANNOTATION]: 'none' }, 'a pod of another node is left alone');
    assert.ok(elsewhere.lines().some((l) => l.level === 40 && l.pod === 'ferry-node-agent-abcde'));
  });
});
