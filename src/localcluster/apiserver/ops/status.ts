/**
 * Writes through `…/status`, as kube-apiserver's status strategies do them: the status comes from the request, the
 * spec (everything outside metadata and status) from the stored object. Built-in kinds take the metadata from the
 * request too, so a status write may change labels or finalizers, minus what the kind resets (`keepStoredMetadata`);
 * custom resources change nothing but the status.
 */
import { clone, removeField } from '../json.js';
import type { KubeObject, ObjectMeta, ResourceType } from '../types.js';

export function statusWrite(type: ResourceType, old: KubeObject, incoming: KubeObject, now: string): KubeObject {
  const next: KubeObject = { ...clone(old), metadata: type.behavior.customResource ? clone(old.metadata) : incoming.metadata };
  if (incoming['status'] === undefined) delete next['status'];
  else next['status'] = incoming['status'];
  type.behavior.prepareStatusUpdate?.(next, old, now);
  return next;
}

/** A status strategy that also keeps these metadata fields of the stored object (pods: their owner references). */
export function keepStoredMetadata(...fields: readonly (keyof ObjectMeta & string)[]): (next: KubeObject, old: KubeObject) => void {
  return (next, old) => {
    const meta: Record<string, unknown> = next.metadata;
    for (const field of fields) {
      if (old.metadata[field] === undefined) removeField(meta, field);
      else meta[field] = clone(old.metadata[field]);
    }
  };
}
