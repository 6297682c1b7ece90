/**
 * The scheduler as an API client: informers on nodes, pods, claims, volumes and storage classes; one scheduling
 * loop over the queue; binding cycles that run beside it (PreBind waits for WaitForFirstConsumer claims to be
 * provisioned, then the pod is bound through `pods/binding`); on failure the `PodScheduled` condition and a
 * `FailedScheduling` event, as kube-scheduler writes them.
 */
import {
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
  type V1Binding,
  type V1Node,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1PodCondition,
  type V1StorageClass,
} from '@kubernetes/client-node';
import { KubeClient } from '../../kube/client.js';
import { Informer, type InformerEventType } from '../../kube/informer.js';
import type { Plain } from '../../kube/models.js';
import { R, type ResourceType } from '../../kube/resources.js';
import type { Logger } from '../../util/log.js';
import { apiMessage, MERGE_PATCH, timestamp } from '../kubelet/api.js';
import { eventRecorder, type EventRecorder, type EventSubject } from '../kubelet/events.js';
import { schedulePod } from './algorithm.js';
import { waitForClaims, type ClaimWaiter } from './claims.js';
import { SchedulingQueue, type Popped } from './queue.js';
import { buildSnapshot, isTerminal, podKey } from './snapshot.js';
import { SELECTED_NODE_ANNOTATION } from '../../kube/annotations.js';
import type { PodVolumes, VolumeListers } from './volumes.js';

export const SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  logger: Logger;
  /** Backoff after a failed attempt: first delay, doubling up to `maxBackoffMs` (kube-scheduler: 1 s and 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried this often even when nothing changed. */
  unschedulableRetryMs?: number;
  /** How long PreBind waits for WaitForFirstConsumer claims to be provisioned and bound (kube-scheduler: 600 s). */
  bindTimeoutMs?: number;
}

const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const GATED_MESSAGE = 'Scheduling is blocked due to non-empty scheduling gates';

function podRef(pod: V1Pod): EventSubject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata };
}

/** Pods this scheduler places: unassigned, ours by name, alive. */
function isOurs(pod: V1Pod): boolean {
  const name = pod.spec?.schedulerName ?? '';
  return !pod.spec?.nodeName && (name === '' || name === SCHEDULER_NAME) && !pod.metadata?.deletionTimestamp && !isTerminal(pod);
}

function isGated(pod: V1Pod): boolean {
  return (pod.spec?.schedulingGates ?? []).length > 0;
}

/** What the scheduler reads from a pending pod: a change elsewhere (status, resourceVersion) cannot change its fate. */
function schedulingView(pod: V1Pod): string {
  return JSON.stringify([pod.spec, pod.metadata?.labels, pod.metadata?.annotations]);
}

/** What the filters read from a node. Heartbeats change none of it. */
function nodeView(node: V1Node): string {
  return JSON.stringify([node.metadata?.labels, node.spec?.taints, node.spec?.unschedulable, node.status?.allocatable]);
}

/** `namespace/name` as the informer's `get` takes it: name first. */
function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(slash + 1), key.slice(0, slash)];
}

/** A PreBind failure, whose message is already the scheduler's. */
class PreBindError extends Error {}

function scheduledCondition(pod: V1Pod): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
}

class Scheduler {
  private readonly client: KubeClient;
  private readonly core: CoreV1Api;
  private readonly nodes: Informer<V1Node>;
  private readonly pods: Informer<V1Pod>;
  private readonly claims: Informer<V1PersistentVolumeClaim>;
  private readonly volumes: Informer<V1PersistentVolume>;
  private readonly classes: Informer<V1StorageClass>;
  private readonly queue: SchedulingQueue;
  private readonly recorder: EventRecorder;
  private readonly logger: Logger;
  /** Pods decided on but not yet shown bound by the informer, by pod key: their node. */
  private readonly assumed = new Map<string, string>();
  private readonly waiters = new Set<ClaimWaiter>();
  private readonly binding = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private stopped = false;

  constructor(
    kc: KubeConfig,
    private readonly options: SchedulerOptions,
  ) {
    const logger = options.logger.child({ component: SCHEDULER_NAME });
    this.logger = logger;
    this.core = kc.makeApiClient(CoreV1Api);
    const { initialBackoffMs, maxBackoffMs, unschedulableRetryMs } = options;
    this.queue = new SchedulingQueue({ priorityOf: (key) => this.pods.get(...splitKey(key))?.spec?.priority ?? 0, initialBackoffMs, maxBackoffMs, unschedulableRetryMs });
    this.client = new KubeClient(kc);
    const watch = <T extends KubernetesObject>(resource: ResourceType, onEvent: (type: InformerEventType, obj: T, old: T | undefined) => void): Informer<T> =>
      new Informer<T>(this.client, { resource, onEvent, logger }).start();
    const volumesChanged = (): void => {
      this.queue.moveAll('VolumeChange');
      for (const w of this.waiters) w.check();
    };
    this.nodes = watch<V1Node>(R.nodes, (type, node, old) => {
      if (type === 'added') this.queue.moveAll('NodeAdd');
      else if (type === 'updated' && old !== undefined && nodeView(old) !== nodeView(node)) this.queue.moveAll('NodeUpdate');
    });
    this.pods = watch<V1Pod>(R.pods, (type, pod, old) => {
      if (type === 'deleted') this.podDeleted(pod);
      else this.podChanged(old, pod);
    });
    this.claims = watch<V1PersistentVolumeClaim>(R.persistentVolumeClaims, volumesChanged);
    this.volumes = watch<V1PersistentVolume>(R.persistentVolumes, volumesChanged);
    this.classes = watch<V1StorageClass>(R.storageClasses, volumesChanged);
    this.recorder = eventRecorder(KubernetesObjectApi.makeApiClient(kc), { component: SCHEDULER_NAME, logger });
  }

  private informers(): { synced: Promise<void>; stop(): Promise<void> }[] {
    return [this.nodes, this.pods, this.claims, this.volumes, this.classes];
  }

  /** Waits until every cache holds the cluster as it was at start, then starts scheduling. */
  async start(): Promise<void> {
    await Promise.all(this.informers().map((i) => i.synced));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    await Promise.all(this.informers().map((i) => i.stop()));
    for (const w of this.waiters) w.cancel('scheduler stopped');
    await this.loop;
    await Promise.allSettled([...this.binding]);
    this.client.close();
  }

  private listers(): VolumeListers {
    return {
      claim: (namespace, name) => this.claims.get(name, namespace),
      volume: (name) => this.volumes.get(name),
      storageClass: (name) => this.classes.get(name),
    };
  }

  private podDeleted(pod: V1Pod): void {
    const key = podKey(pod);
    this.queue.remove(key);
    this.assumed.delete(key);
    for (const w of this.waiters) if (w.podKey === key) w.cancel('pod was deleted');
    if (pod.spec?.nodeName) this.queue.moveAll('AssignedPodDelete');
  }

  private podChanged(old: V1Pod | undefined, pod: V1Pod): void {
    const key = podKey(pod);
    if (pod.spec?.nodeName) {
      this.queue.remove(key);
      this.assumed.delete(key);
      // A newly placed or finished pod changes what other pods see (free resources, spread counts).
      if (!old?.spec?.nodeName) this.queue.moveAll('AssignedPodAdd');
      else if (isTerminal(pod) && !isTerminal(old)) this.queue.moveAll('AssignedPodDelete');
      else if (JSON.stringify(old.metadata?.labels) !== JSON.stringify(pod.metadata?.labels)) this.queue.moveAll('AssignedPodUpdate');
      return;
    }
    if (!isOurs(pod)) {
      this.queue.remove(key);
      return;
    }
    if (isGated(pod)) {
      this.queue.remove(key);
      if (scheduledCondition(pod)?.reason !== 'SchedulingGated') void this.setCondition(pod, 'SchedulingGated', GATED_MESSAGE);
      return;
    }
    if (old === undefined || !this.queue.has(key) || schedulingView(old) !== schedulingView(pod)) this.queue.activate(key);
  }

  private async run(): Promise<void> {
    for (let item = await this.queue.pop(); item !== undefined; item = await this.queue.pop()) {
      this.scheduleOne(item);
      // Let informer events in between two attempts.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private scheduleOne(item: Popped): void {
    const pod = this.pods.get(...splitKey(item.key));
    if (pod === undefined || !isOurs(pod) || isGated(pod)) {
      this.queue.remove(item.key);
      return;
    }
    const snapshot = buildSnapshot(this.nodes.list(), this.pods.list(), this.assumed);
    const result = schedulePod(pod, snapshot, this.listers());
    if (result.kind === 'scheduled') {
      this.assumed.set(item.key, result.node);
      const done = this.bindCycle(pod, result.node, result.volumes, item).finally(() => this.binding.delete(done));
      this.binding.add(done);
      return;
    }
    this.queue.failed(item.key, item.cycle, result.kind === 'unschedulable' ? result.rejectedBy : undefined);
    this.logger.debug({ pod: item.key, reason: result.message }, 'pod unschedulable');
    void this.recordFailure(pod, result.kind === 'unschedulable' ? 'Unschedulable' : 'SchedulerError', result.message);
  }

  private async bindCycle(pod: V1Pod, node: string, volumes: PodVolumes, item: Popped): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    try {
      if (volumes.toProvision.length > 0) await this.preBindClaims(pod, node, volumes);
      const body: Plain<V1Binding> = { metadata: { name, namespace, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
      await this.core.createNamespacedPodBinding({ name, namespace, body });
      this.queue.remove(item.key);
      this.logger.debug({ pod: item.key, node }, 'pod bound');
      this.recorder.record(podRef(pod), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
    } catch (err) {
      this.assumed.delete(item.key);
      if (this.stopped || !this.queue.has(item.key)) return;
      this.queue.failed(item.key, item.cycle, undefined);
      const message = err instanceof PreBindError ? err.message : `binding rejected: ${apiMessage(err)}`;
      this.logger.debug({ pod: item.key, node, err: message }, 'binding failed');
      await this.recordFailure(this.pods.get(...splitKey(item.key)) ?? pod, 'SchedulerError', message);
    }
  }

  /** VolumeBinding's PreBind: mark each WaitForFirstConsumer claim with the node, then wait until all are bound. */
  private async preBindClaims(pod: V1Pod, node: string, volumes: PodVolumes): Promise<void> {
    try {
      for (const { claim } of volumes.toProvision) {
        if (claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] === node) continue;
        await this.core.patchNamespacedPersistentVolumeClaim(
          { name: claim.metadata?.name ?? '', namespace: claim.metadata?.namespace ?? 'default', body: { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: node } } } },
          MERGE_PATCH,
        );
      }
      const waiter = waitForClaims({
        podKey: podKey(pod),
        node,
        claims: volumes.toProvision.map(({ claim }) => `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`),
        claim: (key) => this.claims.get(...splitKey(key)),
        volume: (name) => this.volumes.get(name),
        nodeObject: () => this.nodes.get(node),
        timeoutMs: this.options.bindTimeoutMs ?? 600_000,
      });
      this.waiters.add(waiter);
      try {
        await waiter.done;
      } finally {
        this.waiters.delete(waiter);
      }
    } catch (err) {
      throw new PreBindError(`running PreBind plugin "VolumeBinding": binding volumes: ${apiMessage(err)}`);
    }
  }

  /** The PodScheduled condition (only when it changes, as kube-scheduler's `updatePod`) and a FailedScheduling event. */
  private async recordFailure(pod: V1Pod, reason: string, message: string): Promise<void> {
    this.recorder.record(podRef(pod), 'Warning', 'FailedScheduling', message);
    await this.setCondition(pod, reason, message);
  }

  private async setCondition(pod: V1Pod, reason: string, message: string): Promise<void> {
    const current = scheduledCondition(pod);
    if (current?.status === 'False' && current.reason === reason && current.message === message) return;
    const lastTransitionTime = current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : timestamp();
    const condition = { type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime };
    try {
      await this.core.patchNamespacedPodStatus(
        { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? 'default', body: { status: { conditions: [condition] } } },
        STRATEGIC,
      );
    } catch (err) {
      this.logger.debug({ pod: podKey(pod), err: apiMessage(err) }, 'could not update pod condition');
    }
  }
}

export async function startScheduler(kc: KubeConfig, options: SchedulerOptions): Promise<{ stop(): Promise<void> }> {
  const scheduler = new Scheduler(kc, options);
  await scheduler.start();
  return { stop: () => scheduler.stop() };
}
