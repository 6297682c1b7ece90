/**
 * The configuration lifecycle on the seed's five nodes: `ferry config apply` creates the node-agent ConfigMap,
 * `ferry install` reads it, a new rule applied with `ferry config apply` moves the next backup to the newly allowed
 * node with no manual restart, `ferry config get` tells which config each node-agent runs, and an invalid file
 * changes nothing in the cluster.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_HASH_ANNOTATION, waitForNodeAgents } from '../../src/install/index.js';
import type { ConfigMap, DaemonSet } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { eventually, kubectlSkip, NS, ok, startE2e, type E2e } from './harness.js';
import { dataUploadOf, filledVolume, storageClass } from './volumes.js';

const skip = kubectlSkip();

const onlyNode = (node: string): string => JSON.stringify({ loadAffinity: [{ nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] } }] });

describe('ferry config apply / get (e2e)', { skip, timeout: 300_000 }, () => {
  let e2e: E2e;
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const templateHash = async (): Promise<string | undefined> =>
    (await e2e.client.get<DaemonSet>(R.daemonSets, { namespace: NS, name: 'ferry-node-agent' })).spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
  const backupNode = async (name: string): Promise<string | undefined> => {
    await filledVolume(e2e, 'app', name, 'sc');
    ok(await e2e.ferry(['backup', 'create', name, '--pvc', `app/${name}`, '--wait']), `ferry backup create ${name}`);
    return (await dataUploadOf(e2e, name)).status?.node;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-config-e2e-'));
    e2e = await startE2e({ storage: { topology: 'none' }, objectStore: true });
    await storageClass(e2e, 'sc');
  });
  after(async () => {
    await e2e.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a rule applied with ferry config apply moves the next backup, with no manual restart', async () => {
    const created = ok(await e2e.ferry(['config', 'apply', '-f', await file('node-agent-config.json', onlyNode('node-3')), '--configmap', 'node-agent-config']), 'config apply');
    assert.match(created, /^configmap\/node-agent-config created/m);
    assert.match(created, /no node-agent is installed/);
    ok(await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config', '--wait']), 'ferry install');
    assert.equal(await backupNode('first'), 'node-3');

    const applied = ok(await e2e.ferry(['config', 'apply', '-f', await file('node-agent-config.json', onlyNode('node-5')), '--configmap', 'node-agent-config']), 'config apply');
    assert.match(applied, /^configmap\/node-agent-config configured/m);
    assert.match(applied, /node-agents are restarting/);
    await eventually('the node-agents to carry the new config hash', async () => {
      const get = JSON.parse(ok(await e2e.ferry(['config', 'get', '-o', 'json']), 'config get')) as { nodeAgents: { current: boolean }[] };
      return get.nodeAgents.length === 5 && get.nodeAgents.every((a) => a.current) ? true : undefined;
    }, 120_000);
    await waitForNodeAgents(e2e.client, NS, 120_000);
    assert.match(ok(await e2e.ferry(['config', 'get']), 'config get'), /every node-agent runs the live config/);
    assert.equal(await backupNode('second'), 'node-5');
  });

  it('ferry affinity explain without --nodes reads the live cluster: config, node-agents, cordons', async () => {
    ok(await e2e.kubectl.run(['cordon', 'node-5']), 'kubectl cordon');
    ok(await e2e.kubectl.run(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'zonal' }, provisioner: 'hostpath.csi.ferry.dev', volumeBindingMode: 'WaitForFirstConsumer' }) }), 'kubectl apply sc');
    const json = JSON.parse(ok(await e2e.ferry(['affinity', 'explain', '-o', 'json', '--storage-class', 'zonal']), 'affinity explain')) as {
      configMap: string;
      nodeAgentNodes: string[];
      classes: { storageClass: string; storageClassInfo: string; nodes: { name: string; eligible: boolean; reasons: string[] }[] }[];
    };
    assert.equal(json.configMap, 'node-agent-config');
    assert.equal(json.nodeAgentNodes.length, 5);
    const answer = json.classes[0];
    assert.ok(answer !== undefined);
    assert.match(answer.storageClassInfo, /volumeBindingMode WaitForFirstConsumer/);
    assert.deepEqual(answer.nodes.filter((n) => n.eligible).map((n) => n.name), [], 'node-5, the only allowed node, is cordoned');
    assert.ok(answer.nodes.find((n) => n.name === 'node-5')?.reasons.some((r) => /unschedulable|cordon/i.test(r)), JSON.stringify(answer.nodes));
    const text = ok(await e2e.ferry(['affinity', 'explain']), 'affinity explain (text)');
    assert.match(text, /^node-agents Ready on: node-1, node-2, node-3, node-4, node-5/m);
    ok(await e2e.kubectl.run(['uncordon', 'node-5']), 'kubectl uncordon');
  });

  it('an invalid file changes nothing in the cluster', async () => {
    const before = await e2e.client.get<ConfigMap>(R.configMaps, { namespace: NS, name: 'node-agent-config' });
    const hash = await templateHash();
    const bad = await file('bad.json', '{"loadAffinity":[{"nodeSelector":{"matchExpressions":[{"key":"zone","operator":"in","values":["a"]}]}}]}');
    const refused = await e2e.ferry(['config', 'apply', '-f', bad, '--configmap', 'node-agent-config']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /bad\.json is invalid; nothing was changed/);
    const after = await e2e.client.get<ConfigMap>(R.configMaps, { namespace: NS, name: 'node-agent-config' });
    assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.equal(await templateHash(), hash);
  });
});
