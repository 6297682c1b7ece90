/**
 * `ferry install` as the seed document describes it, on the seed's five nodes: a missing or invalid ConfigMap stops
 * it before anything is created; the sample saved to a file, `kubectl create cm --from-file`, then
 * `ferry install --node-agent-configmap=node-agent-config`; `velero install`'s storage flags create the credentials
 * Secret and the `default` BackupStorageLocation once, and an existing default one (Velero's `primary`) is used as
 * is; the ServiceAccount reads Secrets only in its namespace; a re-run keeps the DaemonSet's ConfigMap. On a fresh
 * cluster with running node-agents, the GitOps route of docs/packaging.md: `--crds-only --dry-run` applied first,
 * then `--dry-run -o yaml` passes `kubectl apply --dry-run=server` and applied gives Ready node-agents. The
 * `kubectl edit ds` route needs running node-agents: config-lifecycle.test.ts drives it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackupStorageLocation } from '../../src/kube/crds.js';
import type { DaemonSet, Secret } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { eventually, kubectlSkip, nodeAgentPods, NS, ok, startE2e, type E2e } from './harness.js';

const skip = kubectlSkip();
const SEED_SAMPLE = fileURLToPath(new URL('../fixtures/config/seed-sample.json', import.meta.url));
const INVALID = fileURLToPath(new URL('../fixtures/config/invalid.json', import.meta.url));

describe('ferry install (e2e)', { skip, timeout: 300_000 }, () => {
  let e2e: E2e;
  let dir: string;
  const nothingCreated = async (): Promise<void> => {
    assert.equal(await e2e.client.find(R.daemonSets, { namespace: NS, name: 'ferry-node-agent' }), undefined);
    assert.equal(await e2e.client.find(R.customResourceDefinitions, { name: 'datauploads.velero.io' }), undefined);
    assert.equal(await e2e.client.find(R.serviceAccounts, { namespace: NS, name: 'ferry' }), undefined);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-install-e2e-'));
    e2e = await startE2e({ kubelets: false });
  });
  after(async () => {
    await e2e.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing or invalid ConfigMap stops install before anything is created; an empty --image is a usage error', async () => {
    const missing = await e2e.ferry(['install', '--node-agent-configmap=node-agent-config']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: ConfigMap node-agent-config given to --node-agent-configmap does not exist in namespace velero; nothing was changed\nhint: create it first: kubectl create cm node-agent-config -n velero --from-file=<config\.json>/m);
    assert.doesNotMatch(missing.stderr, /node agent configs|remove --node-agent-configmap/);
    ok(await e2e.kubectl.run(['create', 'namespace', NS]), 'kubectl create namespace');
    ok(await e2e.kubectl.run(['create', 'cm', 'node-agent-config', '-n', NS, `--from-file=${INVALID}`]), 'kubectl create cm');
    const invalid = await e2e.ferry(['install', '--node-agent-configmap=node-agent-config']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^error: ConfigMap velero\/node-agent-config given to --node-agent-configmap is invalid \(2 errors, 1 warning\); nothing was changed:\nerror: .*\nerror: .*\nwarning: loadAfinity: unknown key/m);
    assert.doesNotMatch(invalid.stderr, /remove --node-agent-configmap/);
    const noImage = await e2e.ferry(['install', '--image', '']);
    assert.equal(noImage.code, 2);
    assert.match(noImage.stderr, /^error: --image must name an image$/m);
    await nothingCreated();
    ok(await e2e.kubectl.run(['delete', 'cm', 'node-agent-config', '-n', NS]), 'kubectl delete cm');
  });

  it('the seed\'s steps literally; --dry-run -o json lists what install creates, and creates nothing', async () => {
    const sample = join(dir, 'node-agent-config.json');
    await copyFile(SEED_SAMPLE, sample);
    ok(await e2e.kubectl.run(['create', 'cm', 'node-agent-config', '-n', NS, `--from-file=${sample}`]), 'kubectl create cm');
    const creds = join(dir, 'credentials');
    await writeFile(creds, '[default]\naws_access_key_id=a\naws_secret_access_key=b\n');
    const flags = [
      '--node-agent-configmap=node-agent-config',
      '--node-agent-pod-cpu-request=100m',
      '--node-agent-pod-mem-limit=1Gi',
      '--tolerations=dedicated=backup:NoSchedule,gpu',
      '--provider=aws',
      '--bucket=backups',
      '--prefix=cluster-a',
      '--backup-location-config=region=us-east-1,s3Url=http://127.0.0.1:1,s3ForcePathStyle=true',
      `--secret-file=${creds}`,
    ];
    const dry = await e2e.ferry(['install', ...flags, '--dry-run', '-o', 'json']);
    const list = JSON.parse(ok(dry, 'ferry install --dry-run -o json')) as { kind: string; items: { kind: string }[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((i) => i.kind).slice(3), ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Secret', 'Secret', 'BackupStorageLocation', 'DaemonSet']);
    assert.match(dry.stderr, /^note: 1 object already exists and is not printed \(namespace\/velero\): this is not a complete manifest set; run against a cluster without Ferry for one$/m);
    await nothingCreated();

    const out = ok(await e2e.ferry(['install', ...flags]), 'ferry install');
    assert.match(out, /^backupstoragelocation\/default created$/m);
    const args = ok(await e2e.kubectl.run(['get', 'ds', 'ferry-node-agent', '-n', NS, '-o', 'jsonpath={.spec.template.spec.containers[0].args}']), 'kubectl get ds');
    assert.ok((JSON.parse(args) as string[]).includes('--node-agent-configmap=node-agent-config'), args);
    const ds = await e2e.client.get<DaemonSet>(R.daemonSets, { namespace: NS, name: 'ferry-node-agent' });
    const podSpec = ds.spec?.template.spec;
    assert.deepEqual(podSpec?.containers[0]?.resources, { requests: { cpu: '100m' }, limits: { memory: '1Gi' } });
    assert.deepEqual(podSpec.tolerations, [
      { key: 'dedicated', operator: 'Equal', value: 'backup', effect: 'NoSchedule' },
      { key: 'gpu', operator: 'Exists' },
    ]);
    const bsl = await e2e.client.get<BackupStorageLocation>(R.backupStorageLocations, { namespace: NS, name: 'default' });
    assert.deepEqual(bsl.spec.objectStorage, { bucket: 'backups', prefix: 'cluster-a' });
    assert.deepEqual(bsl.spec.config, { region: 'us-east-1', s3Url: 'http://127.0.0.1:1', s3ForcePathStyle: 'true' });
    assert.deepEqual(bsl.spec.credential, { name: 'cloud-credentials', key: 'cloud' });
    const secret = await e2e.client.get<Secret>(R.secrets, { namespace: NS, name: 'cloud-credentials' });
    assert.match(Buffer.from(secret.data?.cloud ?? '', 'base64').toString(), /aws_access_key_id=a/);

    const again = ok(await e2e.ferry(['install', ...flags]), 'ferry install again');
    assert.doesNotMatch(again, / (created|configured)$/m, 'idempotent');
    assert.match(ok(await e2e.ferry(['install', ...flags.filter((f) => !f.startsWith('--bucket')), '--bucket=other']), 'install, other bucket'), /^backupstoragelocation\/default kept$/m);
    const dryAgain = await e2e.ferry(['install', ...flags, '--dry-run']);
    ok(await e2e.kubectl.run(['apply', '--dry-run=server', '-f', '-'], { input: ok(dryAgain, 'dry run after install') }), 'kubectl apply --dry-run=server after install');
    assert.doesNotMatch(dryAgain.stdout, /kind: (CustomResourceDefinition|BackupStorageLocation|Secret)/, 'objects that exist and are kept are not re-applied');
    assert.match(
      dryAgain.stderr,
      /^note: 7 objects already exist and are not printed \(customresourcedefinition\/datauploads\.velero\.io, .*, secret\/ferry-repository, backupstoragelocation\/default\): this is not a complete manifest set; run against a cluster without Ferry for one$/m,
    );
  });

  it('the ServiceAccount reads Secrets only in the install namespace; elsewhere it only reads the workload\'s PVCs and VolumeSnapshots', async () => {
    const can = async (...args: string[]): Promise<string> => (await e2e.kubectl.run(['auth', 'can-i', ...args, '--as=system:serviceaccount:velero:ferry'])).stdout.trim();
    const answers: Record<string, string> = {};
    for (const q of [
      'get secrets -n velero',
      'get secrets -n default',
      'get configmaps -n kube-system',
      'list pods -n velero',
      'list pods -n default',
      'create pods -n default',
      'get persistentvolumeclaims -n default',
      'create persistentvolumeclaims -n velero',
      'create persistentvolumeclaims -n default',
      'get volumesnapshots.snapshot.storage.k8s.io -n default',
      'create volumesnapshots.snapshot.storage.k8s.io -n default',
      'watch datauploads.velero.io -n velero',
      'watch datauploads.velero.io -n default',
      'list nodes',
      'create volumesnapshotcontents.snapshot.storage.k8s.io',
    ]) {
      answers[q] = await can(...q.split(' '));
    }
    assert.deepEqual(answers, {
      'get secrets -n velero': 'yes',
      'get secrets -n default': 'no',
      'get configmaps -n kube-system': 'no',
      'list pods -n velero': 'yes',
      'list pods -n default': 'no',
      'create pods -n default': 'no',
      'get persistentvolumeclaims -n default': 'yes',
      'create persistentvolumeclaims -n velero': 'yes',
      'create persistentvolumeclaims -n default': 'no',
      'get volumesnapshots.snapshot.storage.k8s.io -n default': 'yes',
      'create volumesnapshots.snapshot.storage.k8s.io -n default': 'no',
      'watch datauploads.velero.io -n velero': 'yes',
      'watch datauploads.velero.io -n default': 'no',
      'list nodes': 'yes',
      'create volumesnapshotcontents.snapshot.storage.k8s.io': 'yes',
    });
  });

  it('a re-run without --node-agent-configmap keeps the DaemonSet\'s, and says so; an empty value drops it', async () => {
    const args = async (): Promise<string[]> =>
      JSON.parse(ok(await e2e.kubectl.run(['get', 'ds', 'ferry-node-agent', '-n', NS, '-o', 'jsonpath={.spec.template.spec.containers[0].args}']), 'kubectl get ds')) as string[];
    const rerun = await e2e.ferry(['install', '--image', 'ferry/ferry:rerun']);
    ok(rerun, 'ferry install --image');
    assert.match(rerun.stderr, /^note: keeping --node-agent-configmap=node-agent-config from the running DaemonSet; pass --node-agent-configmap= to drop it$/m);
    assert.deepEqual(await args(), ['node-agent', 'server', '--node-agent-configmap=node-agent-config']);
    ok(await e2e.ferry(['install', '--node-agent-configmap=']), 'ferry install --node-agent-configmap=');
    assert.deepEqual(await args(), ['node-agent', 'server']);
    ok(await e2e.ferry(['install', '--node-agent-configmap=node-agent-config']), 'ferry install --node-agent-configmap');
  });

  it('an existing BackupStorageLocation marked default (Velero\'s primary) is used as is: no second default', async () => {
    ok(await e2e.kubectl.run(['create', 'namespace', 'team']), 'kubectl create namespace');
    const primary = { apiVersion: 'velero.io/v1', kind: 'BackupStorageLocation', metadata: { name: 'primary', namespace: 'team' }, spec: { provider: 'aws', default: true, objectStorage: { bucket: 'velero' } } };
    ok(await e2e.kubectl.run(['apply', '-f', '-'], { input: JSON.stringify(primary) }), 'kubectl apply bsl');
    const dry = await e2e.ferry(['install', '-n', 'team', '--provider=aws', '--bucket=other', '--dry-run', '-o', 'json']);
    const kinds = (JSON.parse(ok(dry, 'ferry install -n team --dry-run')) as { items: { kind: string }[] }).items.map((i) => i.kind);
    assert.ok(!kinds.includes('BackupStorageLocation'), kinds.join(', '));
    assert.match(dry.stderr, /^note: BackupStorageLocation "primary" \(spec\.default\) is the default in team and is used as it is; --provider\/--bucket\/… are ignored$/m);
    assert.match(dry.stderr, /backupstoragelocation\/primary\)/);
  });

  it('ferry uninstall removes what install created, keeps the CRDs and, unless asked, the repository password', async () => {
    const out = ok(await e2e.ferry(['uninstall']), 'ferry uninstall');
    for (const line of [
      'daemonset/ferry-node-agent deleted',
      'clusterrolebinding/ferry-velero deleted',
      'clusterrole/ferry-velero deleted',
      'rolebinding/ferry deleted',
      'role/ferry deleted',
      'serviceaccount/ferry deleted',
      'backupstoragelocation/default deleted',
      'secret/cloud-credentials deleted',
      'secret/ferry-repository kept',
    ]) {
      assert.match(out, new RegExp(`^${line}$`, 'm'));
    }
    assert.equal(await e2e.client.find(R.roles, { namespace: NS, name: 'ferry' }), undefined);
    assert.equal(await e2e.client.find(R.roleBindings, { namespace: NS, name: 'ferry' }), undefined);
    assert.equal(await e2e.client.find(R.daemonSets, { namespace: NS, name: 'ferry-node-agent' }), undefined);
    assert.equal(await e2e.client.find(R.backupStorageLocations, { namespace: NS, name: 'default' }), undefined);
    assert.notEqual(await e2e.client.find(R.customResourceDefinitions, { name: 'datauploads.velero.io' }), undefined);
    assert.notEqual(await e2e.client.find(R.secrets, { namespace: NS, name: 'ferry-repository' }), undefined);
    assert.notEqual(await e2e.client.find(R.configMaps, { namespace: NS, name: 'node-agent-config' }), undefined, 'the user\'s ConfigMap stays');
    assert.match(ok(await e2e.ferry(['uninstall', '--delete-repository-password']), 'ferry uninstall again'), /^secret\/ferry-repository deleted$/m);
    assert.equal(await e2e.client.find(R.secrets, { namespace: NS, name: 'ferry-repository' }), undefined);
    assert.equal(ok(await e2e.ferry(['uninstall', '-n', 'nosuchns']), 'ferry uninstall -n nosuchns'), 'Ferry is not installed in namespace nosuchns: nothing to uninstall.\n');
  });
});

describe('the GitOps route of docs/packaging.md on a fresh cluster (e2e)', { skip, timeout: 300_000 }, () => {
  let e2e: E2e;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-gitops-e2e-'));
    e2e = await startE2e({ nodes: 2 });
  });
  after(async () => {
    await e2e.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('CRDs applied first, then the rest passes kubectl apply --dry-run=server, and applied runs Ready node-agents', async () => {
    const sample = join(dir, 'node-agent-config.json');
    await copyFile(SEED_SAMPLE, sample);
    const credentials = join(dir, 'credentials');
    await writeFile(credentials, '[default]\naws_access_key_id=a\naws_secret_access_key=b\n');
    const crds = join(dir, 'crds.yaml');
    const manifests = join(dir, 'install.yaml');
    const installFlags = ['--node-agent-configmap=node-agent-config', '--provider', 'aws', '--bucket', 'backups', '--backup-location-config', 'region=eu-west-1', '--secret-file', credentials];

    // As docs/packaging.md: idempotent, since a local cluster already has the namespace (its object store's).
    const namespace = ok(await e2e.kubectl.run(['create', 'namespace', NS, '--dry-run=client', '-o', 'yaml']), 'kubectl create namespace --dry-run=client');
    ok(await e2e.kubectl.run(['apply', '-f', '-'], { input: namespace }), 'kubectl apply namespace');
    ok(await e2e.kubectl.run(['apply', '-f', '-'], { input: namespace }), 'kubectl apply namespace again');
    ok(await e2e.kubectl.run(['create', 'cm', 'node-agent-config', '-n', NS, `--from-file=${sample}`]), 'kubectl create cm');
    // Why the CRDs come first: before they are established the server does not know a BackupStorageLocation.
    const allAtOnce = ok(await e2e.ferry(['install', '--dry-run', '-o', 'yaml', ...installFlags]), 'ferry install --dry-run (no CRDs yet)');
    assert.match(allAtOnce, /^kind: BackupStorageLocation$/m);
    assert.notEqual((await e2e.kubectl.run(['apply', '--dry-run=server', '-f', '-'], { input: allAtOnce })).code, 0, 'the BackupStorageLocation cannot be checked before its CRD exists');

    const crdsOnly = await e2e.ferry(['install', '--crds-only', '--dry-run', '-o', 'yaml']);
    await writeFile(crds, ok(crdsOnly, 'ferry install --crds-only --dry-run -o yaml'));
    assert.deepEqual([...crdsOnly.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]), Array(3).fill('CustomResourceDefinition'));
    assert.equal(crdsOnly.stderr, '', 'nothing left out on a fresh cluster');
    ok(await e2e.kubectl.run(['apply', '-f', crds]), 'kubectl apply -f crds.yaml');
    ok(await e2e.kubectl.run(['wait', '--for', 'condition=established', '-f', crds]), 'kubectl wait --for condition=established');

    const rest = await e2e.ferry(['install', '--dry-run', '-o', 'yaml', ...installFlags]);
    await writeFile(manifests, ok(rest, 'ferry install --dry-run -o yaml'));
    assert.deepEqual([...rest.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]), ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Secret', 'Secret', 'BackupStorageLocation', 'DaemonSet']);
    assert.match(rest.stderr, /^note: 4 objects already exist and are not printed \(customresourcedefinition\/datauploads\.velero\.io, customresourcedefinition\/datadownloads\.velero\.io, customresourcedefinition\/backupstoragelocations\.velero\.io, namespace\/velero\)/m);
    const checked = ok(await e2e.kubectl.run(['apply', '--dry-run=server', '-f', manifests]), 'kubectl apply --dry-run=server -f install.yaml');
    assert.match(checked, /^backupstoragelocation\.velero\.io\/default created \(server dry run\)$/m);
    assert.equal(await e2e.client.find(R.daemonSets, { namespace: NS, name: 'ferry-node-agent' }), undefined, 'a dry run creates nothing');

    ok(await e2e.kubectl.run(['apply', '-f', manifests]), 'kubectl apply -f install.yaml');
    ok(await e2e.kubectl.run(['rollout', 'status', 'ds/ferry-node-agent', '-n', NS], { timeoutMs: 120_000 }), 'kubectl rollout status');
    const ready = await eventually('two Ready node-agents', async () => {
      const pods = await nodeAgentPods(e2e.client);
      return pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2 ? pods : undefined;
    }, 60_000);
    assert.equal(ready.length, 2);
    assert.match(await readFile(manifests, 'utf8'), /--node-agent-configmap=node-agent-config/);
  });
});
