/** The 401 and 403 answers, worded as the API server's `responsewriters` and `apierrors.NewForbidden` word them. */
import { ApiError } from '../errors.js';
import type { RequestAttributes } from './attributes.js';

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** `User "u" cannot list resource "pods" in API group "" in the namespace "ns"` (or `... cannot get path "/x"`). */
function forbiddenMessage(user: string, attrs: RequestAttributes): string {
  if (attrs.kind === 'nonResource') return `User ${JSON.stringify(user)} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource === '' ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  const scope = attrs.namespace === '' ? 'at the cluster scope' : `in the namespace ${JSON.stringify(attrs.namespace)}`;
  return `User ${JSON.stringify(user)} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.group)} ${scope}`;
}

export function forbidden(user: string, attrs: RequestAttributes, reason: string): ApiError {
  const why = reason === '' ? forbiddenMessage(user, attrs) : `${forbiddenMessage(user, attrs)}: ${reason}`;
  if (attrs.kind === 'nonResource') return new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
  const qualified = attrs.group === '' ? attrs.resource : `${attrs.resource}.${attrs.group}`;
  const subject = attrs.name === '' ? qualified : `${qualified} ${JSON.stringify(attrs.name)}`;
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, {
    ...(attrs.name === '' ? {} : { name: attrs.name }),
    ...(attrs.group === '' ? {} : { group: attrs.group }),
    kind: attrs.resource,
  });
}
