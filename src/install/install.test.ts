import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BackupStorageLocation } from '../kube/crds.js';
import type { DaemonSet, Secret } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startTestApiServer, type TestApiServer } from '../kube/testing.js';
import { install, type InstallOptions } from './install.js';

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

  it('refuses an invalid or missing node-agent ConfigMap before changing anything', async () => {
    await configMap('bad', '{"loadAffinity":[{"nodeSelector":{"matchExpressions":[{"key":"zone","operator":"in","values":["a"]}]}}]}');
    await assert.rejects(install(options({ nodeAgentConfigMap: 'bad' })), (err: Error) => {
      assert.match(err.message, /^--node-agent-configmap specified ConfigMap bad is invalid:\nerror: .*loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator/);
      return true;
    });
    await assert.rejects(install(options({ nodeAgentConfigMap: 'absent' })), /ConfigMap absent not found in namespace velero/);
    assert.equal(await api.client.find(R.daemonSets, { namespace: 'velero', name: 'ferry-node-agent' }), undefined);
    assert.equal(await api.client.find(R.customResourceDefinitions, { name: 'datauploads.velero.io' }), undefined);
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
  });
});
