/**
 * Restore end to end on the seed's five nodes: a PVC is backed up (`ferry backup create --wait`), deleted, and
 * restored (`ferry restore create --from-backup --wait`); the restored PVC's volume holds the same files byte for
 * byte, the restore pod ran where loadAffinity allows (the entry of the target's storage class), nothing the restore
 * made is left, and every DataDownload written is valid for Velero. A WaitForFirstConsumer target follows the
 * workload's node, and without a workload says what it waits for and fails at the prepare timeout with that reason;
 * a class whose entry matches no node fails at the prepare timeout saying so; a cancel leaves nothing behind. The
 * CLI refuses mistakes before creating anything, creates missing target namespaces, warns when nothing claims its
 * DataDownload, and says what happened when the DataDownload is deleted or the wait interrupted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeAgentConfig } from '../../src/config/types.js';
import type { DataDownload, DataUpload } from '../../src/kube/crds.js';
import { Informer } from '../../src/kube/informer.js';
import type { PersistentVolume, PersistentVolumeClaim, Plain, Pod } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { persistentVolumePath } from '../../src/localcluster/storage/paths.js';
import { veleroSchemaErrors } from '../support/velero-schema.js';
import { eventually, kubectlSkip, nodeAgentPods, NS, ok, putConfigMap, startE2e, type E2e } from './harness.js';
import { expectNoLeftovers, filledVolume, storageClass, treeDifferences } from './volumes.js';

const skip = kubectlSkip();
const PREPARE_TIMEOUT_S = 12;

/** Backs up a fresh volume of the class and returns the completed DataUpload's name. */
async function backedUp(e2e: E2e, pvc: string, sc: string): Promise<string> {
  await filledVolume(e2e, 'app', pvc, sc);
  ok(await e2e.ferry(['backup', 'create', `b-${pvc}`, '--pvc', `app/${pvc}`, '--wait']), 'ferry backup create');
  return dataUploadName(e2e, `b-${pvc}`);
}

async function dataUploadName(e2e: E2e, backup: string): Promise<string> {
  const { items } = await e2e.client.list<DataUpload>(R.dataUploads, NS, { labelSelector: `velero.io/backup-name=${backup}` });
  return items[0]?.metadata.name ?? '';
}

async function downloadOf(e2e: E2e, restore: string): Promise<DataDownload> {
  const { items } = await e2e.client.list<DataDownload>(R.dataDownloads, NS, { labelSelector: `velero.io/restore-name=${restore}` });
  const [dd] = items;
  if (dd === undefined) throw new Error(`restore ${restore} has no DataDownload`);
  return dd;
}

/** No restore pod and no restore PVC (nor its volume) is left in the install namespace. */
async function restoreLeftovers(e2e: E2e): Promise<string[]> {
  const pods = (await e2e.client.list<Pod>(R.pods, NS, { labelSelector: 'velero.io/data-download' })).items.map((p) => `pod ${p.metadata?.name ?? ''}`);
  const claims = (await e2e.client.list<PersistentVolumeClaim>(R.persistentVolumeClaims, NS)).items.map((c) => `pvc ${c.metadata?.name ?? ''}`);
  const volumes = (await e2e.client.list<PersistentVolume>(R.persistentVolumes, undefined)).items.filter((v) => v.spec?.claimRef?.namespace === NS).map((v) => `pv ${v.metadata?.name ?? ''}`);
  return [...pods, ...claims, ...volumes];
}

const expectNoRestoreLeftovers = (e2e: E2e): Promise<void> => expectNoLeftovers(e2e, { find: restoreLeftovers, what: 'the restore pod and PVC to be gone' });

const CONFIG: Plain<NodeAgentConfig> = {
  loadAffinity: [
    { storageClass: 'sc-restore', nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-3'] }] } },
    { storageClass: 'sc-wffc', nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-2'] }] } },
    { storageClass: 'sc-nowhere', nodeSelector: { matchLabels: { 'topology.kubernetes.io/zone': 'mars-1' } } },
    { nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] } },
  ],
};

describe('restore with node selection (e2e)', { skip, timeout: 420_000 }, () => {
  let e2e: E2e;
  let recorder: Informer<DataDownload>;
  const schemaErrors: string[] = [];
  const restorePods = new Map<string, Pod>();
  let podRecorder: Informer<Pod>;
  let saved: string;

  before(async () => {
    e2e = await startE2e({ storage: { topology: 'none' }, objectStore: true });
    await storageClass(e2e, 'sc-restore');
    await storageClass(e2e, 'sc-wffc', 'WaitForFirstConsumer');
    await storageClass(e2e, 'sc-nowhere');
    await putConfigMap(e2e.client, 'node-agent-config', CONFIG);
    ok(await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config', '--data-mover-prepare-timeout', `${PREPARE_TIMEOUT_S}s`, '--wait']), 'ferry install');
    recorder = new Informer<DataDownload>(e2e.client, {
      resource: R.dataDownloads,
      namespace: NS,
      onEvent: (type, dd) => {
        if (type !== 'deleted') for (const e of veleroSchemaErrors(dd)) schemaErrors.push(`${dd.metadata.name ?? ''} (${dd.status?.phase ?? 'New'}): ${e}`);
      },
    });
    podRecorder = new Informer<Pod>(e2e.client, {
      resource: R.pods,
      namespace: NS,
      labelSelector: 'velero.io/data-download',
      onEvent: (type, pod) => {
        if (type !== 'deleted' && pod.spec?.nodeName !== undefined) restorePods.set(pod.metadata?.name ?? '', pod);
      },
    });
    recorder.start();
    podRecorder.start();
    saved = await mkdtemp(join(tmpdir(), 'ferry-e2e-saved-'));
  });
  after(async () => {
    await Promise.all([recorder.stop(), podRecorder.stop()]);
    await e2e.stop();
    await rm(saved, { recursive: true, force: true });
  });

  it('backs up a PVC, deletes it, restores it: same files, restore pod on the node loadAffinity allows, nothing left', async () => {
    const volume = await filledVolume(e2e, 'app', 'data', 'sc-restore');
    await cp(volume.dir, saved, { recursive: true, verbatimSymlinks: true });
    ok(await e2e.ferry(['backup', 'create', 'b1', '--pvc', 'app/data', '--wait']), 'ferry backup create');
    await e2e.client.delete(R.persistentVolumeClaims, { namespace: 'app', name: 'data' });
    await eventually('PVC app/data to be gone', async () => ((await e2e.client.find(R.persistentVolumeClaims, { namespace: 'app', name: 'data' })) === undefined ? true : undefined));

    const out = ok(await e2e.ferry(['restore', 'create', 'r1', '--from-backup', 'b1', '--wait']), 'ferry restore create');
    const { items } = await e2e.client.list<DataDownload>(R.dataDownloads, NS, { labelSelector: 'velero.io/restore-name=r1' });
    const [dd] = items;
    assert.equal(dd?.status?.phase, 'Completed', dd?.status?.message);
    assert.equal(dd.status.node, 'node-3', 'the entry of the target\'s storage class');
    assert.match(out, /^PVC app\/data Completed on node node-3/m);
    assert.equal(restorePods.get(dd.metadata.name ?? '')?.spec?.nodeName, 'node-3');

    const claim = await e2e.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: 'app', name: 'data' });
    assert.equal(claim.status?.phase, 'Bound');
    const pv = await e2e.client.get<PersistentVolume>(R.persistentVolumes, { name: claim.spec?.volumeName });
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete', 'the reclaim policy is put back');
    const dir = persistentVolumePath(e2e.cluster.api.dir, 'node-3', pv);
    assert.ok(dir !== undefined);
    assert.deepEqual(await treeDifferences(saved, dir), []);
    assert.deepEqual(schemaErrors, []);
    await expectNoLeftovers(e2e);
    assert.deepEqual((await e2e.client.list<Pod>(R.pods, NS, { labelSelector: 'velero.io/data-download' })).items, []);
  });

  it('a WaitForFirstConsumer target follows the workload\'s node (hostname node selector, not its class\'s entry), and the node-agent says so', async () => {
    const du = await backedUp(e2e, 'wffc-src', 'sc-restore');
    const source = await e2e.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: 'app', name: 'wffc-src' });
    const sourcePv = await e2e.client.get<PersistentVolume>(R.persistentVolumes, { name: source.spec?.volumeName });
    const sourceDir = persistentVolumePath(e2e.cluster.api.dir, 'node-1', sourcePv);
    assert.ok(sourceDir !== undefined);
    ok(await e2e.ferry(['restore', 'create', 'r-wffc', '--data-upload', du, '--target-pvc', 'app/wffc', '--storage-class', 'sc-wffc']), 'ferry restore create');
    await e2e.client.create(R.pods, 'app', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'wffc-app', namespace: 'app' },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': 'node-4' },
        containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'wffc' } }],
      },
    } satisfies Pod);
    const dd = await downloadOf(e2e, 'r-wffc');
    const pod = await eventually('the restore pod to be placed', () => Promise.resolve(restorePods.get(dd.metadata.name ?? '')));
    assert.equal(pod.spec?.nodeName, 'node-4', 'the workload\'s node, not node-2 of the sc-wffc entry');
    assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/hostname': 'node-4' });
    assert.equal(pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.flatMap((t) => t.matchExpressions ?? []).some((e) => e.key === 'kubernetes.io/hostname'), false, 'the loadAffinity entry is dropped');
    const ended = await eventually('the restore to end', async () => {
      const current = await downloadOf(e2e, 'r-wffc');
      return ['Completed', 'Failed', 'Canceled'].includes(current.status?.phase ?? '') ? current : undefined;
    }, 60_000);
    assert.equal(ended.status?.phase, 'Completed', ended.status?.message);
    assert.equal(ended.status.node, 'node-4');
    const agent = (await nodeAgentPods(e2e.client)).find((p) => p.spec?.nodeName === ended.status?.acceptedByNode);
    const logs = ok(await e2e.kubectl.run(['logs', agent?.metadata?.name ?? '', '-n', NS]), 'kubectl logs');
    assert.match(logs, new RegExp(`"dataDownload":"${ended.metadata.name ?? ''}".*"selectedNode":"node-4".*the target PVC is WaitForFirstConsumer: the restore pod follows the workload's node and loadAffinity is ignored`));
    const app = await eventually('the workload to run with the restored volume', async () => {
      const current = await e2e.client.get<Pod>(R.pods, { namespace: 'app', name: 'wffc-app' });
      return current.status?.phase === 'Running' ? current : undefined;
    });
    assert.equal(app.spec?.nodeName, 'node-4');
    const claim = await e2e.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: 'app', name: 'wffc' });
    const dir = persistentVolumePath(e2e.cluster.api.dir, 'node-4', await e2e.client.get<PersistentVolume>(R.persistentVolumes, { name: claim.spec?.volumeName }));
    assert.ok(dir !== undefined);
    assert.deepEqual(await treeDifferences(sourceDir, dir), []);
    await expectNoRestoreLeftovers(e2e);
    await e2e.client.delete(R.pods, { namespace: 'app', name: 'wffc-app' }, { gracePeriodSeconds: 0 });
  });

  it('no node matches: the DataDownload says so at once, fails at the prepare timeout with that reason, and leaves nothing', async () => {
    const du = await backedUp(e2e, 'nowhere-src', 'sc-restore');
    const started = Date.now();
    ok(await e2e.ferry(['restore', 'create', 'r-nowhere', '--data-upload', du, '--target-pvc', 'app/nowhere', '--storage-class', 'sc-nowhere']), 'ferry restore create');
    const said = await eventually('the DataDownload to say why', async () => {
      const current = await downloadOf(e2e, 'r-nowhere');
      return current.status?.phase === 'Accepted' && (current.status.message ?? '').includes('no node matches') ? current : undefined;
    }, (PREPARE_TIMEOUT_S - 2) * 1000);
    assert.match(said.status?.message ?? '', /loadAffinity\[2\] for storage class "sc-nowhere"/);
    const failed = await eventually('the DataDownload to fail', async () => {
      const current = await downloadOf(e2e, 'r-nowhere');
      return current.status?.phase === 'Failed' ? current : undefined;
    }, (PREPARE_TIMEOUT_S + 10) * 1000);
    assert.ok(Date.now() - started >= PREPARE_TIMEOUT_S * 1000 - 500, 'not before the prepare timeout');
    assert.match(failed.status?.message ?? '', /^timeout on preparing data download: data-mover pod velero\/\S+ cannot be placed: no node matches its node affinity/);
    await expectNoRestoreLeftovers(e2e);
  });

  it('a WaitForFirstConsumer target with no workload says what it waits for, fails at the prepare timeout with that reason, and leaves nothing', async () => {
    const du = await backedUp(e2e, 'lonely-src', 'sc-restore');
    const waiting = e2e.ferry(['restore', 'create', 'r-lonely', '--data-upload', du, '--target-pvc', 'app/lonely', '--storage-class', 'sc-wffc', '--wait']);
    const reason = 'waiting for a pod using PVC app/lonely to be scheduled (its storage class sc-wffc is WaitForFirstConsumer; set restorePVC.ignoreDelayBinding to place the restore by loadAffinity instead)';
    const said = await eventually('the DataDownload to say what it waits for', async () => {
      const current = await downloadOf(e2e, 'r-lonely').catch(() => undefined);
      return current?.status?.message === undefined ? undefined : current;
    }, (PREPARE_TIMEOUT_S - 2) * 1000);
    assert.equal(said.status?.phase, 'Accepted');
    assert.equal(said.status.message, reason);
    const result = await waiting;
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^PVC app\/lonely Failed, never placed on a node \(DataDownload velero\/r-lonely-\w+\)$/m);
    const failed = await downloadOf(e2e, 'r-lonely');
    assert.equal(failed.status?.message, `timeout on preparing data download: ${reason}`);
    assert.ok(result.stderr.includes(`error: restore r-lonely: 1 of 1 volumes not restored (timeout on preparing data download: ${reason})`), result.stderr);
    assert.match(result.stderr, /^hint: ferry restore describe r-lonely -n velero; the target PVCs of those volumes stay, bound to nothing: delete them before restoring there again \(kubectl delete pvc -n app lonely\)$/m);
    ok(await e2e.ferry(['restore', 'describe', 'r-lonely']), 'ferry restore describe').split('\n').forEach((line) => {
      assert.doesNotMatch(line, /^ +Completed:/, 'a failed end is labelled Failed');
    });
    await expectNoRestoreLeftovers(e2e);
  });

  it('a restore canceled while its pod and PVC exist ends Canceled and leaves no restore pod or PVC', async () => {
    // sc-nowhere's entry matches no node: the restore PVC is provisioned (Immediate) and the pod waits to be placed,
    // holding the DataDownload Accepted until the prepare timeout, well after the cancel lands.
    const du = await backedUp(e2e, 'cancel-src', 'sc-restore');
    ok(await e2e.ferry(['restore', 'create', 'r-cancel', '--data-upload', du, '--target-pvc', 'app/cancel', '--storage-class', 'sc-nowhere']), 'ferry restore create');
    const held = await eventually('the restore pod and a bound restore PVC', async () => {
      const current = await downloadOf(e2e, 'r-cancel');
      const name = current.metadata.name ?? '';
      const [pod, claim] = await Promise.all([e2e.client.find<Pod>(R.pods, { namespace: NS, name }), e2e.client.find<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: NS, name })]);
      return current.status?.phase === 'Accepted' && pod !== undefined && claim?.status?.phase === 'Bound' ? current : undefined;
    }, (PREPARE_TIMEOUT_S - 4) * 1000);
    ok(await e2e.kubectl.run(['patch', 'datadownloads', held.metadata.name ?? '', '-n', NS, '--type=merge', '-p', '{"spec":{"cancel":true}}']), 'kubectl patch');
    const ended = await eventually('the restore to end', async () => {
      const current = await downloadOf(e2e, 'r-cancel');
      return ['Completed', 'Failed', 'Canceled'].includes(current.status?.phase ?? '') ? current : undefined;
    }, 60_000);
    assert.equal(ended.status?.phase, 'Canceled', ended.status?.message);
    assert.equal(ended.status.message, 'data download is canceled');
    await expectNoRestoreLeftovers(e2e);
    assert.deepEqual(schemaErrors, []);
  });

  it('refuses a storage class that does not exist, or a DataUpload that does not, before creating anything', async () => {
    const du = await dataUploadName(e2e, 'b-lonely-src');
    const typo = await e2e.ferry(['restore', 'create', 'r-typo', '--data-upload', du, '--target-pvc', 'app/typo', '--storage-class', 'nope']);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /^error: storage class "nope" not found \(for PVC app\/typo\)\nhint: the storage classes in this cluster are [^\n]*\bsc-restore\b[^\n]*\bsc-wffc\b/m);
    assert.equal(await e2e.client.find(R.persistentVolumeClaims, { namespace: 'app', name: 'typo' }), undefined);
    assert.deepEqual((await e2e.client.list<DataDownload>(R.dataDownloads, NS, { labelSelector: 'velero.io/restore-name=r-typo' })).items, []);
    const missing = await e2e.ferry(['restore', 'create', 'r-nosuch', '--data-upload', 'nosuch', '--target-pvc', 'app/nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: DataUpload nosuch not found in namespace velero\nhint: list the DataUploads with `kubectl get datauploads -n velero`/m);
  });

  it('restores into a namespace that does not exist yet by creating it, and says so', async () => {
    const result = await e2e.ferry(['restore', 'create', 'r-moved', '--from-backup', 'b1', '--namespace-mapping', 'app:app5', '--wait']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^created namespace app5$/m);
    assert.match(result.stdout, /^PVC app5\/data Completed on node node-3/m);
    const claim = await e2e.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: 'app5', name: 'data' });
    assert.equal(claim.status?.phase, 'Bound');
    await expectNoRestoreLeftovers(e2e);
  });

  it('create --wait warns when nothing claims the DataDownload, says so when it is deleted, and Ctrl-C leaves the restore running', async () => {
    const du = await dataUploadName(e2e, 'b-lonely-src');
    const unclaimed = e2e.spawnFerry(['restore', 'create', 'r-ferri', '--data-upload', du, '--target-pvc', 'app/ferri', '--datamover-name', 'ferri', '--wait']);
    const deleted = e2e.spawnFerry(['restore', 'create', 'r-gone', '--data-upload', du, '--target-pvc', 'app/gone', '--datamover-name', 'ferri', '--wait']);
    const gone = await eventually('the DataDownload of r-gone', () => downloadOf(e2e, 'r-gone').catch(() => undefined));
    await e2e.client.delete(R.dataDownloads, { namespace: NS, name: gone.metadata.name });
    assert.equal(await deleted.exit, 1, deleted.output().stderr);
    assert.match(deleted.output().stdout, new RegExp(`^PVC app/gone Canceled: DataDownload velero/${gone.metadata.name ?? ''} was deleted while waiting for it: the restore of its volume is canceled$`, 'm'));
    assert.doesNotMatch(deleted.output().stderr, /datadownloads\.velero\.io/);

    await eventually('the warning', () => Promise.resolve(unclaimed.output().stderr.includes('warning:') ? true : undefined), 45_000, () => unclaimed.output().stderr);
    assert.match(unclaimed.output().stderr, /warning: DataDownload velero\/r-ferri-\w+ is still New: no node-agent has claimed it: no node-agent serves data mover "ferri" \(the \d+ Ready in namespace velero serve "ferry"; check with `kubectl get ds ferry-node-agent -n velero/);
    unclaimed.interrupt();
    assert.equal(await unclaimed.exit, 130, unclaimed.output().stderr);
    assert.match(unclaimed.output().stderr, /interrupted: restore r-ferri keeps running in the cluster; follow it with `ferry restore describe r-ferri -n velero`\n$/);
    const kept = await downloadOf(e2e, 'r-ferri');
    assert.equal(kept.status?.phase ?? 'New', 'New', 'the restore itself is left alone');
    await e2e.client.delete(R.dataDownloads, { namespace: NS, name: kept.metadata.name });
    for (const name of ['ferri', 'gone']) await e2e.client.delete(R.persistentVolumeClaims, { namespace: 'app', name });
  });
});
