/** Who a request acts as: the user name and groups RBAC subjects match, as Kubernetes' `user.Info` carries them. */

export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
  /** The ServiceAccount's uid for service-account users. */
  readonly uid?: string;
}

export const AUTHENTICATED = 'system:authenticated';
export const MASTERS = 'system:masters';
const SA_PREFIX = 'system:serviceaccount:';

/**
 * Requests without credentials. The server listens on 127.0.0.1 only and the kubeconfig `ferry local up` writes
 * carries no user, so they act as the cluster's administrator (like the insecure port of older API servers).
 */
export const ADMIN: UserInfo = { name: 'system:admin', groups: [MASTERS, AUTHENTICATED] };

export function serviceAccountUser(namespace: string, name: string, uid?: string): UserInfo {
  return {
    name: `${SA_PREFIX}${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, AUTHENTICATED],
    ...(uid === undefined ? {} : { uid }),
  };
}

/** `system:serviceaccount:<ns>:<name>` split into its namespace and name. */
export function parseServiceAccountName(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_PREFIX)) return undefined;
  const [namespace = '', name = '', ...extra] = user.slice(SA_PREFIX.length).split(':');
  return namespace === '' || name === '' || extra.length > 0 ? undefined : { namespace, name };
}
