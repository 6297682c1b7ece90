import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, DaemonSet } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { applyConfig } from './config-apply.js';
import { CONFIG_HASH_ANNOTATION, configHash, LOADED_CONFIG_HASH_ANNOTATION, LOADED_CONFIGMAP_ANNOTATION } from './config-hash.js';
import { configStatus, formatConfigStatus, type ConfigStatus, type NodeAgentConfigState } from './config-get.js';
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

/** A running node-agent pod that reported `loaded` (hash and ConfigMap), or nothing yet. */
async function nodeAgentPod(node: string, loaded?: { hash: string; configMap?: string }): Promise<void> {
  const annotations = loaded === undefined ? {} : { [LOADED_CONFIG_HASH_ANNOTATION]: loaded.hash, ...(loaded.configMap === undefined ? {} : { [LOADED_CONFIGMAP_ANNOTATION]: loaded.configMap }) };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `ferry-node-agent-${node}`, namespace: 'velero', labels: { name: 'ferry-node-agent' }, annotations }, spec: { nodeName: node, containers: [{ name: 'node-agent', image: 'x' }] } };
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

  it('refuses an invalid file and changes nothing, listing its errors and warnings', async () => {
    const bad = await file('bad.json', '{"loadAfinity":[],"loadAffinity":[{"nodeSelector":{"matchExpressions":[{"key":"zone","operator":"in","values":["a"]}]}}]}');
    await assert.rejects(apply(bad), /bad\.json is invalid; nothing was changed:\nerror: loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator.*\nwarning: loadAfinity: unknown key, ignored/);
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

    await nodeAgentPod('node-1', { hash: configHash(text), configMap: 'node-agent-config' });
    await nodeAgentPod('node-2', { hash: next.hash, configMap: 'node-agent-config' });
    await nodeAgentPod('node-3', { hash: next.hash, configMap: 'other-config' });
    await nodeAgentPod('node-4');
    const status = await configStatus(api.client, 'velero', undefined);
    assert.equal(status.configMap, 'node-agent-config', 'found from the DaemonSet args');
    assert.deepEqual(
      status.nodeAgents.map((a) => [a.node, a.loadedHash, a.state]),
      [['node-1', configHash(text), 'differs'], ['node-2', next.hash, 'current'], ['node-3', next.hash, 'differs'], ['node-4', null, 'unknown']],
    );
    const text2 = formatConfigStatus(status, 'velero');
    assert.match(text2, /^Node-agents read the config only when they start; each reports what it loaded\.$/m);
    assert.match(text2, new RegExp(`^node-1\tferry-node-agent-node-1\tnode-agent-config ${configHash(text)}\tdiffers$`, 'm'));
    assert.match(text2, /^node-4\tferry-node-agent-node-4\t-\tunknown$/m);
    assert.match(text2, /^2 of 4 node-agents loaded a different config than the live one: restart them to load it: kubectl rollout restart ds\/ferry-node-agent -n velero/m);
    assert.match(text2, /^1 of 4 node-agents have not reported the config they loaded yet/m);
  });
});

describe('ferry config get: the verdict', () => {
  const agent = (node: string, loadedHash: string | null, state: NodeAgentConfigState['state'], loadedConfigMap: string | null = 'cm'): NodeAgentConfigState => ({ pod: `p-${node}`, node, loadedConfigMap, loadedHash, state });
  const base: ConfigStatus = { installed: true, configMap: 'cm', daemonSetConfigMap: 'cm', live: '{}', hash: 'h1', nodeAgents: [agent('node-1', 'h1', 'current')] };

  it('says when every node-agent runs the live config', () => {
    assert.match(formatConfigStatus(base, 'velero'), /^ConfigMap velero\/cm: hash h1\n\{\}\n[\s\S]*^node-1\tp-node-1\tcm h1\tcurrent\n\nevery node-agent runs the live config\n$/m);
  });

  it('without a ConfigMap: node-agents run the defaults, and say so', () => {
    const none: ConfigStatus = { ...base, configMap: null, daemonSetConfigMap: null, live: null, hash: 'none', nodeAgents: [agent('node-1', 'none', 'current', null)] };
    const text = formatConfigStatus(none, 'velero');
    assert.match(text, /^DaemonSet velero\/ferry-node-agent reads no node-agent ConfigMap \(no --node-agent-configmap\): node-agents run the defaults/);
    assert.match(text, /^node-1\tp-node-1\tnone \(defaults\)\tcurrent$/m);
    assert.match(text, /^every node-agent runs the defaults$/m);
  });

  it('a ConfigMap the DaemonSet does not read, one that is missing, and no node-agent running', () => {
    const elsewhere = formatConfigStatus({ ...base, configMap: 'other', nodeAgents: [agent('node-1', 'h1', 'differs')] }, 'velero');
    assert.match(elsewhere, /^note: DaemonSet velero\/ferry-node-agent reads ConfigMap cm, so node-agents will not load this one; to use it: ferry install --node-agent-configmap=other -n velero$/m);
    assert.match(elsewhere, /^1 of 1 node-agents loaded a different config than the live one: a restart will not load it while the DaemonSet does not read it/m);
    const missing = formatConfigStatus({ ...base, live: null, hash: null, nodeAgents: [agent('node-1', 'h1', 'differs')] }, 'velero');
    assert.match(missing, /^ConfigMap velero\/cm: not found$/m);
    assert.match(missing, /^note: DaemonSet velero\/ferry-node-agent reads this ConfigMap and it does not exist: node-agents that start now .* will not start until it is created: ferry config apply -f <config\.json> --configmap cm -n velero$/m);
    assert.match(missing, /create ConfigMap cm first \(ferry config apply -f <config\.json> --configmap cm -n velero\): a node-agent that starts before it exists fails/);
    assert.match(formatConfigStatus({ ...base, nodeAgents: [] }, 'velero'), /^\(no running node-agent\)$/m);
    assert.match(formatConfigStatus({ ...base, installed: false, daemonSetConfigMap: null, nodeAgents: [] }, 'velero'), /^note: no node-agent is installed in namespace velero: ferry install --node-agent-configmap=cm -n velero$/m);
  });

  it('a missing ConfigMap the DaemonSet does not read cannot stop node-agents: create it first, then install', () => {
    const text = formatConfigStatus({ ...base, configMap: 'missing', daemonSetConfigMap: 'node-agent-config', live: null, hash: null, nodeAgents: [agent('node-1', 'h1', 'differs')] }, 'velero');
    assert.match(
      text,
      /^note: DaemonSet velero\/ferry-node-agent reads ConfigMap node-agent-config, so node-agents will not load this one and do not need it; to use it: create it \(ferry config apply -f <config\.json> --configmap missing -n velero\), then ferry install --node-agent-configmap=missing -n velero$/m,
    );
    assert.doesNotMatch(text, /will not start/);
    const none = formatConfigStatus({ ...base, configMap: 'missing', daemonSetConfigMap: null, live: null, hash: null, nodeAgents: [agent('node-1', 'none', 'differs', null)] }, 'velero');
    assert.match(none, /reads no ConfigMap, so node-agents will not load this one and do not need it; to use it: create it/);
    assert.doesNotMatch(none, /will not start/);
    const notInstalled = formatConfigStatus({ ...base, installed: false, configMap: 'missing', daemonSetConfigMap: null, live: null, hash: null, nodeAgents: [] }, 'velero');
    assert.match(notInstalled, /^note: no node-agent is installed in namespace velero: create it \(ferry config apply .*\), then ferry install --node-agent-configmap=missing -n velero$/m);
  });

  it('refuses to guess without a DaemonSet or --configmap', async () => {
    const empty = await startTestApiServer();
    try {
      await assert.rejects(configStatus(empty.client, 'velero', undefined), /no node-agent is installed in namespace velero/);
      const alone = await configStatus(empty.client, 'velero', 'cm');
      assert.deepEqual([alone.installed, alone.hash, alone.nodeAgents], [false, null, []]);
    } finally {
      await empty.close();
    }
  });
});
