/**
 * Impersonation (`Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` headers, kubectl's `--as` and
 * `--as-group`): the request then acts as that user, provided its real user may `impersonate` each of them.
 */
import { badRequest } from '../errors.js';
import type { RequestAttributes } from './attributes.js';
import type { AuthContext } from './authenticate.js';
import { forbidden } from './errors.js';
import { authorize } from './rbac.js';
import { AUTHENTICATED, parseServiceAccountName, type UserInfo } from './user.js';

function impersonation(resource: string, name: string, namespace = ''): RequestAttributes {
  return { kind: 'resource', verb: 'impersonate', group: '', resource, subresource: '', namespace, name };
}

export function impersonate(ctx: AuthContext, requester: UserInfo, headers: Readonly<Record<string, string[] | undefined>>): UserInfo {
  const [name, ...extraNames] = headers['impersonate-user'] ?? [];
  const groups = headers['impersonate-group'] ?? [];
  const uid = headers['impersonate-uid']?.[0];
  if (name === undefined) {
    if (groups.length > 0 || uid !== undefined) throw badRequest('impersonating groups or a uid requires impersonating a user (Impersonate-User)');
    return requester;
  }
  if (extraNames.length > 0) throw badRequest('only one Impersonate-User header may be given');
  const account = parseServiceAccountName(name);
  const checks = [
    account === undefined ? impersonation('users', name) : impersonation('serviceaccounts', account.name, account.namespace),
    ...groups.map((g) => impersonation('groups', g)),
    ...(uid === undefined ? [] : [impersonation('uids', uid)]),
  ];
  for (const attrs of checks) {
    const decision = authorize(ctx.store, requester, attrs);
    if (!decision.allowed) throw forbidden(requester.name, attrs, decision.reason);
  }
  const given = groups.length === 0 && account !== undefined ? ['system:serviceaccounts', `system:serviceaccounts:${account.namespace}`] : groups;
  return { name, groups: given.includes(AUTHENTICATED) ? given : [...given, AUTHENTICATED], ...(uid === undefined ? {} : { uid }) };
}
