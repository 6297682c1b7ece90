/** What the driver's controllers share: API clients, the caches of the objects they watch, and where data lives. */
import type { CoreV1Api, CustomObjectsApi, KubernetesObjectApi, V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { Informer } from '../../kube/informer.js';
import type { Logger } from '../../util/log.js';
import { ignoreNotFound } from '../kubelet/api.js';
import type { EventRecorder, EventSubject } from '../kubelet/events.js';
import { DEFAULT_STORAGE_CLASS_ANNOTATION } from '../../kube/annotations.js';
import { DRIVER_NAME } from './paths.js';
import type { RoundRobin, Topology } from './topology.js';
import { DEFAULT_SNAPSHOT_CLASS_ANNOTATION, type Observed, type VolumeSnapshot, type VolumeSnapshotClass, type VolumeSnapshotContent } from '../../kube/snapshots.js';

export interface DriverContext {
  dir: string;
  topology: Topology;
  core: CoreV1Api;
  objects: KubernetesObjectApi;
  custom: CustomObjectsApi;
  events: EventRecorder;
  logger: Logger;
  claims: Informer<V1PersistentVolumeClaim>;
  volumes: Informer<V1PersistentVolume>;
  classes: Informer<V1StorageClass>;
  nodes: Informer<V1Node>;
  snapshots: Informer<Observed<VolumeSnapshot>>;
  contents: Informer<Observed<VolumeSnapshotContent>>;
  snapshotClasses: Informer<Observed<VolumeSnapshotClass>>;
  roundRobin: RoundRobin;
}

export function claimSubject(claim: V1PersistentVolumeClaim): EventSubject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: claim.metadata };
}

/** The claim's class; a claim without `storageClassName` gets the default class (DefaultStorageClass admission). */
export function claimClass(ctx: DriverContext, claim: V1PersistentVolumeClaim): V1StorageClass | undefined {
  const name = claim.spec?.storageClassName;
  if (name !== undefined) return ctx.classes.get(name);
  return ctx.classes.list().find((c) => c.metadata?.annotations?.[DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true');
}

export function snapshotClassFor(ctx: DriverContext, name: string | undefined): Observed<VolumeSnapshotClass> | undefined {
  if (name !== undefined && name !== '') return ctx.snapshotClasses.get(name);
  return ctx.snapshotClasses.list().find((c) => c.driver === DRIVER_NAME && c.metadata?.annotations?.[DEFAULT_SNAPSHOT_CLASS_ANNOTATION] === 'true');
}

export function isOurVolume(pv: V1PersistentVolume | undefined): boolean {
  return pv?.spec?.csi?.driver === DRIVER_NAME;
}

/**
 * Whether an object is really gone: caches of different watches lag each other, so anything destructive is
 * decided on a fresh read.
 */
export async function confirmedGone(read: () => Promise<unknown>): Promise<boolean> {
  return (await ignoreNotFound(read())) === undefined;
}
