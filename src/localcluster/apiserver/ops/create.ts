/** Create: name generation, server-set metadata, initial status, defaulting, validation, then one store write. */
import { randomInt, randomUUID } from 'node:crypto';
import { decodeObject } from '../decode.js';
import { alreadyExists, ApiError, badRequest, forbidden, notFound } from '../errors.js';
import { clone, removeField } from '../json.js';
import { CRDS, NAMESPACES, timestamp } from '../keys.js';
import type { KubeObject, ResourceType } from '../types.js';
import type { Storable } from '../store.js';
import { applySchema, groupResource, present, storageForm, validateObject, type OpsContext, type WriteOptions } from './common.js';

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SERVER_SET_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'];

function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)] ?? '';
  return out;
}

/** The namespace part of a write: the URL's namespace wins, a different one in the body is a 400. */
export function settleNamespace(type: ResourceType, obj: KubeObject, namespace: string | undefined): void {
  if (!type.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const inBody = obj.metadata.namespace;
  if (inBody !== undefined && inBody !== '' && inBody !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (namespace !== undefined) obj.metadata.namespace = namespace;
}

function checkNamespaceOpen(ctx: OpsContext, type: ResourceType, obj: KubeObject): void {
  const namespace = obj.metadata.namespace;
  if (!type.namespaced || namespace === undefined) return;
  const ns = ctx.store.get(NAMESPACES, undefined, namespace);
  if (ns === undefined) throw notFound({ group: '', resource: 'namespaces' }, namespace);
  if (ns.metadata.deletionTimestamp !== undefined) {
    throw forbidden(groupResource(type), obj.metadata.name ?? '', `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

function checkDefinitionOpen(ctx: OpsContext, type: ResourceType): void {
  const crd = ctx.store.get(CRDS, undefined, `${type.plural}.${type.group}`);
  if (crd?.metadata.deletionTimestamp !== undefined) {
    throw new ApiError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
  }
}

export function createObject(ctx: OpsContext, type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions): KubeObject {
  const obj = decodeObject(clone(body), type);
  settleNamespace(type, obj, namespace);
  for (const field of SERVER_SET_FIELDS) removeField(obj.metadata, field);
  checkNamespaceOpen(ctx, type, obj);
  checkDefinitionOpen(ctx, type);
  const now = ctx.now();
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = timestamp(now);
  if (type.behavior.tracksGeneration) obj.metadata.generation = 1;
  if (type.behavior.statusSubresource && !type.behavior.keepsStatusOnCreate) {
    const status = type.behavior.initialStatus?.(obj);
    if (status === undefined) delete obj['status'];
    else obj['status'] = status;
  }
  applySchema(type, obj, options);
  type.behavior.defaults?.(obj);
  type.behavior.admitOnCreate?.(obj, (storageKey) => ctx.store.list(storageKey));
  const generateName = obj.metadata.generateName;
  const generated = (obj.metadata.name ?? '') === '' && generateName !== undefined && generateName !== '';
  if (generated) obj.metadata.name = `${generateName}${randomSuffix()}`;
  validateObject(type, obj, undefined);
  for (let attempt = 0; ctx.store.get(type.storageKey, obj.metadata.namespace, obj.metadata.name ?? '') !== undefined; attempt++) {
    if (!generated || attempt >= 8) throw alreadyExists(groupResource(type), obj.metadata.name ?? '');
    obj.metadata.name = `${generateName}${randomSuffix()}`;
  }
  if (options.dryRun === true) return obj;
  const event = ctx.store.put(type.storageKey, asStorable(storageForm(type, obj)));
  return present(type, event.object);
}

const OMIT_WHEN_EMPTY = ['labels', 'annotations', 'finalizers', 'ownerReferences'];

/**
 * Narrows an object whose server-set metadata has been filled in, dropping empty metadata lists and maps the way
 * the real server's `omitempty` encoding does.
 */
export function asStorable(obj: KubeObject): Storable {
  const { name, uid, creationTimestamp } = obj.metadata;
  if (name === undefined || uid === undefined || creationTimestamp === undefined) throw new Error('object is missing server-set metadata');
  const metadata = { ...obj.metadata, name, uid, creationTimestamp };
  const fields: Record<string, unknown> = metadata;
  for (const field of OMIT_WHEN_EMPTY) {
    const value = fields[field];
    if (value === null || (typeof value === 'object' && Object.keys(value).length === 0)) removeField(fields, field);
  }
  return { ...obj, metadata };
}
