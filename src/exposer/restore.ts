import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../kube/models.js';
import { dataMoverPodAffinity, selectLoadAffinity } from '../affinity/index.js';
import { SELECTED_NODE_ANNOTATION } from '../kube/annotations.js';
import type { DataDownload } from '../kube/crds.js';
import { R } from '../kube/resources.js';
import { DATA_DOWNLOAD_LABEL } from '../kube/velero.js';
import { pollUntil } from '../kube/wait.js';
import { FerryError } from '../util/errors.js';
import { buildBackupPod } from './backup-pod.js';
import type { SnapshotExposerOptions } from './csi-snapshot.js';
import { diagnosePlacement, loadAffinityRule } from './diagnose.js';
import { readInheritedPodInfo } from './inherited.js';
import { readyNodeAgentNodes } from './node-agents.js';
import { OwnedObjects } from './owned.js';
import { podProblem } from './pod-state.js';
import { podResourceRequirements } from './resources.js';

/** As the snapshot exposer's; `resourceTimeoutMs` also bounds the wait for a WaitForFirstConsumer workload and the re-bind. */
export type RestoreExposerOptions = SnapshotExposerOptions;

/** Where the restore pod goes: by loadAffinity, or pinned to the node a WaitForFirstConsumer workload was scheduled to. */
interface Placement {
  storageClass: string;
  selectedNode: string | undefined;
}

/**
 * Velero's generic restore exposer: the target PVC (`spec.targetVolume`) is fed by a restore PVC in the install
 * namespace (same storage class and size) that the data-mover pod fills; `conclude` then moves the restored volume
 * to the target PVC the way Velero's `RebindVolume` does. Restore PVC and pod are named after the DataDownload and
 * labelled `velero.io/data-download=<name>`; the target PVC is only read.
 */
export class RestoreExposer {
  private readonly planned = new Map<string, Pod>();
  private readonly placements = new Map<string, Placement>();
  /** Why a restore is not exposed yet, while `place` waits: its diagnosis before there is a pod. */
  private readonly waiting = new Map<string, string>();
  private readonly owned: OwnedObjects;

  constructor(private readonly options: RestoreExposerOptions) {
    this.owned = new OwnedObjects(options.client, DATA_DOWNLOAD_LABEL);
  }

  private async targetPvc(dd: DataDownload): Promise<PersistentVolumeClaim> {
    const { pvc, namespace } = dd.spec.targetVolume;
    return this.options.client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace, name: pvc });
  }

  /**
   * Velero v1.18.1: the entry is picked by the target's storage class; a WaitForFirstConsumer target (unless
   * `restorePVC.ignoreDelayBinding`) waits for the workload's node and ignores loadAffinity. A class that does not
   * exist (yet) is waited for: the restore PVC could never be provisioned without it.
   */
  private async place(dd: DataDownload, target: PersistentVolumeClaim, signal: AbortSignal): Promise<Placement> {
    const { client, config, logger } = this.options;
    const storageClass = target.spec?.storageClassName ?? '';
    const { namespace, pvc } = dd.spec.targetVolume;
    const sc =
      storageClass === ''
        ? undefined
        : await this.waitFor(dd, signal, {
            what: `storage class "${storageClass}" of the target PVC ${namespace}/${pvc} to be created`,
            reason: `storage class "${storageClass}" of the target PVC ${namespace}/${pvc} does not exist: the restore waits until it is created (\`kubectl get storageclass\` lists the classes)`,
            check: () => client.find<StorageClass>(R.storageClasses, { name: storageClass }),
          });
    if (sc?.volumeBindingMode !== 'WaitForFirstConsumer' || config.restorePVC?.ignoreDelayBinding === true) return { storageClass, selectedNode: undefined };
    const workload = `a pod using PVC ${namespace}/${pvc} to be scheduled (its storage class ${storageClass} is WaitForFirstConsumer`;
    const selectedNode = await this.waitFor(dd, signal, {
      what: `${workload})`,
      reason: `waiting for ${workload}; set restorePVC.ignoreDelayBinding to place the restore by loadAffinity instead)`,
      check: async () => {
        const current = await client.find<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace, name: pvc });
        const node = current?.metadata?.annotations?.[SELECTED_NODE_ANNOTATION];
        return node === undefined || node === '' ? undefined : node;
      },
    });
    logger.info({ dataDownload: dd.metadata.name, selectedNode, storageClass }, 'the target PVC is WaitForFirstConsumer: the restore pod follows the workload\'s node and loadAffinity is ignored');
    return { storageClass, selectedNode };
  }

  /**
   * Polls `check` up to the resource timeout; while it answers nothing, `reason` is this restore's diagnosis, so
   * `status.message` says what it waits for and the prepare timeout fails with it.
   */
  private async waitFor<T>(dd: DataDownload, signal: AbortSignal, { what, reason, check }: { what: string; reason: string; check: () => Promise<T | undefined> }): Promise<T> {
    const name = dd.metadata.name ?? '';
    try {
      return await pollUntil(
        async () => {
          const value = await check();
          if (value === undefined) this.waiting.set(name, reason);
          return value;
        },
        { timeoutMs: this.options.resourceTimeoutMs, signal, what },
      );
    } finally {
      this.waiting.delete(name);
    }
  }

  /** Which rule placed the pod, in words, for messages. */
  private rule(placement: Placement | undefined): string {
    if (placement?.selectedNode !== undefined) return `the workload's node ${placement.selectedNode} (WaitForFirstConsumer target)`;
    return loadAffinityRule(this.options.config.loadAffinity, placement?.storageClass ?? '');
  }

  async expose(dd: DataDownload, signal: AbortSignal): Promise<void> {
    const { client, namespace, config, logger } = this.options;
    const name = dd.metadata.name ?? '';
    const target = await this.targetPvc(dd);
    const size = target.spec?.resources?.requests?.storage;
    if (size === undefined || size === '') throw new FerryError('ConfigInvalid', `target PVC ${dd.spec.targetVolume.namespace}/${dd.spec.targetVolume.pvc} requests no storage size`);
    const placement = await this.place(dd, target, signal);
    this.placements.set(name, placement);
    const pinned = placement.selectedNode !== undefined;
    const pod = buildBackupPod({
      owner: { name, uid: dd.metadata.uid ?? '', apiVersion: dd.apiVersion, kind: dd.kind },
      namespace,
      inherited: await readInheritedPodInfo(client, namespace),
      pvcName: name,
      readOnly: false,
      spcNoRelabeling: false,
      affinity: dataMoverPodAffinity(pinned ? undefined : selectLoadAffinity(config.loadAffinity, placement.storageClass)?.entry),
      resources: podResourceRequirements(config.podResources),
      priorityClassName: this.options.priorityClassName,
      podLabels: config.podLabels,
      podAnnotations: config.podAnnotations,
      operationTimeout: dd.spec.operationTimeout,
      ...(placement.selectedNode === undefined ? {} : { nodeSelector: { 'kubernetes.io/hostname': placement.selectedNode } }),
    });
    this.planned.set(name, pod);
    await this.owned.createIfAbsent(R.persistentVolumeClaims, namespace, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace, labels: this.owned.labels(name), ownerReferences: pod.metadata?.ownerReferences ?? [] },
      spec: {
        accessModes: target.spec?.accessModes ?? ['ReadWriteOnce'],
        ...(placement.storageClass === '' ? {} : { storageClassName: placement.storageClass }),
        resources: { requests: { storage: size } },
        volumeMode: 'Filesystem',
      },
    } satisfies PersistentVolumeClaim);
    signal.throwIfAborted();
    await this.owned.createIfAbsent(R.pods, namespace, pod);
    logger.info({ dataDownload: name, rule: this.rule(placement) }, 'data-mover pod created');
  }

  peek(pod: Pod): string | undefined {
    return podProblem(pod);
  }

  async diagnose(dd: DataDownload, pod: Pod | undefined): Promise<string | undefined> {
    const name = dd.metadata.name ?? '';
    const subject = pod ?? this.planned.get(name);
    if (subject === undefined) return this.waiting.get(name);
    const { client, namespace } = this.options;
    const [nodes, nodeAgentNodes] = await Promise.all([client.list<Node>(R.nodes, undefined), readyNodeAgentNodes(client, namespace)]);
    return diagnosePlacement({ pod: subject, nodes: nodes.items, nodeAgentNodes, rule: this.rule(this.placements.get(name)) });
  }

  /**
   * Velero's `RebindVolume`: the restored PV is kept (reclaim policy Retain) while the restore PVC is deleted, then
   * pointed at the target PVC, which binds to it; the original reclaim policy is put back once bound.
   */
  async conclude(dd: DataDownload): Promise<void> {
    const { client, namespace, resourceTimeoutMs } = this.options;
    const name = dd.metadata.name ?? '';
    const target = dd.spec.targetVolume;
    const restorePvc = await client.find<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace, name });
    const pvName = restorePvc?.spec?.volumeName ?? '';
    if (restorePvc === undefined || pvName === '') throw new FerryError('NotFound', `restore PVC ${namespace}/${name} is gone or not bound: the restored volume cannot be handed over`);
    const pv = await client.get<PersistentVolume>(R.persistentVolumes, { name: pvName });
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Delete';
    await this.owned.delete(R.pods, namespace, name, 0);
    if (policy !== 'Retain') await client.patch(R.persistentVolumes, { name: pvName }, { spec: { persistentVolumeReclaimPolicy: 'Retain' } });
    await client.delete(R.persistentVolumeClaims, { namespace, name }, restorePvc.metadata?.uid === undefined ? {} : { uid: restorePvc.metadata.uid });
    await pollUntil(async () => ((await client.find(R.persistentVolumeClaims, { namespace, name })) === undefined ? true : undefined), {
      timeoutMs: resourceTimeoutMs,
      what: `restore PVC ${namespace}/${name} to be deleted`,
    });
    // The target's selector (Velero's dynamic-pv-restore label) must match the volume it waits for.
    const selectorLabels = (await this.targetPvc(dd)).spec?.selector?.matchLabels ?? {};
    await client.patch(R.persistentVolumes, { name: pvName }, {
      metadata: { labels: selectorLabels },
      spec: { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: target.namespace, name: target.pvc, uid: null, resourceVersion: null } },
    });
    // Both sides, as Velero's WaitPVBound: the Delete policy must not come back while the PV still counts as Released.
    await pollUntil(
      async () => {
        const claim = await client.find<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: target.namespace, name: target.pvc });
        const bound = claim?.spec?.volumeName;
        if (bound !== undefined && bound !== '' && bound !== pvName) throw new FerryError('Conflict', `target PVC ${target.namespace}/${target.pvc} was bound to another volume (${bound}) while restoring`);
        if (claim?.status?.phase !== 'Bound') return undefined;
        const volume = await client.get<PersistentVolume>(R.persistentVolumes, { name: pvName });
        const ref = volume.spec?.claimRef;
        return volume.status?.phase === 'Bound' && ref?.namespace === target.namespace && ref.name === target.pvc ? true : undefined;
      },
      { timeoutMs: resourceTimeoutMs, what: `target PVC ${target.namespace}/${target.pvc} to bind to the restored volume ${pvName}` },
    );
    if (policy !== 'Retain') await client.patch(R.persistentVolumes, { name: pvName }, { spec: { persistentVolumeReclaimPolicy: policy } });
  }

  async cleanUp(dd: DataDownload): Promise<void> {
    const name = dd.metadata.name ?? '';
    this.planned.delete(name);
    this.placements.delete(name);
    this.waiting.delete(name);
    await this.owned.delete(R.pods, this.options.namespace, name, 0);
    await this.owned.deleteClaimAndVolume(this.options.namespace, name);
  }
}
