import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, DaemonSet } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { applyConfig } from './config-apply.js';
import { CONFIG_HASH_ANNOTATION, configHash } from './config-hash.js';
import { configStatus, formatConfigStatus } from './config-get.js';
import { nodeAgentDaemonSet } from './manifests.js';

let api: TestApiServer;
let dir: string;
const lines: string[] = [];

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const apply = (path: string) => applyConfig({ client: api.client, namespace: 'velero', configMap: 'node-agent-config', file: path, log: (l) => lines.push(l) });
const templateHash = async (): Promise<string | undefined> =>
  (await api.client.get<DaemonSet>(R.daemonSets, { namespace: 'velero', name: 'ferry-node-agent' })).spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];

async function nodeAgentPod(node: string, hash: string): Promise<void> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `ferry-node-agent-${node}`, namespace: 'velero', labels: { name: 'ferry-node-agent' }, annotations: { [CONFIG_HASH_ANNOTATION]: hash } }, spec: { nodeName: node, containers: [{ name: 'node-agent', image: 'x' }] } };
  await api.client.create(R.pods, 'velero', pod);
  await api.client.patch(R.pods, { namespace: 'velero', name: pod.metadata.name, subresource: 'status' }, { status: { phase: 'Running' } });
}

describe('ferry config apply / get', () => {
  before(async () => {
    api = await startTestApiServer();
    dir = await mkdtemp(join(tmpdir(), 'ferry-config-'));
    await api.client.create(R.daemonSets, 'velero', nodeAgentDaemonSet({ namespace: 'velero', image: 'ferry/ferry:test', nodeAgentConfigMap: 'node-agent-config' }));
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an invalid file and changes nothing', async () => {
    const bad = await file('bad.json', '{"loadAffinity":[{"nodeSelector":{"matchExpressions":[{"key":"zone","operator":"in","values":["a"]}]}}]}');
    await assert.rejects(apply(bad), /bad\.json is invalid; nothing was changed:\nerror: loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator/);
    assert.equal(await api.client.find(R.configMaps, { namespace: 'velero', name: 'node-agent-config' }), undefined);
    assert.equal(await templateHash(), undefined);
  });

  it('creates the ConfigMap with one key, rolls the node-agents once, and reports which run the live config', async () => {
    const text = '{"loadAffinity":[{"nodeSelector":{"matchLabels":{"zone":"a"}}}]}\n';
    const good = await file('node-agent-config.json', text);
    assert.deepEqual(await apply(good), { configMap: 'created', hash: configHash(text), nodeAgents: 'rolled' });
    const cm = await api.client.get<ConfigMap>(R.configMaps, { namespace: 'velero', name: 'node-agent-config' });
    assert.deepEqual(cm.data, { 'node-agent-config.json': text });
    assert.equal(await templateHash(), configHash(text));
    assert.deepEqual(await apply(good), { configMap: 'unchanged', hash: configHash(text), nodeAgents: 'current' });

    const manifest = await file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  cfg.json: |\n    {"loadAffinity":[{"nodeSelector":{"matchLabels":{"zone":"b"}}}]}\n');
    const next = await apply(manifest);
    assert.equal(next.configMap, 'configured');
    assert.deepEqual(Object.keys((await api.client.get<ConfigMap>(R.configMaps, { namespace: 'velero', name: 'node-agent-config' })).data ?? {}), ['cfg.json'], 'a single data key remains');
    assert.equal(await templateHash(), next.hash);

    await nodeAgentPod('node-1', configHash(text));
    await nodeAgentPod('node-2', next.hash);
    const status = await configStatus(api.client, 'velero', undefined);
    assert.equal(status.configMap, 'node-agent-config', 'found from the DaemonSet args');
    assert.deepEqual(status.nodeAgents.map((a) => [a.node, a.current]), [['node-1', false], ['node-2', true]]);
    assert.match(formatConfigStatus(status, 'velero'), /1 of 2 node-agents run a different config than the live ConfigMap/);
  });
});
