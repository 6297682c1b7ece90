/**
 * Delete: preconditions, propagation policy (Orphan and Foreground become the `orphan` / `foregroundDeletion`
 * finalizers the garbage collector acts on), graceful deletion (a bound pod stays until its kubelet deletes it again
 * with a zero grace period), and the outcomes: removed at once, or marked with a `deletionTimestamp` while
 * finalizers or the grace period hold it back.
 */
import { conflict, notFound } from '../errors.js';
import { clone, deepEqual } from '../json.js';
import { timestamp } from '../keys.js';
import type { KubeObject, ResourceType } from '../types.js';
import { groupResource, pendingFinalizers, present, storageForm, type OpsContext } from './common.js';
import { asStorable } from './create.js';
import { commit } from './update.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: PropagationPolicy | undefined;
  preconditions?: { uid?: string | undefined; resourceVersion?: string | undefined } | undefined;
  gracePeriodSeconds?: number | undefined;
}

export interface DeleteResult {
  object: KubeObject;
  /** False while finalizers or a grace period hold the object back. */
  deleted: boolean;
}

function checkPreconditions(type: ResourceType, obj: KubeObject, preconditions: DeleteOptions['preconditions']): void {
  const name = obj.metadata.name ?? '';
  const { uid, resourceVersion } = preconditions ?? {};
  if (uid !== undefined && uid !== obj.metadata.uid) {
    throw conflict(groupResource(type), name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${obj.metadata.uid ?? ''}`);
  }
  if (resourceVersion !== undefined && resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(
      groupResource(type),
      name,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`,
    );
  }
}

function remove(ctx: OpsContext, type: ResourceType, obj: KubeObject, dryRun: boolean): DeleteResult {
  if (dryRun) return { object: obj, deleted: true };
  const event = ctx.store.remove(type.storageKey, obj.metadata.namespace, obj.metadata.name ?? '');
  return { object: event === undefined ? obj : present(type, event.object), deleted: true };
}

export function deleteObject(ctx: OpsContext, type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions): DeleteResult {
  const stored = ctx.store.get(type.storageKey, type.namespaced ? namespace : undefined, name);
  if (stored === undefined) throw notFound(groupResource(type), name);
  const current = present(type, stored);
  checkPreconditions(type, current, options.preconditions);
  const dryRun = options.dryRun === true;
  const obj = clone(current);
  const policyFinalizer =
    options.propagationPolicy === 'Orphan' ? ORPHAN_FINALIZER : options.propagationPolicy === 'Foreground' ? FOREGROUND_FINALIZER : undefined;
  if (policyFinalizer !== undefined && !(obj.metadata.finalizers ?? []).includes(policyFinalizer)) {
    obj.metadata.finalizers = [...(obj.metadata.finalizers ?? []), policyFinalizer];
  }
  const grace = type.behavior.gracePeriodSeconds?.(current, options.gracePeriodSeconds) ?? 0;
  const now = ctx.now();

  if (current.metadata.deletionTimestamp !== undefined) {
    // A repeated delete may add a policy finalizer or cut the grace period short (the kubelet's final delete).
    const shortened = grace < (current.metadata.deletionGracePeriodSeconds ?? 0);
    if (shortened) {
      obj.metadata.deletionGracePeriodSeconds = grace;
      obj.metadata.deletionTimestamp = timestamp(now + grace * 1000);
      if (grace === 0 && pendingFinalizers(type, obj).length === 0) return remove(ctx, type, obj, dryRun);
    }
    if (dryRun || (!shortened && deepEqual(obj.metadata.finalizers, current.metadata.finalizers))) return { object: obj, deleted: false };
    return { object: commit(ctx, type, obj), deleted: false };
  }

  type.behavior.onDeletionStart?.(obj);
  if (grace === 0 && pendingFinalizers(type, obj).length === 0) return remove(ctx, type, obj, dryRun);
  obj.metadata.deletionTimestamp = timestamp(now + grace * 1000);
  obj.metadata.deletionGracePeriodSeconds = grace;
  if (type.behavior.tracksGeneration) obj.metadata.generation = (obj.metadata.generation ?? 0) + 1;
  if (dryRun) return { object: obj, deleted: false };
  return { object: present(type, ctx.store.put(type.storageKey, asStorable(storageForm(type, obj))).object), deleted: false };
}
