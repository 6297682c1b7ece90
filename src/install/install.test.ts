import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BackupStorageLocation } from '../kube/crds.js';
import type { DaemonSet, Secret } from '../kube/models.js';
import { R } from '../kube/resources.js';
import type { FerryError } from '../util/errors.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { dryRunObjects, install, keptObjects, planInstall, type InstallOptions } from './install.js';
import { clusterRoleManifest, roleManifest, type RbacManifest } from './manifests.js';
import { defaultStorageLocation } from './storage.js';

let api: TestApiServer;

function options(overrides: Partial<InstallOptions> = {}): InstallOptions {
  return { client: api.client, namespace: 'velero', image: 'ferry/ferry:test', wait: false, waitTimeoutMs: 1000, log: () => undefined, ...overrides };
}

async function configMap(name: string, json: string): Promise<void> {
  await api.client.create(R.configMaps, 'velero', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'velero' }, data: { 'config.json': json } });
}

const password = async (): Promise<string | undefined> => (await api.client.get<Secret>(R.secrets, { namespace: 'velero', name: 'ferry-repository' })).data?.password;

describe('ferry install', () => {
  before(async () => {
    api = await startTestApiServer({ crds: false });
    await api.client.create(R.configMaps, 'velero', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ferry-local-objectstore', namespace: 'velero' },
      data: { endpoint: 'http://127.0.0.1:9999', bucket: 'ferry', region: 'us-east-1', s3ForcePathStyle: 'true' },
    });
    await api.client.create(R.secrets, 'velero', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ferry-local-objectstore', namespace: 'velero' }, stringData: { cloud: '[default]\n' } });
  });
  after(async () => {
    await api.close();
  });

  it('refuses an invalid or missing node-agent ConfigMap before changing anything, listing errors and warnings', async () => {
    await configMap('bad', '{"loadAfinity":[],"loadAffinity":[{"nodeSelector":{"matchExpressions":[{"key":"zone","operator":"in","values":["a"]}]}}]}');
    await assert.rejects(install(options({ nodeAgentConfigMap: 'bad' })), (err: Error) => {
      assert.match(err.message, /^ConfigMap velero\/bad given to --node-agent-configmap is invalid \(1 error, 1 warning\); nothing was changed:\nerror: .*loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator.*\nwarning: loadAfinity: unknown key/);
      assert.doesNotMatch(err.message, /node-agent configs|remove --node-agent-configmap/);
      return true;
    });
    await assert.rejects(install(options({ nodeAgentConfigMap: 'absent' })), (err: FerryError) => {
      assert.equal(err.message, 'ConfigMap absent given to --node-agent-configmap does not exist in namespace velero; nothing was changed');
      assert.match(err.hint ?? '', /^create it first: kubectl create cm absent -n velero --from-file=<config\.json>/);
      return true;
    });
    assert.equal(await api.client.find(R.daemonSets, { namespace: 'velero', name: 'ferry-node-agent' }), undefined);
    assert.equal(await api.client.find(R.customResourceDefinitions, { name: 'datauploads.velero.io' }), undefined);
  });

  it('--crds-only plans the CRDs alone, without the ConfigMap check', async () => {
    const plan = await planInstall(options({ crdsOnly: true, nodeAgentConfigMap: 'absent' }));
    assert.deepEqual(dryRunObjects(plan).map((m) => m.metadata?.name), ['datauploads.velero.io', 'datadownloads.velero.io', 'backupstoragelocations.velero.io']);
    assert.deepEqual(keptObjects(plan), []);
  });

  it('installs the CRDs, RBAC, password, the local BackupStorageLocation and the DaemonSet, and is idempotent', async () => {
    await configMap('cfg', '{"loadAffinity":[{"nodeSelector":{"matchLabels":{"zone":"a"}}}]}');
    const first = await install(options({ nodeAgentConfigMap: 'cfg', prepareTimeout: '1m0s' }));
    assert.deepEqual(
      first.steps.map((s) => `${s.kind}/${s.name} ${s.action}`),
      [
        'CustomResourceDefinition/datauploads.velero.io created',
        'CustomResourceDefinition/datadownloads.velero.io created',
        'CustomResourceDefinition/backupstoragelocations.velero.io created',
        'Namespace/velero kept',
        'ServiceAccount/ferry created',
        'ClusterRole/ferry-velero created',
        'ClusterRoleBinding/ferry-velero created',
        'Role/ferry created',
        'RoleBinding/ferry created',
        'Secret/ferry-repository created',
        'BackupStorageLocation/default created',
        'DaemonSet/ferry-node-agent created',
      ],
    );
    const ds = await api.client.get<DaemonSet>(R.daemonSets, { namespace: 'velero', name: 'ferry-node-agent' });
    const podSpec = ds.spec!.template.spec!;
    const container = podSpec.containers[0]!;
    assert.deepEqual(container.args, ['node-agent', 'server', '--node-agent-configmap=cfg', '--data-mover-prepare-timeout=1m0s']);
    assert.deepEqual(container.env?.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]), [['NODE_NAME', 'spec.nodeName'], ['VELERO_NAMESPACE', 'metadata.namespace']]);
    assert.equal(podSpec.serviceAccountName, 'ferry');
    const bsl = await api.client.get<BackupStorageLocation>(R.backupStorageLocations, { namespace: 'velero', name: 'default' });
    assert.deepEqual(bsl.spec.config, { region: 'us-east-1', s3ForcePathStyle: 'true', s3Url: 'http://127.0.0.1:9999' });
    assert.deepEqual(bsl.spec.credential, { name: 'ferry-local-objectstore', key: 'cloud' });
    const secret = await password();
    assert.ok(secret !== undefined && Buffer.from(secret, 'base64').length >= 32);

    const again = await install(options({ nodeAgentConfigMap: 'cfg', prepareTimeout: '1m0s' }));
    assert.ok(again.steps.every((s) => s.action === 'kept' || s.action === 'unchanged'), again.steps.map((s) => `${s.kind} ${s.action}`).join(', '));
    assert.equal(await password(), secret, 'the repository password is kept');

    const changed = await install(options({ nodeAgentConfigMap: 'cfg' }));
    assert.equal(changed.steps.find((s) => s.kind === 'DaemonSet')?.action, 'configured');
    const kept = keptObjects(await planInstall(options({ nodeAgentConfigMap: 'cfg' }))).map((p) => `${p.kind}/${p.name}`);
    assert.deepEqual(kept.slice(3), ['Namespace/velero', 'ServiceAccount/ferry', 'Secret/ferry-repository', 'BackupStorageLocation/default'], 'what --dry-run leaves out');
  });

  it('a re-run without --node-agent-configmap keeps the one the DaemonSet reads (also when added by hand); an empty value drops it', async () => {
    const args = async (): Promise<string[] | undefined> => (await api.client.get<DaemonSet>(R.daemonSets, { namespace: 'velero', name: 'ferry-node-agent' })).spec?.template.spec?.containers[0]?.args;
    const log: string[] = [];
    await install(options({ image: 'ferry/ferry:other', log: (l) => log.push(l) }));
    assert.deepEqual(await args(), ['node-agent', 'server', '--node-agent-configmap=cfg']);
    assert.ok(log.includes('note: keeping --node-agent-configmap=cfg from the running DaemonSet; pass --node-agent-configmap= to drop it'), log.join('\n'));
    await install(options({ nodeAgentConfigMap: '' }));
    assert.deepEqual(await args(), ['node-agent', 'server']);
    // `kubectl edit ds` may add it as two arguments.
    const ds = await api.client.get<DaemonSet>(R.daemonSets, { namespace: 'velero', name: 'ferry-node-agent' });
    ds.spec?.template.spec?.containers[0]?.args?.push('--node-agent-configmap', 'bad');
    await api.client.replace(R.daemonSets, { namespace: 'velero', name: 'ferry-node-agent' }, ds);
    await assert.rejects(install(options()), /ConfigMap velero\/bad given to --node-agent-configmap is invalid/, 'the kept ConfigMap is checked as usual');
  });
});

describe('ferry install: the default BackupStorageLocation', () => {
  const bsl = (name: string, isDefault: boolean): object => ({
    apiVersion: 'velero.io/v1',
    kind: 'BackupStorageLocation',
    metadata: { name, namespace: 'velero' },
    spec: { provider: 'aws', objectStorage: { bucket: name }, default: isDefault },
  });
  before(async () => {
    api = await startTestApiServer();
  });
  after(async () => {
    await api.close();
  });

  it('uses one marked spec.default (e.g. Velero\'s) as is, and backups default to it; else one named default', async () => {
    assert.equal(await defaultStorageLocation(api.client, 'velero'), undefined);
    await api.client.create(R.backupStorageLocations, 'velero', bsl('default', false));
    assert.deepEqual(await defaultStorageLocation(api.client, 'velero').then((d) => [d?.name, d?.marked]), ['default', false]);
    await api.client.create(R.backupStorageLocations, 'velero', bsl('primary', true));
    await api.client.create(R.backupStorageLocations, 'velero', bsl('secondary', true));
    assert.deepEqual(await defaultStorageLocation(api.client, 'velero').then((d) => [d?.name, d?.marked]), ['primary', true], 'the first marked one by name');
    await api.client.delete(R.backupStorageLocations, { namespace: 'velero', name: 'default' });

    const log: string[] = [];
    const plan = await planInstall(options({ storage: { provider: 'aws', bucket: 'b' }, log: (l) => log.push(l) }));
    assert.deepEqual(plan.filter((p) => p.kind === 'BackupStorageLocation').map((p) => [p.name, p.manifest]), [['primary', undefined]]);
    assert.ok(!dryRunObjects(plan).some((m) => (m as { kind?: string }).kind === 'BackupStorageLocation'), 'no second default location');
    assert.ok(log.includes('note: BackupStorageLocation "primary" (spec.default) is the default in velero and is used as it is; --provider/--bucket/… are ignored'), log.join('\n'));
  });
});

describe('ferry install: RBAC', () => {
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const rules = (m: RbacManifest): Rule[] => m['rules'] as Rule[];
  const granted = (list: Rule[], resource: string): string[] => list.filter((r) => r.resources.includes(resource)).flatMap((r) => r.verbs);

  it('grants cluster-wide only cluster-scoped objects and reads of the workload\'s PVCs and VolumeSnapshots', () => {
    const cluster = rules(clusterRoleManifest('velero'));
    for (const namespacedOnly of ['pods', 'secrets', 'configmaps', 'daemonsets', 'leases', 'datauploads', 'datadownloads', 'backupstoragelocations']) {
      assert.deepEqual(granted(cluster, namespacedOnly), [], `${namespacedOnly} must not be granted cluster-wide`);
    }
    assert.deepEqual(granted(cluster, 'persistentvolumeclaims'), ['get']);
    assert.deepEqual(granted(cluster, 'volumesnapshots'), ['get']);
    const role = roleManifest('velero');
    assert.equal(role.metadata.namespace, 'velero');
    assert.deepEqual(granted(rules(role), 'secrets'), ['get']);
    assert.deepEqual(granted(rules(role), 'persistentvolumeclaims'), ['create', 'delete']);
    assert.deepEqual(granted(rules(role), 'nodes'), []);
  });
});
