/**
 * `serviceaccounts/token` (TokenRequest): a signed token for the ServiceAccount, optionally bound to a pod so it
 * dies with the pod. As in Kubernetes, a pod-bound token asked for with the kubelet's 3607 s is made valid for a
 * year (`--service-account-extend-token-expiration`), since a container keeps the token it started with.
 */
import { API_AUDIENCE, type TokenClaims } from '../auth/tokens.js';
import { conflict, fieldErr, invalid, notFound } from '../errors.js';
import { sendJson } from '../http.js';
import { asArray, asNumber, asRecord, asString } from '../json.js';
import { PODS, SERVICE_ACCOUNTS, timestamp } from '../keys.js';
import type { ApiRequest } from './context.js';
import { requestBody } from './write.js';

const TOKEN_REQUEST = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** What the kubelet asks for; such pod-bound tokens are extended. */
const KUBELET_EXPIRATION_SECONDS = 3607;
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600;

function boundPod(r: ApiRequest, namespace: string, ref: Record<string, unknown>): TokenClaims['pod'] {
  const kind = asString(ref['kind']) ?? '';
  const name = asString(ref['name']) ?? '';
  if (kind !== 'Pod') throw invalid(TOKEN_REQUEST, r.path.name ?? '', [fieldErr.notSupported('spec.boundObjectRef.kind', kind, ['Pod'])]);
  const pod = r.server.store.get(PODS, namespace, name);
  if (pod === undefined) throw notFound({ group: '', resource: 'pods' }, name);
  const uid = asString(ref['uid']) ?? '';
  if (uid !== '' && uid !== pod.metadata.uid) {
    throw conflict({ group: '', resource: 'Pod' }, name, `the UID in the bound object reference (${uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  return { name, uid: pod.metadata.uid };
}

export async function handleTokenRequest(r: ApiRequest): Promise<void> {
  const body = asRecord(await requestBody(r));
  const namespace = r.path.namespace ?? '';
  const name = r.path.name ?? '';
  const account = r.server.store.get(SERVICE_ACCOUNTS, namespace, name);
  if (account === undefined) throw notFound({ group: '', resource: 'serviceaccounts' }, name);
  const spec = asRecord(body['spec']);
  const requested = asArray(spec['audiences']).filter((a): a is string => typeof a === 'string');
  const audiences = requested.length === 0 ? [API_AUDIENCE] : requested;
  const expirationSeconds = asNumber(spec['expirationSeconds']) ?? DEFAULT_EXPIRATION_SECONDS;
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) throw invalid(TOKEN_REQUEST, name, [fieldErr.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes')]);
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) throw invalid(TOKEN_REQUEST, name, [fieldErr.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds')]);
  const ref = spec['boundObjectRef'] === undefined ? undefined : asRecord(spec['boundObjectRef']);
  const pod = ref === undefined ? undefined : boundPod(r, namespace, ref);
  const now = Math.floor(r.server.now() / 1000);
  const extended = pod !== undefined && expirationSeconds === KUBELET_EXPIRATION_SECONDS;
  const token = r.server.signer.sign({
    namespace,
    serviceAccount: { name, uid: account.metadata.uid },
    ...(pod === undefined ? {} : { pod }),
    audiences,
    issuedAt: now,
    expiresAt: now + (extended ? EXTENDED_EXPIRATION_SECONDS : expirationSeconds),
    ...(extended ? { warnAfter: now + expirationSeconds } : {}),
  });
  sendJson(r.res, 201, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: ref === undefined ? null : { ...ref, uid: pod?.uid } },
    status: { token, expirationTimestamp: timestamp((now + expirationSeconds) * 1000) },
  });
}
