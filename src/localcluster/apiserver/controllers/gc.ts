/**
 * The garbage collector: dependents (objects whose ownerReferences name a uid) are deleted in the background once
 * none of their owners exists any more, lose the reference when other owners remain, are orphaned when the owner is
 * deleted with `propagationPolicy: Orphan`, and are deleted first when it is deleted with `Foreground`.
 */
import { clone } from '../json.js';
import { present } from '../ops/common.js';
import { deleteObject, FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../ops/delete.js';
import { commit } from '../ops/update.js';
import type { StoreEvent, StoredObject } from '../types.js';
import { Controller } from './controller.js';

interface Ref {
  storageKey: string;
  namespace: string | undefined;
  name: string;
}

export class GarbageCollector extends Controller {
  /** owner uid → dependents, keyed by `storageKey|namespace|name`. */
  readonly #dependents = new Map<string, Map<string, Ref>>();

  override observe(event: StoreEvent): void {
    const obj = event.object;
    const ref: Ref = { storageKey: event.storageKey, namespace: obj.metadata.namespace, name: obj.metadata.name };
    const key = `${ref.storageKey}|${ref.namespace ?? ''}|${ref.name}`;
    for (const owner of event.previous?.metadata.ownerReferences ?? []) {
      const set = this.#dependents.get(owner.uid);
      set?.delete(key);
      if (set?.size === 0) this.#dependents.delete(owner.uid);
    }
    if (event.type !== 'DELETED') {
      for (const owner of obj.metadata.ownerReferences ?? []) {
        let set = this.#dependents.get(owner.uid);
        if (set === undefined) {
          set = new Map();
          this.#dependents.set(owner.uid, set);
        }
        set.set(key, ref);
      }
    }
    if (event.type === 'DELETED') {
      this.queue.enqueue(`owner-gone:${obj.metadata.uid}`, () => {
        this.#ownerGone(obj.metadata.uid);
      });
      for (const owner of obj.metadata.ownerReferences ?? []) this.queue.enqueue(`owner:${owner.uid}`, () => { this.#syncOwner(owner.uid); });
      return;
    }
    if ((obj.metadata.ownerReferences ?? []).length > 0) this.queue.enqueue(`dependent:${key}`, () => { this.#syncDependent(ref); });
    if (obj.metadata.deletionTimestamp !== undefined) this.queue.enqueue(`owner:${obj.metadata.uid}`, () => { this.#syncOwner(obj.metadata.uid); });
  }

  #refs(uid: string): Ref[] {
    return [...(this.#dependents.get(uid)?.values() ?? [])];
  }

  #typed(ref: Ref): { obj: StoredObject; commitChange: (next: StoredObject) => void; remove: () => void } | undefined {
    const type = this.ctx.registry.byStorageKey(ref.storageKey);
    const stored = this.ctx.store.get(ref.storageKey, ref.namespace, ref.name);
    if (type === undefined || stored === undefined) return undefined;
    return {
      obj: present(type, stored),
      commitChange: (next) => commit(this.ctx, type, next),
      remove: () => deleteObject(this.ctx, type, ref.namespace, ref.name, { propagationPolicy: 'Background' }),
    };
  }

  /** A dependent whose owners are all gone is deleted; references to missing owners are dropped otherwise. */
  #syncDependent(ref: Ref): void {
    const target = this.#typed(ref);
    if (target === undefined) return;
    const owners = target.obj.metadata.ownerReferences ?? [];
    const alive = owners.filter((o) => this.#ownerAlive(o.uid));
    if (alive.length === owners.length) return;
    if (alive.length === 0) {
      if (target.obj.metadata.deletionTimestamp === undefined) target.remove();
      return;
    }
    const next = clone(target.obj);
    next.metadata.ownerReferences = alive;
    target.commitChange(next);
  }

  #ownerAlive(uid: string): boolean {
    const owner = this.ctx.store.getByUid(uid);
    // An owner being deleted in the foreground or with orphaning still exists for its dependents.
    return owner !== undefined;
  }

  #ownerGone(uid: string): void {
    for (const ref of this.#refs(uid)) this.#syncDependent(ref);
  }

  /** Handles an owner being deleted with the `orphan` or `foregroundDeletion` finalizer. */
  #syncOwner(uid: string): void {
    const owner = this.ctx.store.getByUid(uid);
    if (owner?.metadata.deletionTimestamp === undefined) return;
    const finalizers = owner.metadata.finalizers ?? [];
    const dependents = this.#refs(uid);
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const ref of dependents) {
        const target = this.#typed(ref);
        if (target === undefined) continue;
        const next = clone(target.obj);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
        target.commitChange(next);
      }
      this.#dropFinalizer(owner, ORPHAN_FINALIZER);
    } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
      const remaining = dependents.filter((ref) => this.ctx.store.get(ref.storageKey, ref.namespace, ref.name) !== undefined);
      if (remaining.length === 0) {
        this.#dropFinalizer(owner, FOREGROUND_FINALIZER);
        return;
      }
      for (const ref of remaining) {
        const target = this.#typed(ref);
        if (target !== undefined && target.obj.metadata.deletionTimestamp === undefined) target.remove();
      }
    }
  }

  #dropFinalizer(owner: StoredObject, finalizer: string): void {
    const found = this.ctx.store.locate(owner.metadata.uid);
    if (found === undefined) return;
    const target = this.#typed({ storageKey: found.storageKey, namespace: owner.metadata.namespace, name: owner.metadata.name });
    if (target === undefined) return;
    const next = clone(target.obj);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    target.commitChange(next);
  }
}
