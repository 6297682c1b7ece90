/**
 * The CRD controller: serves a CRD's resources from the moment it is stored (synchronously, so the create response
 * and discovery agree), keeps its status in step with its names and versions, and on deletion removes every
 * custom resource of it before dropping the cleanup finalizer and the served resources.
 */
import { CRD_CLEANUP_FINALIZER, crdStatus } from '../crd/behavior.js';
import { crdResourceTypes } from '../crd/resource-types.js';
import { asArray, asRecord, asString, clone, deepEqual } from '../json.js';
import { CRDS, timestamp } from '../keys.js';
import { present } from '../ops/common.js';
import { deleteObject } from '../ops/delete.js';
import { commit } from '../ops/update.js';
import type { StoreEvent, StoredObject } from '../types.js';
import { Controller } from './controller.js';

function crdStorageKey(crd: StoredObject): string {
  const spec = asRecord(crd['spec']);
  return `${asString(spec['group']) ?? ''}/${asString(asRecord(spec['names'])['plural']) ?? ''}`;
}

export class CrdController extends Controller {

  override observe(event: StoreEvent): void {
    if (event.storageKey === CRDS) {
      const crd = event.object;
      if (event.type === 'DELETED') {
        this.ctx.registry.setDynamic(crd.metadata.name, []);
        return;
      }
      this.ctx.registry.setDynamic(crd.metadata.name, crdResourceTypes(crd));
      this.queue.enqueue(`crd:${crd.metadata.name}`, () => {
        this.#sync(crd.metadata.name);
      });
      return;
    }
    if (event.type === 'DELETED') {
      const owner = this.#definitionOf(event.storageKey);
      if (owner?.metadata.deletionTimestamp !== undefined) {
        this.queue.enqueue(`crd:${owner.metadata.name}`, () => {
          this.#sync(owner.metadata.name);
        });
      }
    }
  }

  #definitionOf(storageKey: string): StoredObject | undefined {
    const [group = '', plural = ''] = storageKey.split('/');
    return group === '' ? undefined : this.ctx.store.get(CRDS, undefined, `${plural}.${group}`);
  }

  #sync(name: string): void {
    const type = this.ctx.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    const stored = this.ctx.store.get(CRDS, undefined, name);
    if (type === undefined || stored === undefined) return;
    if (stored.metadata.deletionTimestamp !== undefined) {
      this.#cleanUp(stored);
      return;
    }
    const crd = present(type, stored);
    const status = asRecord(crd['status']);
    const wanted = crdStatus(crd, timestamp(this.ctx.now()));
    const storedVersions = asArray(wanted['storedVersions']);
    if (deepEqual(status['acceptedNames'], wanted['acceptedNames']) && deepEqual(status['storedVersions'], storedVersions)) return;
    const next = clone(crd);
    next['status'] = { ...status, acceptedNames: wanted['acceptedNames'], storedVersions, conditions: status['conditions'] ?? wanted['conditions'] };
    commit(this.ctx, type, next);
  }

  #cleanUp(crd: StoredObject): void {
    const storageKey = crdStorageKey(crd);
    const resourceType = this.ctx.registry.byStorageKey(storageKey);
    const objects = this.ctx.store.list(storageKey);
    if (resourceType !== undefined) {
      for (const obj of objects) {
        if (obj.metadata.deletionTimestamp === undefined) {
          deleteObject(this.ctx, resourceType, obj.metadata.namespace, obj.metadata.name, { propagationPolicy: 'Background' });
        }
      }
    }
    if (this.ctx.store.count(storageKey) > 0) return;
    const crdType = this.ctx.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (crdType === undefined) return;
    const next = clone(present(crdType, crd));
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    commit(this.ctx, crdType, next);
  }
}
