/**
 * The objects a cluster with this driver has from the start, created when absent and left alone when present (an
 * administrator may have changed them): the CSIDriver, the StorageClasses `ferry-hostpath` (Immediate, the
 * default class) and `ferry-hostpath-wffc` (WaitForFirstConsumer), and the default VolumeSnapshotClass.
 */
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { createIfAbsent, type Manifest } from '../kubelet/api.js';
import { DRIVER_NAME } from './paths.js';
import { DEFAULT_SNAPSHOT_CLASS_ANNOTATION, SNAPSHOT_API_VERSION } from '../../kube/snapshots.js';
import { DEFAULT_STORAGE_CLASS_ANNOTATION } from '../../kube/annotations.js';

export const STORAGE_CLASS = 'ferry-hostpath';
export const WFFC_STORAGE_CLASS = 'ferry-hostpath-wffc';
export const SNAPSHOT_CLASS = 'ferry-hostpath-snapclass';


function storageClass(name: string, bindingMode: 'Immediate' | 'WaitForFirstConsumer', isDefault: boolean): Manifest {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, ...(isDefault ? { annotations: { [DEFAULT_STORAGE_CLASS_ANNOTATION]: 'true' } } : {}) },
    provisioner: DRIVER_NAME,
    reclaimPolicy: 'Delete',
    volumeBindingMode: bindingMode,
    allowVolumeExpansion: false,
  };
}

export const DRIVER_OBJECTS: readonly Manifest[] = [
  {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: DRIVER_NAME },
    // Nothing to attach on one machine: no VolumeAttachments are needed or created.
    spec: { attachRequired: false, podInfoOnMount: false, volumeLifecycleModes: ['Persistent'] },
  },
  storageClass(STORAGE_CLASS, 'Immediate', true),
  storageClass(WFFC_STORAGE_CLASS, 'WaitForFirstConsumer', false),
  {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'VolumeSnapshotClass',
    metadata: { name: SNAPSHOT_CLASS, annotations: { [DEFAULT_SNAPSHOT_CLASS_ANNOTATION]: 'true' } },
    driver: DRIVER_NAME,
    deletionPolicy: 'Delete',
  },
];

export async function installDriverObjects(objects: KubernetesObjectApi): Promise<void> {
  for (const manifest of DRIVER_OBJECTS) await createIfAbsent(() => objects.create(manifest));
}
