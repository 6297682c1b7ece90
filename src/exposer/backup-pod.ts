import type { Affinity, Container, OwnerReference, Pod, ResourceRequirements, Toleration, Volume, VolumeMount } from '../kube/models.js';
import { backupVolumePath, DATA_DOWNLOAD_LABEL, DATA_UPLOAD_LABEL, EXPOSER_POD_GROUP_LABEL, SNAPSHOT_EXPOSER_GROUP } from '../kube/velero.js';
import type { InheritedPodInfo } from './inherited.js';

export interface BackupPodInput {
  /** The DataUpload: names the pod, its container and volume, and owns the pod. */
  owner: { name: string; uid: string; apiVersion: string; kind: string };
  namespace: string;
  inherited: InheritedPodInfo;
  /** The backup PVC the pod mounts. */
  pvcName: string;
  readOnly: boolean;
  /** SELinux `spc_t` for a read-only backup volume (`backupPVC.spcNoRelabeling`). */
  spcNoRelabeling: boolean;
  affinity: Affinity;
  resources: ResourceRequirements | undefined;
  priorityClassName: string | undefined;
  /** `podLabels` / `podAnnotations` of the config; they replace, not add to, what Velero copies from the DaemonSet. */
  podLabels: Record<string, string> | undefined;
  podAnnotations: Record<string, string> | undefined;
  /** `spec.operationTimeout` of the DataUpload, passed on as the data-mover's `--resource-timeout`. */
  operationTimeout: string;
  /** A restore that follows a WaitForFirstConsumer workload is pinned with `kubernetes.io/hostname`, never `nodeName`. */
  nodeSelector?: Record<string, string>;
}

/** How a data-mover pod differs between the kinds of its owner: the command it runs and the label naming the owner. */
const BY_OWNER_KIND: Readonly<Record<string, { command: string; flag: string; label: string }>> = {
  DataUpload: { command: 'backup', flag: '--data-upload', label: DATA_UPLOAD_LABEL },
  DataDownload: { command: 'restore', flag: '--data-download', label: DATA_DOWNLOAD_LABEL },
};

export function ownerReference(owner: BackupPodInput['owner']): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}

/**
 * The data-mover pod of a DataUpload (or DataDownload: `restore` instead of `backup`), as Velero's `createBackupPod` builds it, except that tolerations are the
 * node-agent DaemonSet's own (Velero copies only two allowlisted keys). Image, service account, env, extra volumes,
 * DNS and pull secrets come from the DaemonSet; placement comes only from `affinity`.
 */
export function buildBackupPod(input: BackupPodInput): Pod {
  const { owner, namespace, inherited, pvcName, readOnly } = input;
  const role = BY_OWNER_KIND[owner.kind];
  if (role === undefined) throw new Error(`no data-mover pod for a ${owner.kind}`);
  const volumeName = owner.uid;
  const volumePath = backupVolumePath(owner.uid);
  const volumeMount: VolumeMount = { name: volumeName, mountPath: volumePath, ...(readOnly ? { readOnly: true } : {}) };
  const volume: Volume = { name: volumeName, persistentVolumeClaim: { claimName: pvcName, ...(readOnly ? { readOnly: true } : {}) } };
  const args = [
    'data-mover',
    role.command,
    `${role.flag}=${owner.name}`,
    `--volume-path=${volumePath}`,
    '--volume-mode=Filesystem',
    `--resource-timeout=${input.operationTimeout}`,
    ...inherited.logArgs,
  ];
  const container: Container = {
    name: owner.uid,
    image: inherited.image,
    imagePullPolicy: 'Never',
    ...(inherited.command === undefined ? {} : { command: [...inherited.command] }),
    args,
    env: structuredClone(inherited.env),
    envFrom: structuredClone(inherited.envFrom),
    volumeMounts: [volumeMount, ...structuredClone(inherited.volumeMounts)],
    ...(input.resources === undefined ? {} : { resources: structuredClone(input.resources) }),
  };
  const labels = { ...(input.podLabels ?? inherited.thirdPartyLabels), [role.label]: owner.name, [EXPOSER_POD_GROUP_LABEL]: SNAPSHOT_EXPOSER_GROUP };
  const annotations = input.podAnnotations ?? inherited.thirdPartyAnnotations;
  const tolerations: Toleration[] = structuredClone(inherited.tolerations);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: owner.name,
      namespace,
      labels,
      ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }),
      ownerReferences: [ownerReference(owner)],
    },
    spec: {
      containers: [container],
      volumes: [volume, ...structuredClone(inherited.volumes)],
      serviceAccountName: inherited.serviceAccountName,
      affinity: structuredClone(input.affinity),
      ...(input.nodeSelector === undefined ? {} : { nodeSelector: { ...input.nodeSelector } }),
      tolerations,
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { [EXPOSER_POD_GROUP_LABEL]: SNAPSHOT_EXPOSER_GROUP } },
        },
      ],
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      securityContext: {
        runAsUser: 0,
        ...(readOnly && input.spcNoRelabeling ? { seLinuxOptions: { type: 'spc_t' } } : {}),
      },
      ...(inherited.dnsPolicy === undefined ? {} : { dnsPolicy: inherited.dnsPolicy }),
      ...(inherited.dnsConfig === undefined ? {} : { dnsConfig: structuredClone(inherited.dnsConfig) }),
      ...(inherited.imagePullSecrets.length === 0 ? {} : { imagePullSecrets: structuredClone(inherited.imagePullSecrets) }),
      ...(input.priorityClassName === undefined || input.priorityClassName === '' ? {} : { priorityClassName: input.priorityClassName }),
    },
  };
}
