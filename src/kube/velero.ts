/**
 * Names Velero gives to the labels and objects around data movement, and the ones Ferry adds. Velero's are kept
 * verbatim so its tooling (and people used to it) find Ferry's objects where they expect them.
 */

/** Ferry handles DataUploads/DataDownloads whose `spec.datamover` is this (unless told another name). */
export const DEFAULT_DATA_MOVER = 'ferry';

/** On data-mover pods: the DataUpload they serve. */
export const DATA_UPLOAD_LABEL = 'velero.io/data-upload';
/** On data-mover pods and restore PVCs: the DataDownload they serve. */
export const DATA_DOWNLOAD_LABEL = 'velero.io/data-download';
/** On data-mover pods: which exposer made them (backup pods are `snapshot-exposer`). */
export const EXPOSER_POD_GROUP_LABEL = 'velero.io/exposer-pod-group';
export const SNAPSHOT_EXPOSER_GROUP = 'snapshot-exposer';
/** On DataUploads between being accepted and starting: counted by `prepareQueueLength`. */
export const EXPOSE_ON_GOING_LABEL = 'velero.io/expose-on-going';
/** On DataUploads and the VolumeSnapshots made for them: the backup they belong to. */
export const BACKUP_NAME_LABEL = 'velero.io/backup-name';

/** The node-agent DaemonSet `ferry install` creates, and the label its pods carry. */
export const NODE_AGENT_DAEMONSET = 'ferry-node-agent';
export const NODE_AGENT_POD_LABELS: Readonly<Record<string, string>> = { name: NODE_AGENT_DAEMONSET, component: 'ferry', role: 'node-agent' };
export const NODE_AGENT_CONTAINER = 'node-agent';

/**
 * The value of a node-agent flag in container args: `--flag=value`, or `--flag` and `value` as two args, as someone
 * editing the DaemonSet may write it (the node-agent's parser takes both).
 */
export function nodeAgentFlag(args: readonly string[], flag: string): string | undefined {
  for (const [i, arg] of args.entries()) {
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
    if (arg === flag) return args[i + 1];
  }
  return undefined;
}
export const SERVICE_ACCOUNT = 'ferry';

/** The Secret holding the password of every Ferry repository of an install (created by `ferry install`). */
export const REPOSITORY_SECRET = 'ferry-repository';
export const REPOSITORY_SECRET_KEY = 'password';

/** Velero's default credentials Secret when a BackupStorageLocation names none. */
export const DEFAULT_CREDENTIALS_SECRET = { name: 'cloud-credentials', key: 'cloud' } as const;

/** What the local cluster records about its S3 object store (a ConfigMap and a Secret of this name in `velero`). */
export const LOCAL_OBJECT_STORE = 'ferry-local-objectstore';
export const LOCAL_OBJECT_STORE_NAMESPACE = 'velero';

/** The data-mover's last words when it stopped because the data movement was canceled (Velero's wording). */
export const CANCELED_SUFFIX = 'data path is canceled';

/** Where a data-mover pod mounts the volume it moves: `/<DataUpload uid>`, as Velero does. */
export function backupVolumePath(ownerUid: string): string {
  return `/${ownerUid}`;
}
