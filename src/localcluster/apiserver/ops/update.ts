/**
 * Update (PUT, and every PATCH once applied): resourceVersion preconditions (409 Conflict), server-owned metadata
 * kept, status kept or alone changed depending on the subresource, generation bumped on spec changes, finalizer
 * rules, and removal once a deleting object's last finalizer is gone. An update that changes nothing writes nothing.
 */
import { decodeObject } from '../decode.js';
import { badRequest, conflict, fieldErr, invalid, notFound, STALE_OBJECT } from '../errors.js';
import { asRecord, clone, deepEqual, removeField } from '../json.js';
import type { KubeObject, ResourceType, StoredObject } from '../types.js';
import { applySchema, groupResource, pendingFinalizers, present, storageForm, validateObject, type OpsContext, type WriteOptions } from './common.js';
import { asStorable, settleNamespace } from './create.js';

export interface UpdateOptions extends WriteOptions {
  /** `status` changes only the status; `finalize` (namespaces) only `spec.finalizers`. */
  subresource?: 'status' | 'finalize' | undefined;
}

const SERVER_OWNED = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const;

function withoutMetaAndStatus(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, resourceVersion: '', managedFields: undefined } });
  return deepEqual(JSON.parse(JSON.stringify(strip(a))), JSON.parse(JSON.stringify(strip(b))));
}

/** Writes a changed object, or removes it when it is being deleted and nothing holds it back any more. */
export function commit(ctx: OpsContext, type: ResourceType, obj: KubeObject): StoredObject {
  const storable = asStorable(storageForm(type, obj));
  if (obj.metadata.deletionTimestamp !== undefined && pendingFinalizers(type, obj).length === 0) {
    const event = ctx.store.remove(type.storageKey, obj.metadata.namespace, storable.metadata.name, storable);
    if (event !== undefined) return present(type, event.object);
  }
  return present(type, ctx.store.put(type.storageKey, storable).object);
}

export function updateObject(
  ctx: OpsContext,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  body: unknown,
  options: UpdateOptions,
): KubeObject {
  const incoming = decodeObject(clone(body), type);
  if (incoming.metadata.name !== name) {
    throw badRequest(`the name of the object (${incoming.metadata.name ?? ''}) does not match the name on the URL (${name})`);
  }
  settleNamespace(type, incoming, namespace);
  const stored = ctx.store.get(type.storageKey, type.namespaced ? namespace : undefined, name);
  if (stored === undefined) throw notFound(groupResource(type), name);
  const old = present(type, stored);
  const precondition = incoming.metadata.resourceVersion;
  if (precondition !== undefined && precondition !== '' && precondition !== old.metadata.resourceVersion) {
    throw conflict(groupResource(type), name, STALE_OBJECT);
  }
  if ((precondition === undefined || precondition === '') && type.behavior.requiresResourceVersionOnUpdate && options.subresource === undefined) {
    throw invalid(type, name, [fieldErr.invalid('metadata.resourceVersion', 0, 'must be specified for an update')]);
  }

  let next: KubeObject;
  if (options.subresource === 'status') {
    next = { ...clone(old) };
    if (incoming['status'] === undefined) delete next['status'];
    else next['status'] = incoming['status'];
  } else if (options.subresource === 'finalize') {
    next = { ...clone(old), spec: { ...asRecord(old['spec']), finalizers: asRecord(incoming['spec'])['finalizers'] ?? [] } };
  } else {
    next = incoming;
    const meta: Record<string, unknown> = next.metadata;
    for (const field of SERVER_OWNED) {
      if (old.metadata[field] === undefined) removeField(meta, field);
      else meta[field] = old.metadata[field];
    }
    if (type.behavior.statusSubresource) {
      if (old['status'] === undefined) delete next['status'];
      else next['status'] = clone(old['status']);
    }
  }
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  applySchema(type, next, options);
  type.behavior.defaults?.(next);
  if (type.behavior.tracksGeneration && !deepEqual(withoutMetaAndStatus(next), withoutMetaAndStatus(old))) {
    next.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
  if (old.metadata.deletionTimestamp !== undefined) {
    const added = (next.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
    if (added.length > 0) {
      throw invalid(type, name, [fieldErr.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`)]);
    }
  }
  validateObject(type, next, old);
  if (sameContent(next, old)) return old;
  if (options.dryRun === true) return next;
  return commit(ctx, type, next);
}
