/** DELETE of one object or of a collection, with DeleteOptions from the body or the query. */
import { badRequest, successStatus } from '../errors.js';
import { isRecord } from '../json.js';
import { sendJson } from '../http.js';
import { deleteObject, type DeleteOptions, type PropagationPolicy } from '../ops/delete.js';
import { present } from '../ops/common.js';
import { respondObject, writeOptions, type ApiRequest } from './context.js';
import { selectorFilter } from './filter.js';
import { requestBody } from './write.js';

const POLICIES: readonly string[] = ['Background', 'Foreground', 'Orphan'];

async function deleteOptions(r: ApiRequest): Promise<DeleteOptions> {
  const body = await requestBody(r);
  const opts = isRecord(body) ? body : {};
  const policy = opts['propagationPolicy'] ?? r.query.get('propagationPolicy') ?? undefined;
  if (policy !== undefined && (typeof policy !== 'string' || !POLICIES.includes(policy))) {
    throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
  }
  const orphan = opts['orphanDependents'] ?? (r.query.has('orphanDependents') ? r.query.get('orphanDependents') === 'true' : undefined);
  const preconditions = isRecord(opts['preconditions']) ? opts['preconditions'] : {};
  const dryRunInBody = Array.isArray(opts['dryRun']) && opts['dryRun'].includes('All');
  const graceText = opts['gracePeriodSeconds'] ?? r.query.get('gracePeriodSeconds') ?? undefined;
  const grace = graceText === undefined ? undefined : Number(graceText);
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0)) throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(graceText)}: must be a non-negative integer`);
  return {
    dryRun: writeOptions(r).dryRun === true || dryRunInBody,
    propagationPolicy: (policy as PropagationPolicy | undefined) ?? (orphan === true ? 'Orphan' : orphan === false ? 'Background' : undefined),
    gracePeriodSeconds: grace,
    preconditions: {
      uid: typeof preconditions['uid'] === 'string' ? preconditions['uid'] : undefined,
      resourceVersion: typeof preconditions['resourceVersion'] === 'string' ? preconditions['resourceVersion'] : undefined,
    },
  };
}

export async function handleDelete(r: ApiRequest): Promise<void> {
  const options = await deleteOptions(r);
  const name = r.path.name ?? '';
  const { object, deleted } = deleteObject(r.server, r.type, r.path.namespace, name, options);
  if (deleted && !r.type.behavior.returnsDeletedObject) {
    sendJson(r.res, 200, successStatus({ name, ...(r.type.group === '' ? {} : { group: r.type.group }), kind: r.type.plural, uid: object.metadata.uid ?? '' }));
    return;
  }
  respondObject(r, 200, object);
}

export async function handleDeleteCollection(r: ApiRequest): Promise<void> {
  const options = await deleteOptions(r);
  const filter = selectorFilter(r.type, r.query);
  const namespace = r.type.namespaced ? r.path.namespace : undefined;
  for (const obj of r.server.store.list(r.type.storageKey, namespace)) {
    if (!filter(obj)) continue;
    const shown = present(r.type, obj);
    deleteObject(r.server, r.type, shown.metadata.namespace, shown.metadata.name, { ...options, preconditions: undefined });
  }
  sendJson(r.res, 200, successStatus());
}
