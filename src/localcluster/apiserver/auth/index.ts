/**
 * @module localcluster/apiserver/auth
 * Who may do what on the local API server, as Kubernetes decides it. Its nouns:
 * - **token**: a service-account JWT the server signs (TokenRequest) and later checks (tokens.ts, tokenrequest.ts);
 * - **user**: the name and groups a request acts as, after authentication and impersonation (user.ts);
 * - **attributes**: the verb, resource, subresource, namespace and name (or non-resource path) asked for;
 * - **RBAC authorizer**: the stored ClusterRoles, Roles and their bindings decide (rbac.ts), with the default
 *   roles every cluster starts with (policy.ts); a denial is Kubernetes' 403 message.
 * See docs/local-cluster.md, "Authentication and RBAC".
 */
import type { IncomingMessage } from 'node:http';
import type { RequestAttributes } from './attributes.js';
import { authenticate, type AuthContext } from './authenticate.js';
import { forbidden } from './errors.js';
import { impersonate } from './impersonate.js';
import { authorize } from './rbac.js';
import type { UserInfo } from './user.js';

export { requestAttributes } from './attributes.js';
export { TokenSigner } from './tokens.js';
export type { UserInfo } from './user.js';

/** The user the request acts as, once it is known to be allowed; a 401 or 403 `ApiError` otherwise. */
export function admit(ctx: AuthContext, req: IncomingMessage, attrs: RequestAttributes): UserInfo {
  const user = impersonate(ctx, authenticate(ctx, req.headers), req.headersDistinct);
  const decision = authorize(ctx.store, user, attrs);
  if (!decision.allowed) throw forbidden(user.name, attrs, decision.reason);
  return user;
}
