/**
 * Velero's published CRD schemas as validators: what Ferry writes must be an object Velero would accept (and read).
 * The openAPIV3Schema of each CRD in `src/kube/crds/` (Velero's files, unchanged) is compiled with ajv; Kubernetes'
 * `int64`/`date-time` formats are checked, its `x-kubernetes-*` extensions ignored, and unknown fields rejected
 * unless the schema preserves them, as the API server's pruning would drop them.
 */
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { Ajv, type ValidateFunction } from 'ajv';
import { veleroCrds } from '../../src/kube/crds.js';

type Schema = Record<string, unknown>;

/** Closes every object schema that names its properties, so a field Velero does not know fails validation. */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) out[key] = closeObjects(value);
  if (out.type === 'object' && out.properties !== undefined && out['x-kubernetes-preserve-unknown-fields'] !== true && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function compile(crd: V1CustomResourceDefinition, version: string): ValidateFunction {
  const schema = crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (schema === undefined) throw new Error(`CRD ${crd.metadata?.name ?? ''} has no schema for ${version}`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s));
  const closed = closeObjects(schema) as Schema;
  // metadata is the API server's business (ObjectMeta), not the CRD's.
  const properties = { ...(closed.properties as Schema), metadata: { type: 'object' } };
  return ajv.compile({ ...closed, properties });
}

const validators = new Map<string, ValidateFunction>();

/** Every problem Velero's schema finds in the object (by its kind), as `path: message`; empty when valid. */
export function veleroSchemaErrors(obj: object & { kind?: string; apiVersion?: string }): string[] {
  const [, version = ''] = (obj.apiVersion ?? '').split('/');
  const key = `${obj.kind ?? ''}/${version}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    const crd = veleroCrds().find((c) => c.spec.names.kind === obj.kind);
    if (crd === undefined) throw new Error(`no Velero CRD for kind ${obj.kind ?? '?'}`);
    validate = compile(crd, version);
    validators.set(key, validate);
  }
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params.additionalProperty === undefined ? '' : ` (${String(e.params.additionalProperty)})`}`);
}
