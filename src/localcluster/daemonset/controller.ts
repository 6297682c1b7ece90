/**
 * The DaemonSet controller as an API client: informers on DaemonSets, pods and nodes; a work queue of DaemonSets;
 * each sync carries out {@link planDaemonSet} (create pods, delete pods, report status) and records the events
 * kube-controller-manager's controller records. Like it, it keeps *expectations*: after creating or deleting pods
 * it waits for the informer to show those changes before deciding again, so a slow watch cannot make it create a
 * second pod for a node.
 */
import { AppsV1Api, CoreV1Api, KubernetesObjectApi, type KubeConfig, type V1DaemonSet, type V1DeleteOptions, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { KubeClient } from '../../kube/client.js';
import { Informer, type InformerEventType } from '../../kube/informer.js';
import type { Plain } from '../../kube/models.js';
import { R } from '../../kube/resources.js';
import type { Logger } from '../../util/log.js';
import { apiMessage, isNotFound, MERGE_PATCH } from '../kubelet/api.js';
import { eventRecorder, type EventRecorder, type EventSubject } from '../kubelet/events.js';
import { WorkQueue, type Requeue } from '../../controller/index.js';
import { newDaemonPod, targetNodeName } from './pods.js';
import { planDaemonSet, type DaemonSetPlan } from './plan.js';

export const CONTROLLER_NAME = 'daemonset-controller';

export interface DaemonSetControllerOptions {
  logger: Logger;
  /** Every DaemonSet is synced this often even without changes. Default 30 s. */
  resyncMs?: number;
}

/** Expectations not met within this long are dropped (a missed watch event must not stall the DaemonSet). */
const EXPECTATIONS_TTL_MS = 30_000;
const FAILED_POD_BACKOFF_FIRST_MS = 1_000;
const FAILED_POD_BACKOFF_MAX_MS = 60_000;

interface Expectations {
  /** Nodes a pod was created for, until the informer shows it. */
  creates: Set<string>;
  /** Uids of pods deleted, until the informer shows them gone or terminating. */
  deletes: Set<string>;
  expiresAt: number;
}

function dsKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

function controllerOf(pod: V1Pod): string | undefined {
  const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  return ref?.kind === 'DaemonSet' && ref.apiVersion.startsWith('apps/') ? dsKey(pod.metadata?.namespace, ref.name) : undefined;
}

function subject(ds: V1DaemonSet): EventSubject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds.metadata };
}

/** What eligibility reads from a node; heartbeats change none of it. */
function nodeView(node: V1Node): string {
  return JSON.stringify([node.metadata?.labels, node.spec?.taints]);
}

const STATUS_FIELDS = ['currentNumberScheduled', 'desiredNumberScheduled', 'numberMisscheduled', 'numberReady', 'numberAvailable', 'numberUnavailable', 'updatedNumberScheduled', 'observedGeneration'] as const;

function statusChanged(ds: V1DaemonSet, next: DaemonSetPlan['status']): boolean {
  // The API server may leave zero counts out.
  return STATUS_FIELDS.some((f) => (ds.status?.[f] ?? 0) !== (next[f] ?? 0));
}

class DaemonSetController {
  private readonly client: KubeClient;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly recorder: EventRecorder;
  private readonly logger: Logger;
  private readonly queue: WorkQueue;
  private readonly daemonSets: Informer<V1DaemonSet>;
  private readonly pods: Informer<V1Pod>;
  private readonly nodes: Informer<V1Node>;
  private readonly expectations = new Map<string, Expectations>();
  /** Per `DaemonSet/node`: when a failed pod there may be deleted again, and the current delay. */
  private readonly failedBackoff = new Map<string, { until: number; delayMs: number }>();
  private resync: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    kc: KubeConfig,
    private readonly options: DaemonSetControllerOptions,
  ) {
    const logger = options.logger.child({ component: CONTROLLER_NAME });
    this.logger = logger;
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.recorder = eventRecorder(KubernetesObjectApi.makeApiClient(kc), { component: CONTROLLER_NAME, logger });
    this.queue = new WorkQueue((key) => this.sync(key), logger);
    this.client = new KubeClient(kc);
    this.daemonSets = new Informer<V1DaemonSet>(this.client, {
      resource: R.daemonSets,
      logger,
      onEvent: (type, ds) => {
        const key = dsKey(ds.metadata?.namespace, ds.metadata?.name);
        if (type === 'deleted') this.expectations.delete(key);
        else this.enqueue(key);
      },
    }).start();
    this.pods = new Informer<V1Pod>(this.client, {
      resource: R.pods,
      logger,
      onEvent: (type, pod) => {
        this.podEvent(type, pod);
      },
    }).start();
    this.nodes = new Informer<V1Node>(this.client, {
      resource: R.nodes,
      logger,
      onEvent: (type, node, old) => {
        if (type !== 'updated' || old === undefined || nodeView(old) !== nodeView(node)) this.enqueueAll();
      },
    }).start();
  }

  /** Syncs start once every cache is full: deciding on a partial pod list would create pods that already exist. */
  async start(): Promise<void> {
    await Promise.all([this.daemonSets.synced, this.pods.synced, this.nodes.synced]);
    this.started = true;
    this.enqueueAll();
    this.resync = setInterval(() => {
      this.enqueueAll();
    }, this.options.resyncMs ?? 30_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.resync);
    await Promise.all([this.daemonSets.stop(), this.pods.stop(), this.nodes.stop()]);
    this.client.close();
    await this.queue.stop();
  }

  private enqueue(key: string, delayMs = 0): void {
    if (this.started) this.queue.add(key, delayMs);
  }

  private enqueueAll(): void {
    for (const ds of this.daemonSets.list()) this.enqueue(dsKey(ds.metadata?.namespace, ds.metadata?.name));
  }

  private podEvent(type: InformerEventType, pod: V1Pod): void {
    const key = controllerOf(pod);
    if (key === undefined) return;
    const exp = this.expectations.get(key);
    if (exp !== undefined) {
      if (type === 'added') exp.creates.delete(targetNodeName(pod) ?? '');
      if (type === 'deleted' || pod.metadata?.deletionTimestamp) exp.deletes.delete(pod.metadata?.uid ?? '');
    }
    this.enqueue(key);
  }

  private expectationsMet(key: string): boolean {
    const exp = this.expectations.get(key);
    if (exp === undefined) return true;
    if ((exp.creates.size === 0 && exp.deletes.size === 0) || Date.now() > exp.expiresAt) {
      this.expectations.delete(key);
      return true;
    }
    return false;
  }

  /** One sync; returns when to look again. */
  private async sync(key: string): Promise<Requeue> {
    const slash = key.indexOf('/');
    const ds = this.daemonSets.get(key.slice(slash + 1), key.slice(0, slash));
    // A DaemonSet being deleted is left to the garbage collector, which removes its pods.
    if (ds === undefined || ds.metadata?.deletionTimestamp) return undefined;
    const uid = ds.metadata?.uid;
    const pods = this.pods.list().filter((p) => p.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === uid));
    const plan = planDaemonSet({ ds, nodes: this.nodes.list(), pods, now: Date.now() });
    let failure: unknown;
    if (this.expectationsMet(key)) {
      const exp: Expectations = { creates: new Set(plan.create), deletes: new Set(), expiresAt: Date.now() + EXPECTATIONS_TTL_MS };
      this.expectations.set(key, exp);
      const results = await Promise.allSettled([...plan.create.map((node) => this.createPod(ds, node, plan.hash, exp)), ...this.deletions(key, ds, plan, exp)]);
      failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
    }
    if (statusChanged(ds, plan.status)) {
      await this.apps.patchNamespacedDaemonSetStatus({ name: ds.metadata?.name ?? '', namespace: ds.metadata?.namespace ?? '', body: { status: plan.status } }, MERGE_PATCH);
    }
    // Thrown last so the status is still reported; the queue retries the DaemonSet.
    if (failure !== undefined) throw new Error(apiMessage(failure), { cause: failure });
    return plan.requeueAfterMs;
  }

  private async createPod(ds: V1DaemonSet, node: string, hash: string, exp: Expectations): Promise<void> {
    try {
      const pod = await this.core.createNamespacedPod({ namespace: ds.metadata?.namespace ?? 'default', body: newDaemonPod(ds, node, hash) });
      this.recorder.record(subject(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name ?? ''}`);
    } catch (err) {
      exp.creates.delete(node);
      this.recorder.record(subject(ds), 'Warning', 'FailedCreate', `Error creating: ${apiMessage(err)}`);
      throw err;
    }
  }

  /** The deletions the plan asks for; failed pods only once their node's backoff allows. */
  private deletions(key: string, ds: V1DaemonSet, plan: DaemonSetPlan, exp: Expectations): Promise<void>[] {
    const now = Date.now();
    return plan.delete.flatMap(({ pod, node, reason }) => {
      if (reason === 'failed') {
        const backoffKey = `${key}/${node}`;
        const backoff = this.failedBackoff.get(backoffKey);
        if (backoff !== undefined && backoff.until > now) {
          this.enqueue(key, backoff.until - now);
          return [];
        }
        const delayMs = Math.min((backoff?.delayMs ?? FAILED_POD_BACKOFF_FIRST_MS / 2) * 2, FAILED_POD_BACKOFF_MAX_MS);
        this.failedBackoff.set(backoffKey, { until: now + delayMs, delayMs });
        this.recorder.record(subject(ds), 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''} on node ${node}, will try to kill it`);
      }
      return [this.deletePod(ds, pod, exp)];
    });
  }

  private async deletePod(ds: V1DaemonSet, pod: V1Pod, exp: Expectations): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid ?? '';
    exp.deletes.add(uid);
    try {
      const body: Plain<V1DeleteOptions> = { preconditions: { uid } };
      await this.core.deleteNamespacedPod({ name, namespace: pod.metadata?.namespace ?? 'default', body });
      this.recorder.record(subject(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      exp.deletes.delete(uid);
      if (isNotFound(err)) return;
      this.recorder.record(subject(ds), 'Warning', 'FailedDelete', `Error deleting: ${apiMessage(err)}`);
      throw err;
    }
  }
}

export async function startDaemonSetController(kc: KubeConfig, options: DaemonSetControllerOptions): Promise<{ stop(): Promise<void> }> {
  const controller = new DaemonSetController(kc, options);
  await controller.start();
  return { stop: () => controller.stop() };
}
