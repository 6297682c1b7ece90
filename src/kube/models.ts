/**
 * Kubernetes objects as Ferry handles them: parsed JSON, typed after @kubernetes/client-node's model classes but as
 * plain object types (`Plain<T>`), since nothing is ever built with `new`. Timestamps in them are strings on the
 * wire: read them with `toMillis` from `time.ts`.
 */
import type {
  V1ConfigMap,
  V1Container,
  V1ContainerStatus,
  V1DaemonSet,
  V1EnvFromSource,
  V1EnvVar,
  V1LocalObjectReference,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
  V1OwnerReference,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDNSConfig,
  V1ResourceRequirements,
  V1Secret,
  V1StorageClass,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { Plain } from '../affinity/kube-types.js';

export type { Plain };
export type ConfigMap = Plain<V1ConfigMap>;
export type Container = Plain<V1Container>;
export type ContainerStatus = Plain<V1ContainerStatus>;
export type DaemonSet = Plain<V1DaemonSet>;
export type EnvFromSource = Plain<V1EnvFromSource>;
export type EnvVar = Plain<V1EnvVar>;
export type LocalObjectReference = Plain<V1LocalObjectReference>;
export type Namespace = Plain<V1Namespace>;
export type Node = Plain<V1Node>;
export type ObjectMeta = Plain<V1ObjectMeta>;
export type OwnerReference = Plain<V1OwnerReference>;
export type PersistentVolume = Plain<V1PersistentVolume>;
export type PersistentVolumeClaim = Plain<V1PersistentVolumeClaim>;
export type Pod = Plain<V1Pod>;
export type PodDNSConfig = Plain<V1PodDNSConfig>;
export type ResourceRequirements = Plain<V1ResourceRequirements>;
export type Secret = Plain<V1Secret>;
export type StorageClass = Plain<V1StorageClass>;
export type Toleration = Plain<V1Toleration>;
export type Volume = Plain<V1Volume>;
export type VolumeMount = Plain<V1VolumeMount>;
