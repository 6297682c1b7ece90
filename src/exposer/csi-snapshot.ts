import type { Node, NodeSelector, PersistentVolumeClaim, Pod } from '../kube/models.js';
import { dataMoverPodAffinity, selectLoadAffinity } from '../affinity/index.js';
import type { NodeAgentConfig } from '../config/types.js';
import type { KubeClient } from '../kube/client.js';
import type { DataUpload } from '../kube/crds.js';
import { parseGoDuration } from '../kube/duration.js';
import { R } from '../kube/resources.js';
import { SNAPSHOT_API_VERSION, type VolumeSnapshot, type VolumeSnapshotContent } from '../kube/snapshots.js';
import { DATA_UPLOAD_LABEL } from '../kube/velero.js';
import { pollUntil } from '../kube/wait.js';
import { FerryError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { buildBackupPod, ownerReference } from './backup-pod.js';
import { diagnosePlacement, loadAffinityRule } from './diagnose.js';
import { OwnedObjects } from './owned.js';
import { readInheritedPodInfo } from './inherited.js';
import { readyNodeAgentNodes } from './node-agents.js';
import { podProblem } from './pod-state.js';
import { podResourceRequirements } from './resources.js';
import { volumeTopology } from './topology.js';
import type { Exposer } from './types.js';

export interface SnapshotExposerOptions {
  client: KubeClient;
  /** The install namespace: where the clone VolumeSnapshot, the backup PVC and the pod go. */
  namespace: string;
  config: NodeAgentConfig;
  /** `priorityClassName` of the config once checked to exist at start; `undefined` when unset or missing. */
  priorityClassName: string | undefined;
  /** How long to wait for the snapshot clone to become ready (`--resource-timeout`). */
  resourceTimeoutMs: number;
  logger: Logger;
}

const DEFAULT_OPERATION_TIMEOUT_MS = 10 * 60_000;

function ownerOf(du: DataUpload): { name: string; uid: string; apiVersion: string; kind: string } {
  return { name: du.metadata.name ?? '', uid: du.metadata.uid ?? '', apiVersion: du.apiVersion, kind: du.kind };
}

/**
 * Velero's CSI snapshot exposer: makes the data of a VolumeSnapshot reachable from a pod on a node that loadAffinity
 * allows. The source snapshot is cloned (a VolumeSnapshotContent with the same snapshot handle and
 * `deletionPolicy: Retain`, so deleting the clone never deletes the user's snapshot data, plus a VolumeSnapshot in the
 * install namespace bound to it), a backup PVC is provisioned from the clone, and the data-mover pod mounts it. All
 * of them are named after the DataUpload and labelled `velero.io/data-upload=<name>`; the user's snapshot and PVC are
 * only read.
 */
export class CsiSnapshotExposer implements Exposer<DataUpload> {
  /** The data-mover pod of each upload being exposed, built first: its placement can be judged before it exists. */
  private readonly planned = new Map<string, Pod>();
  /** Data movements whose pod affinity also carries the source volume's node affinity (WaitForFirstConsumer). */
  private readonly pinnedToVolume = new Set<string>();
  private readonly owned: OwnedObjects;

  constructor(private readonly options: SnapshotExposerOptions) {
    this.owned = new OwnedObjects(options.client, DATA_UPLOAD_LABEL);
  }

  /** The backup PVC's storage class: `backupPVC[<source class>].storageClass` when set, else the source's. */
  backupStorageClass(du: DataUpload): string {
    const source = du.spec.csiSnapshot?.storageClass ?? '';
    const override = this.options.config.backupPVC?.[source]?.storageClass;
    return override === undefined || override === '' ? source : override;
  }

  /** Which loadAffinity entry applies, in words, for messages; and the volume's node affinity when it is part of it. */
  affinityRule(du: DataUpload): string {
    const rule = loadAffinityRule(this.options.config.loadAffinity, this.backupStorageClass(du));
    return this.pinnedToVolume.has(du.metadata.name ?? '') ? `${rule}, within the source volume's node affinity` : rule;
  }

  async expose(du: DataUpload, signal: AbortSignal): Promise<void> {
    const { client, namespace, config, logger } = this.options;
    const name = du.metadata.name ?? '';
    const snapshot = du.spec.csiSnapshot;
    if (snapshot === undefined || snapshot === null || snapshot.volumeSnapshot === '') {
      throw new FerryError('ConfigInvalid', 'spec.csiSnapshot.volumeSnapshot is not set');
    }
    const sourceNs = du.spec.sourceNamespace;
    const operationTimeoutMs = parseGoDuration(du.spec.operationTimeout) ?? DEFAULT_OPERATION_TIMEOUT_MS;
    const owner = ownerOf(du);
    const labels = this.owned.labels(name);

    const sourcePvc = await client.get<PersistentVolumeClaim>(R.persistentVolumeClaims, { namespace: sourceNs, name: du.spec.sourcePVC });
    const topology = await this.sourceTopology(sourcePvc, snapshot.storageClass);
    const backupPvcConfig = config.backupPVC?.[snapshot.storageClass] ?? {};
    const readOnly = backupPvcConfig.readOnly === true;
    const storageClass = this.backupStorageClass(du);
    const selected = selectLoadAffinity(config.loadAffinity, storageClass);
    const pod = buildBackupPod({
      owner,
      namespace,
      inherited: await readInheritedPodInfo(client, namespace),
      pvcName: name,
      readOnly,
      spcNoRelabeling: backupPvcConfig.spcNoRelabeling === true,
      affinity: dataMoverPodAffinity(selected?.entry, topology),
      resources: podResourceRequirements(config.podResources),
      priorityClassName: this.options.priorityClassName,
      podLabels: config.podLabels,
      podAnnotations: config.podAnnotations,
      operationTimeout: du.spec.operationTimeout,
    });
    this.planned.set(name, pod);
    if (topology === undefined) this.pinnedToVolume.delete(name);
    else this.pinnedToVolume.add(name);

    let seen: VolumeSnapshot | undefined;
    const sourceVs = await pollUntil(
      async () => {
        seen = await client.find<VolumeSnapshot>(R.volumeSnapshots, { namespace: sourceNs, name: snapshot.volumeSnapshot });
        return seen?.status?.readyToUse === true && seen.status.boundVolumeSnapshotContentName ? seen : undefined;
      },
      {
        timeoutMs: operationTimeoutMs,
        signal,
        what: `volume snapshot ${sourceNs}/${snapshot.volumeSnapshot} to be ready`,
        lastState: () => (seen === undefined ? 'it does not exist' : (seen.status?.error?.message ?? 'not ready to use yet')),
      },
    );
    const sourceVsc = await client.get<VolumeSnapshotContent>(R.volumeSnapshotContents, { name: sourceVs.status?.boundVolumeSnapshotContentName });
    const handle = sourceVsc.status?.snapshotHandle ?? sourceVsc.spec.source.snapshotHandle;
    if (handle === undefined || handle === '') throw new FerryError('Unavailable', `volume snapshot content ${sourceVsc.metadata.name ?? ''} has no snapshot handle`);

    const cloneClass = sourceVsc.spec.volumeSnapshotClassName ?? sourceVs.spec.volumeSnapshotClassName;
    await this.owned.createIfAbsent(R.volumeSnapshotContents, undefined, {
      apiVersion: SNAPSHOT_API_VERSION,
      kind: 'VolumeSnapshotContent',
      metadata: { name, labels },
      spec: {
        volumeSnapshotRef: { apiVersion: SNAPSHOT_API_VERSION, kind: 'VolumeSnapshot', name, namespace },
        source: { snapshotHandle: handle },
        driver: sourceVsc.spec.driver,
        deletionPolicy: 'Retain',
        ...(cloneClass === undefined ? {} : { volumeSnapshotClassName: cloneClass }),
      },
    } satisfies VolumeSnapshotContent);
    await this.owned.createIfAbsent(R.volumeSnapshots, namespace, {
      apiVersion: SNAPSHOT_API_VERSION,
      kind: 'VolumeSnapshot',
      metadata: { name, namespace, labels, ownerReferences: [ownerReference(owner)] },
      spec: { source: { volumeSnapshotContentName: name }, ...(cloneClass === undefined ? {} : { volumeSnapshotClassName: cloneClass }) },
    } satisfies VolumeSnapshot);
    const clone = await pollUntil(
      async () => {
        const vs = await client.find<VolumeSnapshot>(R.volumeSnapshots, { namespace, name });
        return vs?.status?.readyToUse === true ? vs : undefined;
      },
      { timeoutMs: this.options.resourceTimeoutMs, signal, what: `the snapshot clone ${namespace}/${name} to be ready` },
    );

    const size = clone.status?.restoreSize ?? sourceVs.status?.restoreSize ?? sourcePvc.spec?.resources?.requests?.storage;
    if (size === undefined || size === '' || size === '0') throw new FerryError('Unavailable', `cannot tell the size of volume snapshot ${sourceNs}/${snapshot.volumeSnapshot}`);
    await this.owned.createIfAbsent(R.persistentVolumeClaims, namespace, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name,
        namespace,
        labels,
        ownerReferences: [ownerReference(owner)],
        ...(backupPvcConfig.annotations === undefined ? {} : { annotations: { ...backupPvcConfig.annotations } }),
      },
      spec: {
        accessModes: [readOnly ? 'ReadOnlyMany' : 'ReadWriteOnce'],
        ...(storageClass === '' ? {} : { storageClassName: storageClass }),
        dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name },
        resources: { requests: { storage: size } },
        volumeMode: 'Filesystem',
      },
    } satisfies PersistentVolumeClaim);
    signal.throwIfAborted();
    await this.owned.createIfAbsent(R.pods, namespace, pod);
    logger.info({ dataUpload: name, rule: this.affinityRule(du), topology: topology !== undefined }, 'data-mover pod created');
  }

  peek(pod: Pod): string | undefined {
    return podProblem(pod);
  }

  async diagnose(du: DataUpload, pod: Pod | undefined): Promise<string | undefined> {
    const subject = pod ?? this.planned.get(du.metadata.name ?? '');
    if (subject === undefined) return undefined;
    const { client, namespace } = this.options;
    const [nodes, nodeAgentNodes] = await Promise.all([client.list<Node>(R.nodes, undefined), readyNodeAgentNodes(client, namespace)]);
    return diagnosePlacement({ pod: subject, nodes: nodes.items, nodeAgentNodes, rule: this.affinityRule(du) });
  }

  async cleanUp(du: DataUpload): Promise<void> {
    const { namespace } = this.options;
    const name = du.metadata.name ?? '';
    this.planned.delete(name);
    this.pinnedToVolume.delete(name);
    await this.owned.delete(R.pods, namespace, name, 0);
    // The backup PV must go with its claim even when the storage class retains volumes.
    await this.owned.deleteClaimAndVolume(namespace, name);
    await this.owned.delete(R.volumeSnapshots, namespace, name);
    await this.owned.delete(R.volumeSnapshotContents, undefined, name);
  }

  private async sourceTopology(pvc: PersistentVolumeClaim, storageClass: string): Promise<NodeSelector | undefined> {
    const pvName = pvc.spec?.volumeName ?? '';
    if (storageClass === '' || pvName === '') return undefined;
    return volumeTopology(this.options.client, pvName, storageClass);
  }
}
