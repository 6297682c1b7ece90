/**
 * The configuration lifecycle on the seed's five nodes, through the CLI and kubectl as users do it: a plain
 * `ferry install` runs the defaults; `kubectl edit ds` adding `--node-agent-configmap` (the seed document's
 * alternative to the install flag) makes the rolled-out node-agents load it, and a later `ferry install --image`
 * keeps it; `ferry config apply` with a new rule moves the next backup with no manual restart (to the
 * BackupStorageLocation marked default, as Velero picks it); an edit made behind Ferry's back (`kubectl replace`)
 * shows as `differs` in `ferry config get` until `kubectl rollout restart`; an invalid file changes nothing in the
 * cluster and its warnings are shown with its errors; `config get` of a missing ConfigMap the DaemonSet does not
 * read gives advice that works. Throughout, `config get` reports what each node-agent says it loaded, not what the
 * pod template asked for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_HASH_ANNOTATION, configHash, type ConfigStatus } from '../../src/install/index.js';
import type { BackupStorageLocation } from '../../src/kube/crds.js';
import type { ConfigMap, DaemonSet } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { eventually, kubectlSkip, NS, ok, startE2e, type E2e } from './harness.js';
import { dataUploadOf, filledVolume, storageClass } from './volumes.js';

const skip = kubectlSkip();
const ROLL_TIMEOUT_MS = 120_000;

const onlyNode = (node: string): string => JSON.stringify({ loadAffinity: [{ nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] } }] });

/** An EDITOR for `kubectl edit`: adds the argument after `- server` in the YAML kubectl hands it, or fails. */
const ADD_ARG_EDITOR = `import { readFileSync, writeFileSync } from 'node:fs';
const [file, arg] = [process.argv[2], process.env.FERRY_E2E_ARG];
const text = readFileSync(file, 'utf8');
const edited = text.replace(/^( *)- server$/m, (line, indent) => line + '\\n' + indent + '- ' + arg);
if (edited === text) { console.error('no "- server" line in ' + file); process.exit(1); }
writeFileSync(file, edited);
`;

describe('ferry config apply / get, kubectl edit (e2e)', { skip, timeout: 420_000 }, () => {
  let e2e: E2e;
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const templateHash = async (): Promise<string | undefined> =>
    (await e2e.client.get<DaemonSet>(R.daemonSets, { namespace: NS, name: 'ferry-node-agent' })).spec?.template.metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
  const configGet = async (): Promise<ConfigStatus> => JSON.parse(ok(await e2e.ferry(['config', 'get', '-o', 'json']), 'config get')) as ConfigStatus;
  /** Waits until the five node-agents running (old ones gone) all report `state`, and returns that status. */
  const allAgents = (state: string, what: string): Promise<ConfigStatus> => {
    let last = '';
    return eventually(
      what,
      async () => {
        const status = await configGet();
        last = status.nodeAgents.map((a) => `${a.node}:${a.state}`).join(' ');
        return status.nodeAgents.length === 5 && status.nodeAgents.every((a) => a.state === state) ? status : undefined;
      },
      ROLL_TIMEOUT_MS,
      () => last,
    );
  };
  const backupNode = async (name: string): Promise<string | undefined> => {
    await filledVolume(e2e, 'app', name, 'sc', { bytes: 10_000 });
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

  it('plain install runs the defaults; kubectl edit ds adding --node-agent-configmap makes the node-agents load it, and a re-run of install keeps it', async () => {
    const created = ok(await e2e.ferry(['config', 'apply', '-f', await file('node-agent-config.json', onlyNode('node-3')), '--configmap', 'node-agent-config']), 'config apply');
    assert.match(created, /^configmap\/node-agent-config created/m);
    assert.match(created, /no node-agent is installed/);
    ok(await e2e.ferry(['install', '--wait']), 'ferry install');
    const defaults = await allAgents('current', 'the node-agents to report the defaults');
    assert.deepEqual([defaults.configMap, defaults.hash, defaults.nodeAgents.map((a) => a.loadedHash)], [null, 'none', Array(5).fill('none')]);
    assert.match(ok(await e2e.ferry(['config', 'get']), 'config get'), /reads no node-agent ConfigMap[\s\S]*^every node-agent runs the defaults$/m);

    const editor = await file('add-arg.mjs', ADD_ARG_EDITOR);
    const edit = await e2e.kubectl.run(['edit', 'ds/ferry-node-agent', '-n', NS], { env: { KUBE_EDITOR: `${process.execPath} ${editor}`, FERRY_E2E_ARG: '--node-agent-configmap=node-agent-config' } });
    assert.match(ok(edit, 'kubectl edit ds'), /daemonset\.apps\/ferry-node-agent edited/);
    const args = ok(await e2e.kubectl.run(['get', 'ds', 'ferry-node-agent', '-n', NS, '-o', 'jsonpath={.spec.template.spec.containers[0].args}']), 'kubectl get ds');
    assert.deepEqual(JSON.parse(args), ['node-agent', 'server', '--node-agent-configmap=node-agent-config']);
    const loaded = await allAgents('current', 'the rolled-out node-agents to report the ConfigMap');
    assert.equal(loaded.configMap, 'node-agent-config');
    assert.ok(loaded.nodeAgents.every((a) => a.loadedConfigMap === 'node-agent-config' && a.loadedHash === configHash(onlyNode('node-3'))));
    assert.equal(await backupNode('first'), 'node-3', 'the only node the loaded config allows');

    // Re-running install to change something else keeps the argument added by hand: the node-agents keep the config.
    const rerun = await e2e.ferry(['install', '--image', 'ferry/ferry:rerun', '--wait']);
    ok(rerun, 'ferry install --image');
    assert.match(rerun.stderr, /^note: keeping --node-agent-configmap=node-agent-config from the running DaemonSet; pass --node-agent-configmap= to drop it$/m);
    const kept = await allAgents('current', 'the node-agents of the new image to report the ConfigMap');
    assert.ok(kept.nodeAgents.every((a) => a.loadedConfigMap === 'node-agent-config' && a.loadedHash === configHash(onlyNode('node-3'))), JSON.stringify(kept.nodeAgents));
    assert.ok(kept.nodeAgents.every((a) => !loaded.nodeAgents.some((l) => l.pod === a.pod)), 'new pods');
  });

  it('a rule applied with ferry config apply moves the next backup, with no manual restart', async () => {
    const applied = ok(await e2e.ferry(['config', 'apply', '-f', await file('node-agent-config.json', onlyNode('node-5')), '--configmap', 'node-agent-config']), 'config apply');
    assert.match(applied, /^configmap\/node-agent-config configured/m);
    assert.match(applied, /node-agents are restarting/);
    const status = await allAgents('current', 'the node-agents to report the new config');
    assert.equal(status.hash, configHash(onlyNode('node-5')));
    assert.match(ok(await e2e.ferry(['config', 'get']), 'config get'), /^every node-agent runs the live config$/m);
    // Velero's rule when a backup names no location: the one marked spec.default, whatever its name.
    const location = await e2e.client.get<BackupStorageLocation>(R.backupStorageLocations, { namespace: NS, name: 'default' });
    const primary = { apiVersion: 'velero.io/v1', kind: 'BackupStorageLocation', metadata: { name: 'primary', namespace: NS }, spec: { ...location.spec, default: true } };
    ok(await e2e.kubectl.run(['apply', '-f', '-'], { input: JSON.stringify(primary) }), 'kubectl apply bsl primary');
    ok(await e2e.kubectl.run(['patch', 'backupstoragelocation', 'default', '-n', NS, '--type=merge', '-p', '{"spec":{"default":false}}']), 'kubectl patch bsl default');
    assert.equal(await backupNode('second'), 'node-5');
    assert.equal((await dataUploadOf(e2e, 'second')).spec.backupStorageLocation, 'primary');
  });

  it('a ConfigMap replaced with kubectl shows as differs until kubectl rollout restart, then as current', async () => {
    // Same rule, other text: the node-agents cannot know until they read it again.
    const text = JSON.stringify({ loadAffinity: [{ nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'node-5' } } }] });
    const path = await file('node-agent-config.json', text);
    const manifest = ok(await e2e.kubectl.run(['create', 'cm', 'node-agent-config', '-n', NS, `--from-file=${path}`, '--dry-run=client', '-o', 'yaml']), 'kubectl create --dry-run');
    ok(await e2e.kubectl.run(['replace', '-f', '-'], { input: manifest }), 'kubectl replace');
    const stale = await configGet();
    assert.equal(stale.hash, configHash(text));
    assert.deepEqual(stale.nodeAgents.map((a) => [a.state, a.loadedHash]), Array(5).fill(['differs', configHash(onlyNode('node-5'))]));
    const said = ok(await e2e.ferry(['config', 'get']), 'config get');
    assert.match(said, /^5 of 5 node-agents loaded a different config than the live one: restart them to load it: kubectl rollout restart ds\/ferry-node-agent -n velero/m);
    assert.match(said, /read the config only when they start/);

    ok(await e2e.kubectl.run(['rollout', 'restart', 'ds/ferry-node-agent', '-n', NS]), 'kubectl rollout restart');
    const restarted = await allAgents('current', 'the restarted node-agents to report the replaced config');
    assert.ok(restarted.nodeAgents.every((a) => a.loadedHash === configHash(text)));
    assert.ok(restarted.nodeAgents.every((a) => !stale.nodeAgents.some((s) => s.pod === a.pod)), 'new pods');
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
    // An entry for one class and a global one: the classes without an entry of their own are answered too.
    const perClass = await file('per-class.json', JSON.stringify({ loadAffinity: [{ storageClass: 'zonal', nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'node-1' } } }, { nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'node-2' } } }] }));
    const classes = (JSON.parse(ok(await e2e.ferry(['affinity', 'explain', '-o', 'json', '--config', perClass]), 'affinity explain --config')) as typeof json).classes;
    const eligible = (sc: string): string[] => (classes.find((c) => c.storageClass === sc)?.nodes ?? []).filter((n) => n.eligible).map((n) => n.name);
    assert.deepEqual(eligible('zonal'), ['node-1']);
    assert.deepEqual(eligible('sc'), ['node-2'], `the global entry answers for sc, which has no entry: ${classes.map((c) => c.storageClass).join(', ')}`);
    const missing = await e2e.ferry(['affinity', 'explain', '--configmap', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: ConfigMap velero\/nosuch not found\nhint: list them with kubectl get cm -n velero/m);
    ok(await e2e.kubectl.run(['uncordon', 'node-5']), 'kubectl uncordon');
  });

  it('an invalid file changes nothing in the cluster', async () => {
    const before = await e2e.client.get<ConfigMap>(R.configMaps, { namespace: NS, name: 'node-agent-config' });
    const hash = await templateHash();
    const bad = await file('bad.json', '{"loadAfinity":[],"loadAffinity":[{"nodeSelector":{"matchExpressions":[{"key":"zone","operator":"in","values":["a"]}]}}]}');
    const refused = await e2e.ferry(['config', 'apply', '-f', bad, '--configmap', 'node-agent-config']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /bad\.json is invalid; nothing was changed:\nerror: loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator: .*\nwarning: loadAfinity: unknown key, ignored/);
    const after = await e2e.client.get<ConfigMap>(R.configMaps, { namespace: NS, name: 'node-agent-config' });
    assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.equal(await templateHash(), hash);
  });

  it('config get of a missing ConfigMap the DaemonSet does not read: harmless to the node-agents, create it before installing with it', async () => {
    const said = ok(await e2e.ferry(['config', 'get', '--configmap', 'missing']), 'config get --configmap missing');
    assert.match(said, /^ConfigMap velero\/missing: not found$/m);
    assert.match(
      said,
      /^note: DaemonSet velero\/ferry-node-agent reads ConfigMap node-agent-config, so node-agents will not load this one and do not need it; to use it: create it \(ferry config apply -f <config\.json> --configmap missing -n velero\), then ferry install --node-agent-configmap=missing -n velero$/m,
    );
    assert.doesNotMatch(said, /will not start|first \(node-agents/);
  });
});
