/**
 * The node half of a kubelet: registering the Node (creating it, then reporting its status), holding its Lease in
 * `kube-node-lease` (renewed every heartbeat, 10 s by default, as the kubelet does) and refreshing the node
 * conditions' `lastHeartbeatTime` less often. Condition statuses are kept as they are on the server, so a node made
 * NotReady by a nodes file or `kubectl patch node --subresource=status` stays so.
 */
import { CoordinationV1Api, CoreV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1Node } from '@kubernetes/client-node';
import type { Node, Plain } from '../../kube/models.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/log.js';
import { isConflict, MERGE_PATCH } from '../kubelet/api.js';
import { nodeConditions } from './defaults.js';
import { startNodeLifecycle } from './lifecycle.js';

export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;
/** Node status heartbeats every this many lease renewals. */
const STATUS_EVERY = 6;

export interface StartNodesOptions {
  nodes: V1Node[];
  /** Lease renewal period; the kubelet's is 10 s. */
  heartbeatMs?: number;
  logger: Logger;
}

/** `metav1.MicroTime`: RFC 3339 with microseconds. */
function microTime(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
}

function lease(node: V1Node, now: Date): Plain<V1Lease> {
  const name = node.metadata?.name ?? '';
  const owner = node.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] : [];
  return {
    metadata: { name, namespace: LEASE_NAMESPACE, ownerReferences: owner },
    spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: new V1MicroTime(now), acquireTime: new V1MicroTime(now) },
  };
}

/** Creates the Node (or adopts an existing one of that name, keeping its labels and taints) and reports its status. */
async function register(core: CoreV1Api, coordination: CoordinationV1Api, node: Node): Promise<void> {
  const name = node.metadata?.name ?? '';
  let registered: V1Node;
  try {
    registered = await core.createNode({ body: node });
  } catch (err) {
    if (!isConflict(err)) throw err;
    registered = await core.readNode({ name });
  }
  const now = new Date();
  const conditions = nodeConditions(registered.status?.conditions?.length ? registered.status.conditions : node.status?.conditions, now);
  const status: Node = { status: { ...node.status, conditions } };
  await core.patchNodeStatus({ name, body: status }, MERGE_PATCH);
  const body = lease(registered, now);
  try {
    await coordination.createNamespacedLease({ namespace: LEASE_NAMESPACE, body });
  } catch (err) {
    if (!isConflict(err)) throw err;
    await coordination.replaceNamespacedLease({ name, namespace: LEASE_NAMESPACE, body });
  }
}

/** Registers the nodes and keeps them alive until `stop()`; the node lifecycle controller runs alongside. */
export async function startNodes(kc: KubeConfig, { nodes, heartbeatMs = 10_000, logger }: StartNodesOptions): Promise<{ stop(): Promise<void> }> {
  const log = logger.child({ component: 'nodes' });
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const lifecycle = startNodeLifecycle(kc, { logger: log });
  try {
    await Promise.all(nodes.map((node) => register(core, coordination, node)));
    await lifecycle.synced;
  } catch (err) {
    await lifecycle.stop();
    throw err;
  }
  const names = nodes.map((n) => n.metadata?.name ?? '');
  let beats = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const beat = async (): Promise<void> => {
    beats += 1;
    const now = new Date();
    await Promise.all(
      names.map(async (name) => {
        try {
          await coordination.patchNamespacedLease({ name, namespace: LEASE_NAMESPACE, body: { spec: { renewTime: microTime(now) } } }, MERGE_PATCH);
          const current = lifecycle.get(name);
          if (beats % STATUS_EVERY === 0 && current !== undefined) {
            await core.patchNodeStatus({ name, body: { status: { conditions: nodeConditions(current.status?.conditions, now) } } }, MERGE_PATCH);
          }
        } catch (err) {
          // A deleted node stays deleted (as with a kubelet whose Node was removed); other errors are retried next beat.
          log.debug({ node: name, err: errorMessage(err) }, 'heartbeat failed');
        }
      }),
    );
  };
  const timer = setInterval(() => {
    inFlight = beat();
  }, heartbeatMs);
  log.info({ nodes: names }, 'nodes registered');
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await lifecycle.stop();
    },
  };
}
