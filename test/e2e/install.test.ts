/**
 * `ferry install` as the seed document describes it, on the seed's five nodes: a missing or invalid ConfigMap stops
 * it before anything is created; the sample saved to a file, `kubectl create cm --from-file`, then
 * `ferry install --node-agent-configmap=node-agent-config`; `--dry-run -o yaml` passes the API server's own dry run;
 * `velero install`'s storage flags create the credentials Secret and the `default` BackupStorageLocation once. The
 * `kubectl edit ds` route needs running node-agents: config-lifecycle.test.ts drives it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackupStorageLocation } from '../../src/kube/crds.js';
import type { DaemonSet, Secret } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { kubectlSkip, NS, ok, startE2e, type E2e } from './harness.js';

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

  it('a missing or invalid ConfigMap stops install before anything is created', async () => {
    const missing = await e2e.ferry(['install', '--node-agent-configmap=node-agent-config']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ConfigMap node-agent-config not found in namespace velero/);
    ok(await e2e.kubectl.run(['create', 'namespace', NS]), 'kubectl create namespace');
    ok(await e2e.kubectl.run(['create', 'cm', 'node-agent-config', '-n', NS, `--from-file=${INVALID}`]), 'kubectl create cm');
    const invalid = await e2e.ferry(['install', '--node-agent-configmap=node-agent-config']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /--node-agent-configmap specified ConfigMap node-agent-config is invalid:\nerror: /);
    await nothingCreated();
    ok(await e2e.kubectl.run(['delete', 'cm', 'node-agent-config', '-n', NS]), 'kubectl delete cm');
  });

  it('the seed\'s steps literally; --dry-run -o yaml passes kubectl apply --dry-run=server and creates nothing', async () => {
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
    const yaml = ok(await e2e.ferry(['install', ...flags, '--dry-run', '-o', 'yaml']), 'ferry install --dry-run -o yaml');
    // The CRDs are not there yet, so the server can check everything but the BackupStorageLocation.
    const withoutBsl = yaml.split(/^---\n/m).filter((doc) => !doc.includes('kind: BackupStorageLocation')).join('---\n');
    assert.ok(withoutBsl.length < yaml.length, 'the BackupStorageLocation is part of the dry run');
    ok(await e2e.kubectl.run(['apply', '--dry-run=server', '-f', '-'], { input: withoutBsl }), 'kubectl apply --dry-run=server');
    const list = JSON.parse(ok(await e2e.ferry(['install', ...flags, '--dry-run', '-o', 'json']), 'ferry install --dry-run -o json')) as { kind: string; items: { kind: string }[] };
    assert.equal(list.kind, 'List');
    assert.deepEqual(list.items.map((i) => i.kind).slice(-4), ['Secret', 'Secret', 'BackupStorageLocation', 'DaemonSet']);
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
    const dryAgain = ok(await e2e.ferry(['install', ...flags, '--dry-run']), 'dry run after install');
    ok(await e2e.kubectl.run(['apply', '--dry-run=server', '-f', '-'], { input: dryAgain }), 'kubectl apply --dry-run=server after install');
    assert.doesNotMatch(dryAgain, /kind: (CustomResourceDefinition|BackupStorageLocation|Secret)/, 'objects that exist and are kept are not re-applied');
  });

  it('ferry uninstall removes what install created, keeps the CRDs and, unless asked, the repository password', async () => {
    const out = ok(await e2e.ferry(['uninstall']), 'ferry uninstall');
    for (const line of ['daemonset/ferry-node-agent deleted', 'clusterrole/ferry-velero deleted', 'serviceaccount/ferry deleted', 'backupstoragelocation/default deleted', 'secret/cloud-credentials deleted', 'secret/ferry-repository kept']) {
      assert.match(out, new RegExp(`^${line}$`, 'm'));
    }
    assert.equal(await e2e.client.find(R.daemonSets, { namespace: NS, name: 'ferry-node-agent' }), undefined);
    assert.equal(await e2e.client.find(R.backupStorageLocations, { namespace: NS, name: 'default' }), undefined);
    assert.notEqual(await e2e.client.find(R.customResourceDefinitions, { name: 'datauploads.velero.io' }), undefined);
    assert.notEqual(await e2e.client.find(R.secrets, { namespace: NS, name: 'ferry-repository' }), undefined);
    assert.notEqual(await e2e.client.find(R.configMaps, { namespace: NS, name: 'node-agent-config' }), undefined, 'the user\'s ConfigMap stays');
    assert.match(ok(await e2e.ferry(['uninstall', '--delete-repository-password']), 'ferry uninstall again'), /^secret\/ferry-repository deleted$/m);
    assert.equal(await e2e.client.find(R.secrets, { namespace: NS, name: 'ferry-repository' }), undefined);
  });
});
