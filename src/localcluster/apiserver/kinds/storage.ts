/** PersistentVolume, PersistentVolumeClaim, StorageClass and CSIDriver defaulting and validation. */
import { fieldErr } from '../errors.js';
import { asArray, asRecord, asString, clone, deepEqual, isRecord } from '../json.js';
import { isDefaultStorageClass } from '../../../kube/annotations.js';
import { compareText } from '../../../util/compare.js';
import { STORAGE_CLASSES } from '../keys.js';
import type { FieldError, KubeObject } from '../types.js';

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

function setDefault(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function validateAccessModes(modes: unknown, path: string): FieldError[] {
  const list = asArray(modes);
  if (list.length === 0) return [fieldErr.required(path, 'at least 1 access mode is required')];
  return list.flatMap((m) => (ACCESS_MODES.includes(String(m)) ? [] : [fieldErr.notSupported(path, m, ACCESS_MODES)]));
}

export function defaultPersistentVolume(pv: KubeObject): void {
  if (!isRecord(pv['spec'])) return;
  setDefault(pv['spec'], 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(pv['spec'], 'volumeMode', 'Filesystem');
}

export function validatePersistentVolume(pv: KubeObject): FieldError[] {
  const spec = asRecord(pv['spec']);
  const errs = validateAccessModes(spec['accessModes'], 'spec.accessModes');
  if (asString(asRecord(spec['capacity'])['storage']) === undefined) errs.push(fieldErr.required('spec.capacity'));
  return errs;
}

export function defaultPersistentVolumeClaim(pvc: KubeObject): void {
  if (isRecord(pvc['spec'])) setDefault(pvc['spec'], 'volumeMode', 'Filesystem');
}

/**
 * The DefaultStorageClass admission plugin: a claim created without `storageClassName` (absent, not "") gets the
 * default class, the newest one when several are marked, so `kubectl get pvc` and Ferry see the class it binds with.
 */
export function admitPersistentVolumeClaim(pvc: KubeObject, list: (storageKey: string) => readonly KubeObject[]): void {
  const spec = pvc['spec'];
  if (!isRecord(spec) || (spec['storageClassName'] !== undefined && spec['storageClassName'] !== null)) return;
  const newest = list(STORAGE_CLASSES)
    .filter(isDefaultStorageClass)
    .sort((a, b) => compareText(b.metadata.creationTimestamp ?? '', a.metadata.creationTimestamp ?? '') || compareText(a.metadata.name ?? '', b.metadata.name ?? ''))[0];
  if (newest?.metadata.name !== undefined) spec['storageClassName'] = newest.metadata.name;
}

/** The claim's spec with what may change after creation removed: requests (expansion) and a first volumeName. */
function immutablePart(spec: unknown, oldVolumeName: unknown): Record<string, unknown> {
  const s = clone(asRecord(spec));
  delete s['volumeAttributesClassName'];
  if (isRecord(s['resources'])) delete s['resources']['requests'];
  if (oldVolumeName === undefined || oldVolumeName === '') delete s['volumeName'];
  return s;
}

export function validatePersistentVolumeClaim(pvc: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asRecord(pvc['spec']);
  const errs = validateAccessModes(spec['accessModes'], 'spec.accessModes');
  if (asRecord(asRecord(spec['resources'])['requests'])['storage'] === undefined) errs.push(fieldErr.required('spec.resources[storage]'));
  if (old !== undefined) {
    const oldVolume = asRecord(old['spec'])['volumeName'];
    if (!deepEqual(immutablePart(spec, oldVolume), immutablePart(old['spec'], oldVolume))) {
      errs.push(fieldErr.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
  }
  return errs;
}

export function initialClaimStatus(): Record<string, unknown> {
  return { phase: 'Pending' };
}

export function initialVolumeStatus(pv: KubeObject): Record<string, unknown> {
  return { phase: 'Pending', lastPhaseTransitionTime: pv.metadata.creationTimestamp };
}

/**
 * A PV status write stamps `lastPhaseTransitionTime` when the phase changes and the writer left the time alone, and
 * keeps the stored time when the phase stays and the writer sent none (PersistentVolumeLastPhaseTransitionTime, GA in
 * 1.31).
 */
export function stampPhaseTransition(pv: KubeObject, old: KubeObject, now: string): void {
  const status = asRecord(pv['status']);
  pv['status'] = status;
  const before = asRecord(old['status']);
  const sent = status['lastPhaseTransitionTime'] ?? undefined;
  if (status['phase'] === before['phase']) {
    if (sent === undefined && before['lastPhaseTransitionTime'] !== undefined) status['lastPhaseTransitionTime'] = before['lastPhaseTransitionTime'];
  } else if (sent === undefined || sent === before['lastPhaseTransitionTime']) {
    status['lastPhaseTransitionTime'] = now;
  }
}

export function defaultStorageClass(sc: KubeObject): void {
  setDefault(sc, 'reclaimPolicy', 'Delete');
  setDefault(sc, 'volumeBindingMode', 'Immediate');
}

const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];

export function validateStorageClass(sc: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if ((asString(sc['provisioner']) ?? '') === '') errs.push(fieldErr.required('provisioner'));
  const mode = sc['volumeBindingMode'];
  if (!BINDING_MODES.includes(String(mode))) errs.push(fieldErr.notSupported('volumeBindingMode', mode, BINDING_MODES));
  if (old !== undefined) {
    for (const field of ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode']) {
      if (!deepEqual(sc[field], old[field])) errs.push(fieldErr.forbidden(field, `updates to ${field} are forbidden.`));
    }
  }
  return errs;
}

export function defaultCSIDriver(driver: KubeObject): void {
  const spec = isRecord(driver['spec']) ? driver['spec'] : {};
  setDefault(spec, 'attachRequired', true);
  setDefault(spec, 'podInfoOnMount', false);
  setDefault(spec, 'requiresRepublish', false);
  setDefault(spec, 'storageCapacity', false);
  setDefault(spec, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
  setDefault(spec, 'volumeLifecycleModes', ['Persistent']);
  driver['spec'] = spec;
}
