/**
 * Turns a request body into an object of the expected resource, as the real server's decoder does: missing
 * apiVersion/kind are taken from the endpoint, a different one is a 400, and metadata fields must have their Go
 * types (string maps, string lists) or the request fails with a decoding error.
 */
import { badRequest } from './errors.js';
import { isRecord, removeField } from './json.js';
import { apiVersionOf, type KubeObject, type ResourceType } from './types.js';

function cannotHandle(type: ResourceType, detail: string): Error {
  return badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${detail}`);
}

function checkStringMap(type: ResourceType, value: unknown, field: string): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) throw cannotHandle(type, `json: cannot unmarshal ${typeof value} into Go struct field ObjectMeta.metadata.${field} of type map[string]string`);
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') {
      throw cannotHandle(type, `json: cannot unmarshal ${v === null ? 'null' : typeof v} into Go struct field ObjectMeta.metadata.${field} of type string`);
    }
  }
}

function checkStringList(type: ResourceType, value: unknown, field: string): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw cannotHandle(type, `json: cannot unmarshal into Go struct field ObjectMeta.metadata.${field} of type []string`);
  }
}

export function decodeObject(body: unknown, type: ResourceType): KubeObject {
  if (!isRecord(body)) throw badRequest(`the body of the request was not a JSON object`);
  const expectedApiVersion = apiVersionOf(type);
  const apiVersion = body['apiVersion'];
  const kind = body['kind'];
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== expectedApiVersion) {
    throw badRequest(`the API version in the data (${JSON.stringify(apiVersion)}) does not match the expected API version (${expectedApiVersion})`);
  }
  if (kind !== undefined && kind !== '' && kind !== type.kind) {
    throw badRequest(`the kind in the data (${JSON.stringify(kind)}) does not match the expected kind (${type.kind})`);
  }
  const metadata = body['metadata'] ?? {};
  if (!isRecord(metadata)) throw cannotHandle(type, 'json: cannot unmarshal into Go struct field of type v1.ObjectMeta');
  for (const field of ['name', 'generateName', 'namespace', 'resourceVersion', 'uid'] as const) {
    const value = metadata[field];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw cannotHandle(type, `json: cannot unmarshal ${typeof value} into Go struct field ObjectMeta.metadata.${field} of type string`);
    }
    if (value === null) removeField(metadata, field);
  }
  checkStringMap(type, metadata['labels'], 'labels');
  checkStringMap(type, metadata['annotations'], 'annotations');
  checkStringList(type, metadata['finalizers'], 'finalizers');
  const owners = metadata['ownerReferences'];
  if (owners !== undefined && owners !== null) {
    if (!Array.isArray(owners) || owners.some((o) => !isRecord(o))) {
      throw cannotHandle(type, 'json: cannot unmarshal into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference');
    }
  }
  for (const field of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) if (metadata[field] === null) removeField(metadata, field);
  if (Array.isArray(owners)) {
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    metadata['ownerReferences'] = owners.map((o: Record<string, unknown>) => ({
      ...o,
      apiVersion: text(o['apiVersion']),
      kind: text(o['kind']),
      name: text(o['name']),
      uid: text(o['uid']),
    }));
  }
  return { ...body, apiVersion: expectedApiVersion, kind: type.kind, metadata };
}
