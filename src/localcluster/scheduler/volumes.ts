/**
 * The VolumeBinding plugin for PersistentVolumeClaims: a claim must exist and not be going away; a bound claim's
 * PersistentVolume must allow the node (`spec.nodeAffinity.required`); an unbound claim whose StorageClass binds
 * `WaitForFirstConsumer` is provisioned for the chosen node (its class's `allowedTopologies` must allow the node);
 * an unbound claim of any other class makes the pod wait for it (`pod has unbound immediate PersistentVolumeClaims`).
 */
import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1StorageClass, V1TopologySelectorTerm } from '@kubernetes/client-node';
import { matchNodeSelectorTerms } from '../../affinity/index.js';
import { reject, type Rejection } from './framework.js';

export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const REASON_VOLUME_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
/** Set by the PV controller once a claim and its volume point at each other. */
export const BIND_COMPLETED_ANNOTATION = 'pv.kubernetes.io/bind-completed';
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
const PLUGIN = 'VolumeBinding';

export interface VolumeListers {
  claim(namespace: string, name: string): V1PersistentVolumeClaim | undefined;
  volume(name: string): V1PersistentVolume | undefined;
  storageClass(name: string): V1StorageClass | undefined;
}

/** The pod's claims once PreFilter accepted them. */
export interface PodVolumes {
  bound: { claim: V1PersistentVolumeClaim; volume: V1PersistentVolume }[];
  /** Unbound WaitForFirstConsumer claims: provisioned for the node the pod gets. */
  toProvision: { claim: V1PersistentVolumeClaim; storageClass: V1StorageClass }[];
}

export type VolumePreFilter =
  | { ok: true; volumes: PodVolumes }
  /** `unresolvable`: the pod waits for the claims to change; `error`: a scheduler error (the reason is the message). */
  | { ok: false; kind: 'unresolvable' | 'error'; message: string };

function claimClass(claim: V1PersistentVolumeClaim): string {
  return claim.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? claim.spec?.storageClassName ?? '';
}

/**
 * Whether the claim is bound for scheduling purposes. kube-scheduler waits for the PV controller's bind-completed
 * annotation; a claim whose status already says Bound counts too, since the local cluster has no PV controller.
 */
export function isClaimBound(claim: V1PersistentVolumeClaim): boolean {
  if (!claim.spec?.volumeName) return false;
  return claim.metadata?.annotations?.[BIND_COMPLETED_ANNOTATION] !== undefined || claim.status?.phase === 'Bound';
}

/** Each volume that is a claim: its claim name, and whether it is a generic ephemeral volume's claim. */
function podClaimNames(pod: V1Pod): { name: string; ephemeral: boolean }[] {
  return (pod.spec?.volumes ?? []).flatMap((v): { name: string; ephemeral: boolean }[] => {
    if (v.persistentVolumeClaim) return [{ name: v.persistentVolumeClaim.claimName, ephemeral: false }];
    if (v.ephemeral) return [{ name: `${pod.metadata?.name ?? ''}-${v.name}`, ephemeral: true }];
    return [];
  });
}

export function preFilterVolumes(pod: V1Pod, listers: VolumeListers): VolumePreFilter {
  const namespace = pod.metadata?.namespace ?? 'default';
  const volumes: PodVolumes = { bound: [], toProvision: [] };
  let unboundImmediate = false;
  const fail = (message: string): VolumePreFilter => ({ ok: false, kind: 'unresolvable', message });
  for (const { name, ephemeral } of podClaimNames(pod)) {
    const claim = listers.claim(namespace, name);
    if (claim === undefined) {
      return fail(ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`);
    }
    if (claim.status?.phase === 'Lost') return fail(`persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${claim.spec?.volumeName ?? ''}"`);
    if (claim.metadata?.deletionTimestamp) return fail(`persistentvolumeclaim "${name}" is being deleted`);
    if (isClaimBound(claim)) {
      const pvName = claim.spec?.volumeName ?? '';
      const volume = listers.volume(pvName);
      if (volume === undefined) return { ok: false, kind: 'error', message: `persistentvolume "${pvName}" not found` };
      volumes.bound.push({ claim, volume });
      continue;
    }
    const storageClass = listers.storageClass(claimClass(claim));
    if (storageClass?.volumeBindingMode === 'WaitForFirstConsumer' && !claim.spec?.volumeName) volumes.toProvision.push({ claim, storageClass });
    else unboundImmediate = true;
  }
  if (unboundImmediate) return { ok: false, kind: 'unresolvable', message: REASON_UNBOUND_IMMEDIATE };
  return { ok: true, volumes };
}

/** `v1helper.MatchTopologySelectorTerms`: no terms allow every node; otherwise one term's every expression must hold. */
function matchesTopology(terms: readonly V1TopologySelectorTerm[] | undefined, node: V1Node): boolean {
  if (terms === undefined || terms.length === 0) return true;
  const labels = node.metadata?.labels ?? {};
  return terms.some((term) => (term.matchLabelExpressions ?? []).every((e) => labels[e.key] !== undefined && e.values.includes(labels[e.key] ?? '')));
}

/** Whether a claim's volume (or the volume provisioned for it) may be used from `node`. */
export function filterVolumes(volumes: PodVolumes, node: V1Node): Rejection | undefined {
  for (const { volume } of volumes.bound) {
    const terms = volume.spec?.nodeAffinity?.required?.nodeSelectorTerms;
    if (terms !== undefined && !matchNodeSelectorTerms(terms, node)) return reject(PLUGIN, 'UnschedulableAndUnresolvable', REASON_VOLUME_NODE_CONFLICT);
  }
  for (const { storageClass } of volumes.toProvision) {
    // Static volumes for WaitForFirstConsumer classes are not matched: without a provisioner nothing can bind here.
    if (!storageClass.provisioner || storageClass.provisioner === NO_PROVISIONER || !matchesTopology(storageClass.allowedTopologies, node)) {
      return reject(PLUGIN, 'UnschedulableAndUnresolvable', REASON_BIND_CONFLICT);
    }
  }
  return undefined;
}
