/**
 * What create, update and delete share: the context they run in, version conversion at the edge, schema pruning with
 * server-side field validation, and the validation that ends in 422 Invalid.
 */
import { badRequest, invalid, type GroupResource } from '../errors.js';
import type { ResourceRegistry } from '../registry.js';
import type { ObjectStore } from '../store.js';
import { apiVersionOf, type KubeObject, type ResourceType, type StoredObject } from '../types.js';
import { validateObjectMeta } from '../validation/meta.js';

export interface OpsContext {
  readonly store: ObjectStore;
  readonly registry: ResourceRegistry;
  now(): number;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  /** What to do with fields the schema does not know (custom resources); the server default is Warn. */
  fieldValidation?: FieldValidation;
  /** Collects `Warning` header texts for the response. */
  warnings?: string[];
}

export function groupResource(type: ResourceType): GroupResource {
  return { group: type.group, resource: type.plural };
}

/** The stored object as this resource's version shows it. */
export function present(type: ResourceType, stored: StoredObject): StoredObject {
  if (type.fromStorage !== undefined) return type.fromStorage(stored);
  const apiVersion = apiVersionOf(type);
  return stored.apiVersion === apiVersion ? stored : { ...stored, apiVersion };
}

export function storageForm(type: ResourceType, obj: KubeObject): KubeObject {
  return type.toStorage === undefined ? obj : type.toStorage(obj);
}

/** Every finalizer holding the object back: `metadata.finalizers` and kind-specific ones (namespaces). */
export function pendingFinalizers(type: ResourceType, obj: KubeObject): string[] {
  return [...(obj.metadata.finalizers ?? []), ...(type.behavior.extraFinalizers?.(obj) ?? [])];
}

/** Prunes unknown fields and fills defaults from a CRD schema, honouring `fieldValidation`. */
export function applySchema(type: ResourceType, obj: KubeObject, options: WriteOptions): void {
  const schema = type.behavior.schema;
  if (schema === undefined) return;
  const pruned = schema.pruneAndDefault(obj);
  if (pruned.length === 0) return;
  const unknown = pruned.map((path) => `unknown field "${path}"`);
  const mode = options.fieldValidation ?? 'Warn';
  if (mode === 'Strict') {
    throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown.join(', ')}`);
  }
  if (mode === 'Warn') options.warnings?.push(...unknown);
}

export function validateObject(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
  const errors = [
    ...validateObjectMeta(obj, type),
    ...(type.behavior.validate?.(obj, old) ?? []),
    ...(type.behavior.schema?.validate(obj) ?? []),
  ];
  if (errors.length > 0) throw invalid(type, obj.metadata.name ?? '', errors);
}
