/**
 * The shapes the API server works with: objects as stored (plain JSON with a typed `metadata`), the resource
 * types it serves and the events its store emits.
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

/** Any object of any kind, as JSON. Handlers never mutate an object after the store holds it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** An object the store holds: the server-set metadata is always there. */
export interface StoredObject extends KubeObject {
  metadata: ObjectMeta & { name: string; uid: string; resourceVersion: string; creationTimestamp: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the store; `previous` is the object before a MODIFIED or DELETED change. */
export interface StoreEvent {
  readonly type: WatchEventType;
  readonly resourceVersion: number;
  readonly storageKey: string;
  readonly object: StoredObject;
  readonly previous: StoredObject | undefined;
}

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export type Subresource = 'status' | 'binding' | 'log' | 'finalize' | 'token';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export type CellValue = string | number | boolean | null;

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** Columns with a priority above 0 appear only in `kubectl get -o wide`. */
  priority: number;
}

export interface TableSpec {
  columns: readonly TableColumn[];
  cells(obj: KubeObject, now: number): CellValue[];
}

/** One problem with one field, as Kubernetes' `field.Error` reports it. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** The offending value, printed the way Go prints it; absent for Required/Forbidden/TooLong. */
  value?: unknown;
  detail: string;
}

export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueForbidden'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueNotFound'
  | 'FieldValueTooLong'
  | 'FieldValueTypeInvalid';

/** Kind-specific behaviour: what differs between, say, a ConfigMap, a Pod and a custom resource. */
export interface KindBehavior {
  /** `metadata.generation` starts at 1 and grows on every change outside metadata and status. */
  tracksGeneration: boolean;
  /** Writes to the main resource keep the stored status; only the status subresource changes it. */
  statusSubresource: boolean;
  /** Create keeps a status the client sent (nodes) instead of resetting it. */
  keepsStatusOnCreate: boolean;
  /**
   * Served from a CRD: a subresource the CRD does not declare answers the object's NotFound, and a status write
   * changes only the status (kube-apiserver's custom resource status strategy copies the stored object).
   */
  customResource: boolean;
  /**
   * What a built-in kind's status strategy does beyond taking the status and the metadata from the request and the
   * spec from the stored object: pods keep their owner references, a PV stamps `lastPhaseTransitionTime`. Mutates
   * `next`; `now` is an RFC 3339 timestamp.
   */
  prepareStatusUpdate?: (next: KubeObject, old: KubeObject, now: string) => void;
  /** Delete answers the deleted object instead of a `Status` (as the typed clients expect for pods, PVs, PVCs). */
  returnsDeletedObject: boolean;
  /** PUT without `metadata.resourceVersion` is rejected (custom resources) instead of being unconditional. */
  requiresResourceVersionOnUpdate: boolean;
  nameRule: 'subdomain' | 'label' | 'pathSegment';
  table: TableSpec;
  /** Field selector paths beyond `metadata.name` and `metadata.namespace`. */
  selectableFields: readonly string[];
  /** Fills fields a real API server defaults, on create and update alike; mutates its argument. */
  defaults?: (obj: KubeObject) => void;
  /**
   * Mutating admission that reads other objects, on create only (DefaultStorageClass); `list` gives the stored
   * objects of a storage key. Mutates its argument.
   */
  admitOnCreate?: (obj: KubeObject, list: (storageKey: string) => readonly KubeObject[]) => void;
  /** The status a new object starts with when create resets the status (pods start `Pending`). */
  initialStatus?: (obj: KubeObject) => Record<string, unknown>;
  validate?: (obj: KubeObject, old: KubeObject | undefined) => FieldError[];
  /** Finalizers outside `metadata.finalizers` that also hold back deletion (a namespace's `spec.finalizers`). */
  extraFinalizers?: (obj: KubeObject) => readonly string[];
  /**
   * Graceful deletion (pods): the seconds a deleted object stays with a future `deletionTimestamp` so its kubelet
   * can stop it, given the client's `gracePeriodSeconds`; 0 or absent deletes at once.
   */
  gracePeriodSeconds?: (obj: KubeObject, requested: number | undefined) => number;
  /** Changes an object gets when its deletion starts (a namespace turns `Terminating`); mutates its argument. */
  onDeletionStart?: (obj: KubeObject) => void;
  /** Custom resources: schema validation, pruning and defaulting against the CRD's openAPIV3Schema. */
  schema?: ObjectSchema;
  /** Built-in kinds accept strategic merge patches; custom resources answer 415 like a real server. */
  strategicMerge: boolean;
}

/** Validates, prunes and defaults an object against a structural schema. */
export interface ObjectSchema {
  /** Drops unknown fields and returns their paths; fills defaults. Mutates `obj`. */
  pruneAndDefault(obj: Record<string, unknown>): string[];
  validate(obj: Record<string, unknown>): FieldError[];
}

/** One served resource: a plural name in one group/version, with the kind-specific behaviour. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly Verb[];
  readonly subresources: readonly Subresource[];
  /** Resources that share a storage key are views of the same objects (core and events.k8s.io events). */
  readonly storageKey: string;
  readonly behavior: KindBehavior;
  /** Converts a stored object into this resource's version; identity apart from apiVersion by default. */
  readonly fromStorage?: (obj: StoredObject) => StoredObject;
  /** Converts an object of this version into the stored form. */
  readonly toStorage?: (obj: KubeObject) => KubeObject;
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}
