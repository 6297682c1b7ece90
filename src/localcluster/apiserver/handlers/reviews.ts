/**
 * Questions a client asks about itself, answered at once and never stored: `SelfSubjectAccessReview` (may I do
 * this? `kubectl auth can-i`, also with `--as`) and `SelfSubjectReview` (who am I? `kubectl auth whoami`).
 */
import type { RequestAttributes } from '../auth/attributes.js';
import { authorize } from '../auth/rbac.js';
import { invalid, fieldErr } from '../errors.js';
import { sendJson } from '../http.js';
import { asRecord, asString, isRecord } from '../json.js';
import type { ResourceType } from '../types.js';
import type { ApiRequest } from './context.js';
import { requestBody } from './write.js';

function reviewAttributes(spec: Record<string, unknown>): RequestAttributes {
  const resource = spec['resourceAttributes'];
  const nonResource = spec['nonResourceAttributes'];
  if (isRecord(resource) === isRecord(nonResource)) {
    throw invalid({ group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' }, '', [
      fieldErr.invalid('spec.resourceAttributes', isRecord(resource) ? resource : 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'),
    ]);
  }
  const field = (obj: unknown, key: string): string => asString(asRecord(obj)[key]) ?? '';
  if (isRecord(nonResource)) return { kind: 'nonResource', verb: field(nonResource, 'verb'), path: field(nonResource, 'path') };
  return {
    kind: 'resource',
    verb: field(resource, 'verb'),
    group: field(resource, 'group'),
    resource: field(resource, 'resource'),
    subresource: field(resource, 'subresource'),
    namespace: field(resource, 'namespace'),
    name: field(resource, 'name'),
  };
}

async function selfSubjectAccessReview(r: ApiRequest): Promise<void> {
  const body = asRecord(await requestBody(r));
  const spec = asRecord(body['spec']);
  const decision = authorize(r.server.store, r.user, reviewAttributes(spec));
  sendJson(r.res, 201, {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed: decision.allowed, ...(decision.reason === '' ? {} : { reason: decision.reason }) },
  });
}

async function selfSubjectReview(r: ApiRequest): Promise<void> {
  await requestBody(r);
  const { name, uid, groups } = r.user;
  sendJson(r.res, 201, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
    metadata: { creationTimestamp: null },
    status: { userInfo: { username: name, ...(uid === undefined ? {} : { uid }), groups } },
  });
}

const REVIEWS: Readonly<Record<string, (r: ApiRequest) => Promise<void>>> = {
  'authorization.k8s.io/selfsubjectaccessreviews': selfSubjectAccessReview,
  'authentication.k8s.io/selfsubjectreviews': selfSubjectReview,
};

/** The handler of a review resource's `create`, or `undefined` for a resource that stores its objects. */
export function reviewHandler(type: ResourceType): ((r: ApiRequest) => Promise<void>) | undefined {
  return REVIEWS[`${type.group}/${type.plural}`];
}
