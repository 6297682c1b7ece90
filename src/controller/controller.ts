import type { KubeClient } from '../kube/client.js';
import { isConflict, isNotFound } from '../kube/errors.js';
import { Informer } from '../kube/informer.js';
import type { Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { apiTimestamp, toMillis } from '../kube/time.js';
import { CANCELED_SUFFIX, EXPOSE_ON_GOING_LABEL } from '../kube/velero.js';
import { DATA_UPLOAD_DOWNLOAD_FINALIZER } from '../kube/crds.js';
import { terminationMessage } from '../exposer/index.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { DataMovement, MovementKind, MovementMetrics, MovementStatus } from './kind.js';
import type { SharedLimit } from './limit.js';
import { assertNever, canMove, isFinal, phaseOf, type DataMovementPhase, type FinalPhase } from './phases.js';
import { WorkQueue, type Requeue } from './queue.js';

export interface ControllerOptions<T extends DataMovement> {
  client: KubeClient;
  /** The install namespace: where the objects and the data-mover pods are. */
  namespace: string;
  /** This node-agent's node (`NODE_NAME`). */
  nodeName: string;
  /** Objects whose `spec.datamover` is this are handled; all others are left alone. */
  dataMoverName: string;
  kind: MovementKind<T>;
  /** How long an object may stay Accepted (exposing, pod not running) before it fails. */
  prepareTimeoutMs: number;
  /** Data paths running on this node, shared with the other kinds' controllers. */
  load: SharedLimit;
  /**
   * Data movements being prepared (labelled velero.io/expose-on-going), of every kind and on every node, against
   * `loadConcurrency.prepareQueueLength`; no limit when absent.
   */
  preparing?: SharedLimit;
  metrics?: MovementMetrics;
  logger: Logger;
  /** How often an Accepted object is looked at again (diagnosis, timeout); default 2 s. */
  recheckMs?: number;
  /** How long a canceled data mover may take to stop before its pod is deleted; default 30 s. */
  cancelGraceMs?: number;
}

interface ExposeTask {
  abort: AbortController;
  done: Promise<void>;
}

/** How often a New object waiting for room in the prepare queue looks again (Velero: 5 s). */
const PREPARE_QUEUE_RETRY_MS = 5000;

/** After an expose, how long its pod may take to reach the cache before a missing pod means it was deleted. */
const EXPOSED_POD_GRACE_MS = 5000;

/** Statuses written by this file: the fields of `MovementStatus`, plus kind-specific ones on completion. */
type StatusChange = MovementStatus & Record<string, unknown>;

/**
 * The phase machine of one kind of data movement on one node (Velero's DataUpload/DataDownload reconcilers, shared).
 * Every node-agent runs one per kind; they coordinate only through the API:
 * - **New**: every node-agent races to claim it with a write conditioned on the resourceVersion it saw (a Conflict
 *   means another node won); the winner adds the finalizer and exposes.
 * - **Accepted**: the accepting node watches the data-mover pod: it fails fast on hopeless pods, writes why the pod is
 *   not placed to `status.message`, and fails at the prepare timeout with that reason. The node the pod runs on
 *   moves it to **Prepared** once the pod is Running.
 * - **Prepared** → **InProgress** on that node when its loadConcurrency has room; the data mover in the pod does the
 *   work and writes progress; the pod's end becomes **Completed**, **Failed** or **Canceled**.
 * Every end cleans up what the exposer made, then writes the final phase and drops the finalizer. `spec.cancel` and
 * deletion cancel. The state lives in the objects and pods, so a restarted node-agent picks up where it was.
 */
export class DataMovementController<T extends DataMovement> {
  private readonly objects: Informer<T>;
  private readonly pods: Informer<Pod>;
  private readonly queue: WorkQueue;
  private readonly exposing = new Map<string, ExposeTask>();
  /** When each expose finished, so one is not repeated before its pod reaches the cache. */
  private readonly exposedAt = new Map<string, number>();
  /** Events are only acted on once both caches are filled: decisions need the pods too. */
  private synced = false;
  private readonly exposeErrors = new Map<string, string>();
  private readonly cancelSeen = new Map<string, number>();
  private readonly log: Logger;
  private readonly recheckMs: number;
  private readonly cancelGraceMs: number;

  constructor(private readonly options: ControllerOptions<T>) {
    const { client, namespace, kind, logger, load } = options;
    this.log = logger.child({ controller: kind.resource.kind });
    this.recheckMs = options.recheckMs ?? 2000;
    this.cancelGraceMs = options.cancelGraceMs ?? 30_000;
    this.queue = new WorkQueue((name) => this.reconcile(name), this.log);
    this.objects = new Informer<T>(client, {
      resource: kind.resource,
      namespace,
      logger: this.log,
      onEvent: (_type, obj) => {
        if (this.synced) this.queue.add(obj.metadata.name ?? '');
      },
    });
    this.pods = new Informer<Pod>(client, {
      resource: R.pods,
      namespace,
      labelSelector: kind.podLabel,
      logger: this.log,
      onEvent: (_type, pod) => {
        const owner = pod.metadata?.labels?.[kind.podLabel];
        if (owner !== undefined && this.synced) this.queue.add(owner);
      },
    });
    load.register(() => this.running());
    options.preparing?.register(() => this.objects.list().filter((o) => o.metadata.labels?.[EXPOSE_ON_GOING_LABEL] === 'true').length);
  }

  /** Starts watching; resolves once the caches are filled and every existing object was queued (resume after restart). */
  async start(): Promise<void> {
    this.objects.start();
    this.pods.start();
    await Promise.all([this.objects.synced, this.pods.synced]);
    this.synced = true;
    for (const obj of this.objects.list()) this.queue.add(obj.metadata.name ?? '');
  }

  async stop(): Promise<void> {
    await this.queue.stop();
    for (const task of this.exposing.values()) task.abort.abort();
    await Promise.allSettled([...this.exposing.values()].map((t) => t.done));
    await Promise.all([this.objects.stop(), this.pods.stop()]);
  }

  /** This node's objects whose data path runs now. */
  private running(): number {
    const me = this.options.nodeName;
    return this.objects.list().filter((o) => this.isMine(o) && o.status?.node === me && ['InProgress', 'Canceling'].includes(phaseOf(o))).length;
  }

  private isMine(obj: T): boolean {
    return obj.spec.datamover === this.options.dataMoverName;
  }

  private describe(obj: T): string {
    return `${this.options.namespace}/${obj.metadata.name ?? ''}`;
  }

  private async reconcile(name: string): Promise<Requeue> {
    const obj = this.objects.get(name);
    if (obj === undefined) {
      this.forget(name);
      return undefined;
    }
    if (!this.isMine(obj)) return undefined;
    const phase = phaseOf(obj);
    if (obj.metadata.deletionTimestamp !== undefined && !isFinal(phase) && obj.spec.cancel !== true) {
      await this.requestCancel(obj);
      return undefined;
    }
    switch (phase) {
      case 'New':
        return this.onNew(obj);
      case 'Accepted':
        return this.onAccepted(obj);
      case 'Prepared':
        return this.onPrepared(obj);
      case 'InProgress':
      case 'Canceling':
        return this.onRunning(obj, phase);
      case 'Completed':
      case 'Failed':
      case 'Canceled':
        return this.onFinal(obj);
      default:
        return assertNever(phase);
    }
  }

  private async onNew(obj: T): Promise<Requeue> {
    const { nodeName } = this.options;
    if (obj.spec.cancel === true) {
      await this.finish(obj, 'Canceled', { message: `${this.options.kind.noun} is canceled before it was accepted` });
      return undefined;
    }
    const { preparing } = this.options;
    if (preparing !== undefined && !preparing.hasRoom()) {
      await this.setMessage(obj, `waiting for its turn: ${preparing.inUse()} data movements are being prepared, the most loadConcurrency.prepareQueueLength allows (${preparing.limit})`);
      return PREPARE_QUEUE_RETRY_MS;
    }
    const accepted = await this.exclusiveUpdate(obj, 'Accepted', (o) => {
      const { message: _waiting, ...status } = o.status ?? {};
      o.status = { ...status, phase: 'Accepted', acceptedByNode: nodeName, acceptedTimestamp: apiTimestamp() };
      o.metadata.labels = { ...o.metadata.labels, [EXPOSE_ON_GOING_LABEL]: 'true' };
      const finalizers = o.metadata.finalizers ?? [];
      if (!finalizers.includes(DATA_UPLOAD_DOWNLOAD_FINALIZER)) o.metadata.finalizers = [...finalizers, DATA_UPLOAD_DOWNLOAD_FINALIZER];
    });
    if (accepted === undefined) return undefined;
    this.log.info({ name: this.describe(accepted) }, `${this.options.kind.noun} accepted`);
    this.startExpose(accepted);
    return this.recheckMs;
  }

  private async onAccepted(obj: T): Promise<Requeue> {
    const { nodeName, kind, prepareTimeoutMs } = this.options;
    const name = obj.metadata.name ?? '';
    const pod = this.pods.get(name);
    if (obj.spec.cancel !== true && pod?.spec?.nodeName === nodeName && pod.status?.phase === 'Running' && pod.metadata?.deletionTimestamp === undefined) {
      const prepared = await this.exclusiveUpdate(obj, 'Prepared', (o) => {
        const { message: _stale, ...status } = o.status ?? {};
        o.status = { ...status, phase: 'Prepared', node: nodeName };
      });
      if (prepared !== undefined) this.log.info({ name: this.describe(prepared) }, `${kind.noun} prepared on this node`);
      return prepared === undefined ? undefined : 0;
    }
    if (obj.status?.acceptedByNode !== nodeName) return undefined;
    if (obj.spec.cancel === true) {
      await this.finish(obj, 'Canceled', { message: `${kind.noun} is canceled` });
      return undefined;
    }
    const exposeError = this.exposeErrors.get(name);
    if (exposeError !== undefined) {
      await this.finish(obj, 'Failed', { message: `error exposing snapshot: ${exposeError}` });
      return undefined;
    }
    if (pod === undefined && !this.exposing.has(name) && Date.now() - (this.exposedAt.get(name) ?? 0) > EXPOSED_POD_GRACE_MS) this.startExpose(obj);
    const problem = pod === undefined ? undefined : kind.exposer.peek(pod);
    if (problem !== undefined) {
      await this.finish(obj, 'Failed', { message: problem });
      return undefined;
    }
    const reason = await kind.exposer.diagnose(obj, pod);
    const waitedMs = Date.now() - (toMillis(obj.status.acceptedTimestamp) ?? Date.now());
    if (waitedMs >= prepareTimeoutMs) {
      const why = reason ?? (pod === undefined ? `the data-mover pod was not created yet (${kind.exposing})` : undefined);
      await this.finish(obj, 'Failed', { message: `timeout on preparing ${kind.noun}${why === undefined ? '' : `: ${why}`}` });
      return undefined;
    }
    // A reason that no longer holds (the workload was scheduled, the class created) must not stay as the message.
    await this.setMessage(obj, reason);
    return Math.max(0, Math.min(this.recheckMs, prepareTimeoutMs - waitedMs));
  }

  private async onPrepared(obj: T): Promise<Requeue> {
    const { nodeName, kind, load } = this.options;
    if (obj.status?.node !== nodeName) return undefined;
    if (obj.spec.cancel === true) {
      await this.finish(obj, 'Canceled', { message: `${kind.noun} is canceled` });
      return undefined;
    }
    const pod = this.pods.get(obj.metadata.name ?? '');
    if (pod?.status?.phase !== 'Running') {
      const why = pod === undefined ? 'disappeared' : (kind.exposer.peek(pod) ?? `is ${pod.status?.phase ?? 'in no phase'}`);
      await this.finish(obj, 'Failed', { message: `data-mover pod ${this.describe(obj)} ${why} before the ${kind.noun} started` });
      return undefined;
    }
    if (!load.hasRoom()) {
      await this.setMessage(obj, `waiting for a free data path on node ${nodeName}: ${load.inUse()} of ${load.limit} in use (loadConcurrency)`);
      return this.recheckMs;
    }
    const started = await this.exclusiveUpdate(obj, 'InProgress', (o) => {
      const { message: _waiting, ...status } = o.status ?? {};
      o.status = { ...status, phase: 'InProgress', startTimestamp: apiTimestamp() };
      const { [EXPOSE_ON_GOING_LABEL]: _label, ...labels } = o.metadata.labels ?? {};
      o.metadata.labels = labels;
    });
    if (started !== undefined) this.log.info({ name: this.describe(started), load: load.inUse(), limit: load.limit }, `${kind.noun} started`);
    return undefined;
  }

  private async onRunning(obj: T, phase: 'InProgress' | 'Canceling'): Promise<Requeue> {
    const { nodeName, kind, client, namespace } = this.options;
    if (obj.status?.node !== nodeName) return undefined;
    const name = obj.metadata.name ?? '';
    const pod = this.pods.get(name);
    if (phase === 'InProgress' && obj.spec.cancel === true) {
      await this.exclusiveUpdate(obj, 'Canceling', (o) => {
        o.status = { ...o.status, phase: 'Canceling' };
      });
      return undefined;
    }
    if (pod === undefined) {
      await this.finish(obj, phase === 'Canceling' ? 'Canceled' : 'Failed', {
        message: `data-mover pod ${this.describe(obj)} disappeared while the ${kind.noun} was in progress (it was deleted, or its node failed)`,
      });
      return undefined;
    }
    const podPhase = pod.status?.phase;
    if (podPhase === 'Succeeded') {
      await this.complete(obj, terminationMessage(pod) ?? '');
      return undefined;
    }
    if (podPhase === 'Failed' || podPhase === 'Unknown') {
      const said = terminationMessage(pod);
      const message = said === undefined || said === '' ? (kind.exposer.peek(pod) ?? `data-mover pod ${this.describe(obj)} failed`) : said;
      const canceled = phase === 'Canceling' || message.endsWith(CANCELED_SUFFIX);
      await this.finish(obj, canceled ? 'Canceled' : 'Failed', { message: canceled ? message : `data path for ${kind.noun} ${name} failed: ${message}` });
      return undefined;
    }
    if (phase === 'Canceling') {
      const since = this.cancelSeen.get(name) ?? Date.now();
      this.cancelSeen.set(name, since);
      if (Date.now() - since >= this.cancelGraceMs) {
        this.log.warn({ name: this.describe(obj) }, 'data mover did not stop after cancel; deleting its pod');
        await client.delete(R.pods, { namespace, name }, { gracePeriodSeconds: 0 });
        return undefined;
      }
      return this.cancelGraceMs;
    }
    return undefined;
  }

  private async onFinal(obj: T): Promise<Requeue> {
    this.forget(obj.metadata.name ?? '');
    if (!(obj.metadata.finalizers ?? []).includes(DATA_UPLOAD_DOWNLOAD_FINALIZER)) return undefined;
    // Ended by someone else (a person, an older node-agent) without cleaning up: clean up and let it go.
    await this.options.kind.exposer.cleanUp(obj);
    await this.updateFresh(obj, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== DATA_UPLOAD_DOWNLOAD_FINALIZER);
      return true;
    });
    return undefined;
  }

  private async complete(obj: T, message: string): Promise<void> {
    const { kind } = this.options;
    let outcome;
    try {
      outcome = kind.completed(obj, message);
    } catch (err) {
      await this.finish(obj, 'Failed', { message: `cannot read the data mover's result: ${errorMessage(err)}` });
      return;
    }
    try {
      await kind.exposer.conclude?.(obj);
    } catch (err) {
      await this.finish(obj, 'Failed', { message: `error to complete the ${kind.noun}: ${errorMessage(err)}` });
      return;
    }
    await this.finish(obj, 'Completed', outcome.status, outcome.bytes);
  }

  /**
   * Cleans up, then writes the final phase and releases the finalizer in one write; counts it in the metrics. The
   * decision was made in `obj`'s phase from the cache: if the object has moved on since (the pod's node prepared it
   * just as the prepare timeout struck), nothing is cleaned up or written, and the change brings it back here.
   */
  private async finish(obj: T, phase: FinalPhase, change: StatusChange, bytes = 0): Promise<void> {
    const { kind, metrics, client, namespace } = this.options;
    const name = obj.metadata.name ?? '';
    const decidedIn = phaseOf(obj);
    const current = await client.find<T>(kind.resource, { namespace, name });
    if (current !== undefined && phaseOf(current) !== decidedIn) return;
    const task = this.exposing.get(name);
    if (task !== undefined) {
      task.abort.abort();
      await task.done;
    }
    await kind.exposer.cleanUp(obj);
    const written = await this.updateFresh(obj, (o) => {
      const from = phaseOf(o);
      if (from !== decidedIn || !canMove(from, phase)) return false;
      const { message: _old, ...status } = o.status ?? {};
      o.status = { ...status, ...change, phase, completionTimestamp: apiTimestamp() };
      if (o.status.message === '' || o.status.message === undefined) delete o.status.message;
      const { [EXPOSE_ON_GOING_LABEL]: _label, ...labels } = o.metadata.labels ?? {};
      o.metadata.labels = labels;
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== DATA_UPLOAD_DOWNLOAD_FINALIZER);
      return true;
    });
    this.forget(name);
    if (written === undefined) return;
    const startedMs = toMillis(obj.status?.startTimestamp);
    const durationMs = startedMs === undefined ? undefined : Date.now() - startedMs;
    metrics?.finished({ kind: kind.resource.kind, phase, bytes, durationMs });
    const level = phase === 'Completed' ? 'info' : 'warn';
    this.log[level]({ name: this.describe(obj), phase, message: written.status?.message }, `${kind.noun} ${phase.toLowerCase()}`);
  }

  private startExpose(obj: T): void {
    const name = obj.metadata.name ?? '';
    const abort = new AbortController();
    const done = this.options.kind.exposer.expose(obj, abort.signal).then(
      () => {
        this.exposedAt.set(name, Date.now());
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        this.exposeErrors.set(name, errorMessage(err));
        this.log.warn({ name: this.describe(obj), err: errorMessage(err) }, 'expose failed');
      },
    );
    this.exposing.set(name, { abort, done });
    void done.finally(() => {
      if (this.exposing.get(name)?.done === done) this.exposing.delete(name);
      this.queue.add(name);
    });
  }

  private forget(name: string): void {
    this.exposeErrors.delete(name);
    this.exposedAt.delete(name);
    this.cancelSeen.delete(name);
    const task = this.exposing.get(name);
    if (task !== undefined) task.abort.abort();
  }

  private async requestCancel(obj: T): Promise<void> {
    await this.updateFresh(obj, (o) => {
      if (isFinal(phaseOf(o)) || o.spec.cancel === true) return false;
      o.spec.cancel = true;
      return true;
    });
    this.log.info({ name: this.describe(obj) }, `${this.options.kind.noun} is being deleted: canceling it`);
  }

  /** Writes `status.message` in the object's current phase; `undefined` removes it. */
  private async setMessage(obj: T, message: string | undefined): Promise<void> {
    if (obj.status?.message === message) return;
    const phase = phaseOf(obj);
    await this.updateFresh(obj, (o) => {
      if (phaseOf(o) !== phase || o.status?.message === message) return false;
      const { message: _old, ...status } = o.status ?? {};
      o.status = message === undefined ? status : { ...status, message };
      return true;
    });
  }

  /** The cache sees this process's own write at once; the informer does not report it, so the next step is queued here. */
  private wrote(obj: T): void {
    this.objects.observe(obj);
    this.queue.add(obj.metadata.name ?? '');
  }

  /**
   * The claim-style write: replaces the object as it was seen (its resourceVersion), so it fails if anyone changed
   * it meanwhile; `undefined` then, and the change event brings the object back to be looked at again.
   */
  private async exclusiveUpdate(obj: T, to: DataMovementPhase, change: (o: T) => void): Promise<T | undefined> {
    if (!canMove(phaseOf(obj), to)) return undefined;
    const next = structuredClone(obj);
    change(next);
    try {
      const written = await this.options.client.replace(this.options.kind.resource, { namespace: this.options.namespace, name: obj.metadata.name }, next);
      this.wrote(written);
      return written;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** A write on the latest version, retried on Conflict; `change` returns false to write nothing. */
  private async updateFresh(obj: T, change: (o: T) => boolean): Promise<T | undefined> {
    const { client, kind, namespace } = this.options;
    const ref = { namespace, name: obj.metadata.name };
    for (let attempt = 1; ; attempt++) {
      let current: T;
      try {
        current = await client.get<T>(kind.resource, ref);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      if (!change(current)) return undefined;
      try {
        const written = await client.replace(kind.resource, ref, current);
        this.wrote(written);
        return written;
      } catch (err) {
        if (!isConflict(err) || attempt >= 10) throw err;
      }
    }
  }
}
