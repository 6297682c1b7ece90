/**
 * The node lifecycle controller's `TaintNodesByCondition`: a node's conditions and cordon show as NoSchedule taints
 * (`node.kubernetes.io/not-ready`, `unreachable`, `memory-pressure`, `disk-pressure`, `pid-pressure`,
 * `network-unavailable`, `unschedulable`), which is how the scheduler, the DaemonSet controller and `kubectl
 * describe node` see them. Eviction of running pods (the NoExecute taints) is not modelled.
 */
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import { KubeClient } from '../../kube/client.js';
import { Informer } from '../../kube/informer.js';
import type { Taint } from '../../kube/models.js';
import { R } from '../../kube/resources.js';
import type { Logger } from '../../util/log.js';
import { WorkQueue } from '../../controller/index.js';

const PREFIX = 'node.kubernetes.io/';
/** Condition type, the status that is a problem, and the taint key that says so. */
const CONDITION_TAINTS: readonly [string, string, string][] = [
  ['MemoryPressure', 'True', `${PREFIX}memory-pressure`],
  ['DiskPressure', 'True', `${PREFIX}disk-pressure`],
  ['PIDPressure', 'True', `${PREFIX}pid-pressure`],
  ['NetworkUnavailable', 'True', `${PREFIX}network-unavailable`],
];
export const NOT_READY_TAINT = `${PREFIX}not-ready`;
export const UNREACHABLE_TAINT = `${PREFIX}unreachable`;
export const UNSCHEDULABLE_TAINT = `${PREFIX}unschedulable`;
const MANAGED = new Set([...CONDITION_TAINTS.map(([, , key]) => key), NOT_READY_TAINT, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT]);

/** The NoSchedule taints the node's conditions and cordon call for. Ready False is not-ready, Unknown or absent unreachable. */
export function conditionTaints(node: V1Node): Taint[] {
  const conditions = node.status?.conditions ?? [];
  const status = (type: string): string | undefined => conditions.find((c) => c.type === type)?.status;
  const keys: string[] = [];
  const ready = status('Ready');
  if (ready === 'False') keys.push(NOT_READY_TAINT);
  else if (ready !== 'True') keys.push(UNREACHABLE_TAINT);
  for (const [type, bad, key] of CONDITION_TAINTS) if (status(type) === bad) keys.push(key);
  if (node.spec?.unschedulable) keys.push(UNSCHEDULABLE_TAINT);
  return keys.map((key) => ({ key, effect: 'NoSchedule' }));
}

/** The node's taints with the managed NoSchedule ones replaced; `undefined` when nothing changes. */
export function reconcileTaints(node: V1Node): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const isManaged = (t: Taint): boolean => MANAGED.has(t.key) && t.effect === 'NoSchedule';
  const have = current.filter(isManaged).map((t) => t.key);
  const want = conditionTaints(node);
  if (have.length === want.length && want.every((t) => have.includes(t.key))) return undefined;
  return [...current.filter((t) => !isManaged(t)), ...want];
}

export interface NodeLifecycle {
  readonly synced: Promise<void>;
  /** The cached Node, as last seen. */
  get(name: string): V1Node | undefined;
  stop(): Promise<void>;
}

export function startNodeLifecycle(kc: KubeConfig, { logger }: { logger: Logger }): NodeLifecycle {
  // KubeClient's errors let the queue tell a conflict (retried quietly) from a real failure.
  const client = new KubeClient(kc);
  const queue = new WorkQueue(async (name) => {
    const node = informer.get(name);
    const taints = node === undefined ? undefined : reconcileTaints(node);
    if (node === undefined || taints === undefined) return undefined;
    // The resourceVersion makes the patch fail on a concurrent change (kubectl taint), which is then retried.
    const body = { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints } };
    await client.patch(R.nodes, { name }, body);
    logger.debug({ node: name, taints: taints.map((t) => t.key) }, 'node condition taints updated');
    return undefined;
  }, logger);
  const informer = new Informer<V1Node>(client, {
    resource: R.nodes,
    logger,
    onEvent: (type, node) => {
      if (type !== 'deleted') queue.add(node.metadata?.name ?? '');
    },
  }).start();
  return {
    synced: informer.synced,
    get: (name) => informer.get(name),
    async stop() {
      await informer.stop();
      client.close();
      await queue.stop();
    },
  };
}
