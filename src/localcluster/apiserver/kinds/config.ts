/** Namespace, ConfigMap and Secret defaulting and validation. */
import { fieldErr } from '../errors.js';
import { asRecord, isRecord } from '../json.js';
import type { FieldError, KubeObject } from '../types.js';

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_DATA_BYTES = 1024 * 1024;

function configKeyErrors(key: string, path: string): FieldError[] {
  if (key.length > 253) return [fieldErr.invalid(path, key, 'must be no more than 253 characters')];
  if (!CONFIG_KEY.test(key)) {
    return [
      fieldErr.invalid(
        path,
        key,
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      ),
    ];
  }
  return [];
}

export function validateConfigMap(cm: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  const data = asRecord(cm['data']);
  for (const [key, value] of Object.entries(data)) {
    errs.push(...configKeyErrors(key, 'data'));
    size += key.length + String(value).length;
  }
  for (const [key, value] of Object.entries(asRecord(cm['binaryData']))) {
    errs.push(...configKeyErrors(key, 'binaryData'));
    if (Object.hasOwn(data, key)) errs.push(fieldErr.invalid('data', key, 'duplicate of key present in binaryData'));
    size += key.length + String(value).length;
  }
  if (size > MAX_DATA_BYTES) errs.push({ type: 'FieldValueTooLong', field: '', detail: `must have at most ${MAX_DATA_BYTES} bytes` });
  return errs;
}

/** `stringData` is write-only: the server merges it into `data` (base64) and drops it. */
export function defaultSecret(secret: KubeObject): void {
  if (secret['type'] === undefined || secret['type'] === '') secret['type'] = 'Opaque';
  const stringData = secret['stringData'];
  if (isRecord(stringData)) {
    const data = { ...asRecord(secret['data']) };
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    secret['data'] = data;
  }
  delete secret['stringData'];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function validateSecret(secret: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(asRecord(secret['data']))) {
    errs.push(...configKeyErrors(key, 'data'));
    if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
      errs.push(fieldErr.invalid(`data[${key}]`, '<secret contents redacted>', 'must be base64-encoded'));
    }
  }
  if (old !== undefined && old['type'] !== secret['type']) errs.push(fieldErr.invalid('type', secret['type'], 'field is immutable'));
  if (old !== undefined && old['immutable'] === true && JSON.stringify(old['data']) !== JSON.stringify(secret['data'])) {
    errs.push(fieldErr.forbidden('data', 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function defaultNamespace(ns: KubeObject): void {
  const spec = isRecord(ns['spec']) ? ns['spec'] : {};
  spec['finalizers'] ??= ['kubernetes'];
  ns['spec'] = spec;
}

export function initialNamespaceStatus(): Record<string, unknown> {
  return { phase: 'Active' };
}

export function namespaceFinalizers(ns: KubeObject): readonly string[] {
  const finalizers = asRecord(ns['spec'])['finalizers'];
  return Array.isArray(finalizers) ? finalizers.map(String) : [];
}

export function startNamespaceDeletion(ns: KubeObject): void {
  ns['status'] = { ...asRecord(ns['status']), phase: 'Terminating' };
}
