/**
 * Update (PUT, and every PATCH once applied): resourceVersion preconditions (409 Conflict), server-owned metadata
 * kept, the status kept by writes to the main resource and written through `…/status` (ops/status.ts), generation
 * bumped on spec changes, finalizer rules, and removal once a deleting object's last finalizer is gone. An update
 * that changes nothing writes nothing.
 */
import { decodeObject } from '../decode.js';
import { badRequest, conflict, fieldErr, invalid, notFound, STALE_OBJECT } from '../errors.js';
import { asRecord, clone, deepEqual } from '../json.js';
import { timestamp } from '../keys.js';
import type { KubeObject, ResourceType, StoredObject } from '../types.js';
import { applySchema, groupResource, pendingFinalizers, present, storageForm, validateObject, type OpsContext, type WriteOptions } from './common.js';
import { asStorable, settleNamespace } from './create.js';
import { keepStoredMetadata, statusWrite } from './status.js';

export interface UpdateOptions extends WriteOptions {
  /** `status` writes the status (and, for built-in kinds, the metadata); `finalize` (namespaces) only `spec.finalizers`. */
  subresource?: 'status' | 'finalize' | undefined;
}

const keepServerOwned = keepStoredMetadata('uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation');

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
  // Custom resources refuse unconditional updates of their status too: the status strategy inherits that rule.
  if ((precondition === undefined || precondition === '') && type.behavior.requiresResourceVersionOnUpdate) {
    throw invalid(type, name, [fieldErr.invalid('metadata.resourceVersion', 0, 'must be specified for an update')]);
  }

  let next: KubeObject;
  if (options.subresource === 'status') {
    next = statusWrite(type, old, incoming, timestamp(ctx.now()));
  } else if (options.subresource === 'finalize') {
    next = { ...clone(old), spec: { ...asRecord(old['spec']), finalizers: asRecord(incoming['spec'])['finalizers'] ?? [] } };
  } else {
    next = incoming;
    if (type.behavior.statusSubresource) {
      if (old['status'] === undefined) delete next['status'];
      else next['status'] = clone(old['status']);
    }
  }
  keepServerOwned(next, old);
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
