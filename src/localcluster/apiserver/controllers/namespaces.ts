/**
 * The namespace controller: every new namespace gets its `default` ServiceAccount; a namespace being deleted has
 * its contents deleted, and once nothing is left its `kubernetes` finalizer is removed so the namespace goes away.
 */
import { asArray, asRecord, clone } from '../json.js';
import { NAMESPACES } from '../keys.js';
import { present } from '../ops/common.js';
import { createObject } from '../ops/create.js';
import { deleteObject } from '../ops/delete.js';
import { commit } from '../ops/update.js';
import type { StoreEvent } from '../types.js';
import { Controller } from './controller.js';

export class NamespaceController extends Controller {

  override observe(event: StoreEvent): void {
    const obj = event.object;
    if (event.storageKey === NAMESPACES) {
      if (event.type === 'ADDED' && obj.metadata.deletionTimestamp === undefined) {
        this.queue.enqueue(`sa:${obj.metadata.name}`, () => {
          this.#ensureServiceAccount(obj.metadata.name);
        });
      }
      if (event.type !== 'DELETED' && obj.metadata.deletionTimestamp !== undefined) this.#enqueueSweep(obj.metadata.name);
      return;
    }
    const namespace = obj.metadata.namespace;
    if (event.type === 'DELETED' && namespace !== undefined && this.ctx.store.get(NAMESPACES, undefined, namespace)?.metadata.deletionTimestamp !== undefined) {
      this.#enqueueSweep(namespace);
    }
  }

  #enqueueSweep(namespace: string): void {
    this.queue.enqueue(`sweep:${namespace}`, () => {
      this.#sweep(namespace);
    });
  }

  #ensureServiceAccount(namespace: string): void {
    const type = this.ctx.registry.lookup('', 'v1', 'serviceaccounts');
    if (type === undefined || this.ctx.store.get(type.storageKey, namespace, 'default') !== undefined) return;
    if (this.ctx.store.get(NAMESPACES, undefined, namespace)?.metadata.deletionTimestamp !== undefined) return;
    createObject(this.ctx, type, namespace, { metadata: { name: 'default' } }, {});
  }

  #sweep(namespace: string): void {
    let remaining = 0;
    for (const storageKey of this.ctx.registry.namespacedStorageKeys()) {
      const type = this.ctx.registry.byStorageKey(storageKey);
      if (type === undefined) continue;
      for (const obj of this.ctx.store.list(storageKey, namespace)) {
        remaining++;
        if (obj.metadata.deletionTimestamp === undefined) deleteObject(this.ctx, type, namespace, obj.metadata.name, { propagationPolicy: 'Background' });
      }
    }
    if (remaining > 0) return;
    const nsType = this.ctx.registry.lookup('', 'v1', 'namespaces');
    const ns = this.ctx.store.get(NAMESPACES, undefined, namespace);
    if (nsType === undefined || ns === undefined) return;
    const next = clone(present(nsType, ns));
    const spec = asRecord(next['spec']);
    next['spec'] = { ...spec, finalizers: asArray(spec['finalizers']).filter((f) => f !== 'kubernetes') };
    commit(this.ctx, nsType, next);
  }
}
