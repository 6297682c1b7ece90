/** Builders for the scheduler's unit tests: nodes with room, pods with only the fields a test cares about. */
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1StorageClass } from '@kubernetes/client-node';
import type { Node, Plain } from '../../kube/models.js';
import { node as affinityNode, type NodeSpec } from '../../affinity/testing.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';
import type { VolumeListers } from './volumes.js';

export type Pod = Plain<V1Pod>;
type PodSpec = NonNullable<Pod['spec']>;

export interface TestNodeSpec extends NodeSpec {
  allocatable?: Record<string, string>;
}

/** A Ready node with 4 CPUs, 16Gi and 110 pods allocatable unless told otherwise. */
export function node(name: string, { allocatable, ...spec }: TestNodeSpec = {}): Node {
  const built = affinityNode(name, spec);
  return { ...built, status: { ...built.status, allocatable: { cpu: '4', memory: '16Gi', pods: '110', ...allocatable } } };
}

/** A pending pod in `default` with one container and the given spec fields. */
export function pod(name: string, spec: Partial<PodSpec> = {}, labels: Record<string, string> = {}): Pod {
  return { metadata: { name, namespace: 'default', labels, uid: `uid-${name}` }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

/** A pod already running on `nodeName`. */
export function running(name: string, nodeName: string, spec: Partial<PodSpec> = {}, labels: Record<string, string> = {}): Pod {
  const p = pod(name, { ...spec, nodeName }, labels);
  return { ...p, status: { phase: 'Running' } };
}

export function requests(resources: Record<string, string>): Partial<PodSpec> {
  return { containers: [{ name: 'c', image: 'busybox', resources: { requests: resources } }] };
}

export function snapshot(nodes: readonly Node[], pods: readonly Pod[] = []): Snapshot {
  return buildSnapshot(nodes, pods, new Map());
}

export interface Storage {
  claims?: Plain<V1PersistentVolumeClaim>[];
  volumes?: Plain<V1PersistentVolume>[];
  classes?: Plain<V1StorageClass>[];
}

export function listers({ claims = [], volumes = [], classes = [] }: Storage = {}): VolumeListers {
  return {
    claim: (namespace, name) => claims.find((c) => c.metadata?.namespace === namespace && c.metadata.name === name),
    volume: (name) => volumes.find((v) => v.metadata?.name === name),
    storageClass: (name) => classes.find((c) => c.metadata?.name === name),
  };
}
