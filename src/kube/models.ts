/**
 * Kubernetes objects as Ferry handles them: parsed JSON, typed after @kubernetes/client-node's model classes but as
 * plain object types (`Plain<T>`), since nothing is ever built with `new`. Timestamps in them are strings on the
 * wire: read them with `toMillis` from `time.ts`.
 */
import type {
  V1Affinity,
  V1ConfigMap,
  V1Container,
  V1ContainerStatus,
  V1DaemonSet,
  V1EnvFromSource,
  V1EnvVar,
  V1LabelSelector,
  V1LocalObjectReference,
  V1Namespace,
  V1Node,
  V1NodeSelector,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1ObjectMeta,
  V1OwnerReference,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDNSConfig,
  V1ResourceRequirements,
  V1Secret,
  V1StorageClass,
  V1Taint,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';

/**
 * A client model class as the plain object type it describes (deeply). Ferry only ever handles Kubernetes objects as
 * plain data (API responses and YAML files parse to plain objects; nothing is built with `new`), and values of these
 * types stay assignable to the client's classes.
 */
export type Plain<T> = T extends readonly (infer U)[]
  ? Plain<U>[]
  : T extends Date
    ? T
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

export type Affinity = Plain<V1Affinity>;
export type ConfigMap = Plain<V1ConfigMap>;
export type Container = Plain<V1Container>;
export type ContainerStatus = Plain<V1ContainerStatus>;
export type DaemonSet = Plain<V1DaemonSet>;
export type EnvFromSource = Plain<V1EnvFromSource>;
export type EnvVar = Plain<V1EnvVar>;
export type LabelSelector = Plain<V1LabelSelector>;
export type LocalObjectReference = Plain<V1LocalObjectReference>;
export type Namespace = Plain<V1Namespace>;
export type Node = Plain<V1Node>;
export type NodeSelector = Plain<V1NodeSelector>;
export type NodeSelectorRequirement = Plain<V1NodeSelectorRequirement>;
export type NodeSelectorTerm = Plain<V1NodeSelectorTerm>;
export type ObjectMeta = Plain<V1ObjectMeta>;
export type OwnerReference = Plain<V1OwnerReference>;
export type PersistentVolume = Plain<V1PersistentVolume>;
export type PersistentVolumeClaim = Plain<V1PersistentVolumeClaim>;
export type Pod = Plain<V1Pod>;
export type PodDNSConfig = Plain<V1PodDNSConfig>;
export type ResourceRequirements = Plain<V1ResourceRequirements>;
export type Secret = Plain<V1Secret>;
export type StorageClass = Plain<V1StorageClass>;
export type Taint = Plain<V1Taint>;
export type Toleration = Plain<V1Toleration>;
export type Volume = Plain<V1Volume>;
export type VolumeMount = Plain<V1VolumeMount>;
