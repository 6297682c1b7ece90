import type { KubeClient } from '../kube/client.js';
import { isAlreadyExists } from '../kube/errors.js';
import type { ObjectMeta } from '../kube/models.js';
import type { ResourceType } from '../kube/resources.js';

export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'kept';

export type Manifest = { metadata?: ObjectMeta };

function refOf(obj: Manifest): { namespace: string | undefined; name: string | undefined } {
  return { namespace: obj.metadata?.namespace, name: obj.metadata?.name };
}

/** Creates the object unless one of that name exists, which is kept as it is (Secrets, user-made objects). */
export async function createIfAbsent(client: KubeClient, resource: ResourceType, obj: Manifest): Promise<'created' | 'kept'> {
  try {
    await client.create(resource, obj.metadata?.namespace, obj);
    return 'created';
  } catch (err) {
    if (isAlreadyExists(err)) return 'kept';
    throw err;
  }
}

/** Everything but metadata and status: what `apply` compares for objects without a generation (RBAC). */
function content(obj: object): string {
  const { metadata: _m, status: _s, ...rest } = obj as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * Creates the object, or replaces an existing one with it (keeping the labels and annotations others added, and
 * `merge`'s extra changes, such as a DaemonSet template's `restartedAt`). Reports `unchanged` when the write changed
 * nothing: the generation stayed, or for objects without one, the content was equal.
 */
export async function createOrReplace<T extends Manifest>(client: KubeClient, resource: ResourceType, desired: T, merge?: (desired: T, existing: T) => void): Promise<ApplyAction> {
  const existing = await client.find<T>(resource, refOf(desired));
  if (existing === undefined) {
    await client.create(resource, desired.metadata?.namespace, desired);
    return 'created';
  }
  if (existing.metadata?.generation === undefined && content(existing) === content(desired)) return 'unchanged';
  const next = structuredClone(desired);
  next.metadata = {
    ...next.metadata,
    labels: { ...existing.metadata?.labels, ...next.metadata?.labels },
    annotations: { ...existing.metadata?.annotations, ...next.metadata?.annotations },
    ...(existing.metadata?.resourceVersion === undefined ? {} : { resourceVersion: existing.metadata.resourceVersion }),
  };
  merge?.(next, existing);
  const written = await client.replace(resource, refOf(desired), next);
  if (existing.metadata?.generation !== undefined) return written.metadata?.generation === existing.metadata.generation ? 'unchanged' : 'configured';
  return 'configured';
}
