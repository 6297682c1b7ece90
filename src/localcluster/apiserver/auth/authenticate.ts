/**
 * Authentication: who a request comes from. A bearer token must be a service-account token this server signed, still
 * valid, whose ServiceAccount (and pod, for pod-bound tokens) still exists with the uid the token names; anything
 * else is 401. A request without credentials is the administrator (see `ADMIN`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PODS, SERVICE_ACCOUNTS } from '../keys.js';
import type { ObjectStore } from '../store.js';
import { unauthorized } from './errors.js';
import type { TokenSigner } from './tokens.js';
import { ADMIN, serviceAccountUser, type UserInfo } from './user.js';

export interface AuthContext {
  readonly store: ObjectStore;
  readonly signer: TokenSigner;
  now(): number;
}

export function authenticate(ctx: AuthContext, headers: IncomingHttpHeaders): UserInfo {
  const header = headers.authorization;
  if (header === undefined || header === '') return ADMIN;
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const claims = token === undefined ? undefined : ctx.signer.verify(token, Math.floor(ctx.now() / 1000));
  if (claims === undefined) throw unauthorized();
  const { namespace, serviceAccount, pod } = claims;
  const account = ctx.store.get(SERVICE_ACCOUNTS, namespace, serviceAccount.name);
  if (account === undefined || account.metadata.uid !== serviceAccount.uid || account.metadata.deletionTimestamp !== undefined) throw unauthorized();
  if (pod !== undefined && ctx.store.get(PODS, namespace, pod.name)?.metadata.uid !== pod.uid) throw unauthorized();
  return serviceAccountUser(namespace, serviceAccount.name, serviceAccount.uid);
}
