/** Well-known annotations that components of a cluster use to talk to each other. */

/** Set on a WaitForFirstConsumer claim by the scheduler: the node whose pod will consume it, where to provision. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

/** Marks the cluster's default StorageClass; the DefaultStorageClass admission plugin still honours the beta key. */
export const DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

export function isDefaultStorageClass(sc: { metadata?: { annotations?: Record<string, string> | undefined } | undefined }): boolean {
  const annotations = sc.metadata?.annotations ?? {};
  return annotations[DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true' || annotations[BETA_DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true';
}
