/**
 * One pod on one node, from the kubelet's side: set up its volumes (retrying `FailedMount`), run the init containers
 * one after another, then the containers together (with a kubeconfig carrying the pod's ServiceAccount token, so
 * they reach the API as that ServiceAccount), keep `pods/status` current, and on deletion stop the processes
 * (SIGTERM, SIGKILL after the grace period), then remove the pod from the API and its files from disk.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { V1DeleteOptions, V1Preconditions, type CoreV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../util/log.js';
import { CONTAINER_ROOT_ENV } from '../../util/containerpaths.js';
import { writePodKubeconfig } from '../kubeconfig.js';
import { podLogPath } from '../podlogs.js';
import { isConflict, isNotFound, MERGE_PATCH, timestamp } from './api.js';
import { ContainerRunner, type Backoff, type ContainerHost } from './container.js';
import { containerEnv } from './env.js';
import type { EventRecorder } from './events.js';
import type { ConfigSource } from './sources.js';
import { podConditions, podPhase, type ContainerStatus, type PodCondition, type PodView } from './status.js';
import { sleep } from './sleep.js';
import { MountError, prepareVolumes, SERVICE_ACCOUNT_TOKEN, SERVICE_ACCOUNT_VOLUME } from './volumes.js';

export interface KubeletContext {
  core: CoreV1Api;
  source: ConfigSource;
  events: EventRecorder;
  logger: Logger;
  dir: string;
  nodeName: string;
  /** The cluster entry of the cluster's kubeconfig, which pods' kubeconfigs copy. */
  cluster: unknown;
  ferryImages: readonly string[];
  backoff: Backoff;
  /** How often a pod waiting for a volume, Secret or ConfigMap is retried. */
  retryMs: number;
  /** The longest grace period the kubelet's own stop() waits before SIGKILL. */
  shutdownGraceMs: number;
}

/** Pods of every kubelet share 127.0.0.1: they are processes of one machine. */
export const LOCAL_IP = '127.0.0.1';

const DEFAULT_GRACE_SECONDS = 30;

type Ending = 'deleting' | 'removed' | 'shutdown';

function previousStatus(pod: V1Pod, name: string, init: boolean): ContainerStatus | undefined {
  const list = (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) as unknown as ContainerStatus[] | undefined;
  return list?.find((s) => s.name === name);
}

/** A container that already ran under an earlier kubelet counts as restarted when this one runs it again. */
function restartCountFrom(previous: ContainerStatus | undefined): number {
  if (previous === undefined) return 0;
  const ran = previous.state.running !== undefined || previous.state.terminated !== undefined || previous.lastState.terminated !== undefined;
  return previous.restartCount + (ran ? 1 : 0);
}

export class PodWorker {
  readonly uid: string;
  /** Settles when the worker is finished: processes gone and, when deleted, the pod removed. */
  readonly done: Promise<void>;
  readonly #ctx: KubeletContext;
  readonly #log: Logger;
  #pod: V1Pod;
  #volumes: ReadonlyMap<string, string> = new Map();
  /** The pod's own kubeconfig; none when the pod opts out of its ServiceAccount token. */
  #kubeconfig: string | undefined;
  #sandboxReady = false;
  readonly #init: ContainerRunner[];
  readonly #containers: ContainerRunner[];
  readonly #startTime: string;
  readonly #ending = new AbortController();
  #endingAs: Ending | undefined;
  #lastWritten = '';
  #syncing: Promise<void> | undefined;
  #dirty = false;
  /** The pod is no longer in the API: nothing more to write. */
  #gone = false;
  /** No more status writes: the pod finished under an earlier kubelet, or this kubelet is stopping. */
  #frozen = false;

  constructor(ctx: KubeletContext, pod: V1Pod) {
    this.#ctx = ctx;
    this.#pod = pod;
    this.uid = pod.metadata?.uid ?? '';
    this.#log = ctx.logger.child({ pod: `${this.#namespace}/${this.#name}` });
    // The informer hands over the API's JSON, where timestamps are strings.
    const startTime: unknown = pod.status?.startTime;
    this.#startTime = typeof startTime === 'string' ? startTime : timestamp();
    const host = this.#host();
    const runner = (c: V1Container, init: boolean, waitingReason: string): ContainerRunner =>
      new ContainerRunner(host, c, { init, waitingReason, restartCount: restartCountFrom(previousStatus(pod, c.name, init)) });
    const hasInit = (pod.spec?.initContainers ?? []).length > 0;
    this.#init = (pod.spec?.initContainers ?? []).map((c) => runner(c, true, 'PodInitializing'));
    this.#containers = (pod.spec?.containers ?? []).map((c) => runner(c, false, hasInit ? 'PodInitializing' : 'ContainerCreating'));
    this.done = this.#run();
    // A pod first seen while already being deleted (e.g. deleted while the kubelet was down).
    this.update(pod);
  }

  get #name(): string {
    return this.#pod.metadata?.name ?? '';
  }

  get #namespace(): string {
    return this.#pod.metadata?.namespace ?? 'default';
  }

  get #podDir(): string {
    return join(this.#ctx.dir, 'pods', this.#namespace, this.#name);
  }

  /** A newer version of the pod from the API. */
  update(pod: V1Pod): void {
    this.#pod = pod;
    if (pod.metadata?.deletionTimestamp !== undefined) this.#end('deleting');
  }

  /** The pod is gone from the API (deleted at once, without a graceful deletion). */
  removed(): void {
    this.#gone = true;
    this.#end('removed');
  }

  /** The kubelet stops: processes end, the API and the files are left as they are (a dying kubelet reports nothing). */
  async shutdown(): Promise<void> {
    this.#frozen = true;
    this.#end('shutdown');
    await Promise.all([this.done, this.#syncing]);
  }

  #end(as: Ending): void {
    if (this.#endingAs === undefined || (this.#endingAs === 'deleting' && as === 'removed')) this.#endingAs = as;
    this.#ending.abort();
  }

  #host(): ContainerHost {
    const ctx = this.#ctx;
    return {
      pod: () => this.#pod,
      volumes: () => this.#volumes,
      ferryImages: ctx.ferryImages,
      backoff: ctx.backoff,
      configRetryMs: ctx.retryMs,
      environment: async (container, root) => ({
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: root,
        HOSTNAME: this.#name,
        ...(await containerEnv(ctx.source, this.#pod, container)),
        ...(this.#kubeconfig === undefined ? {} : { KUBECONFIG: this.#kubeconfig }),
        [CONTAINER_ROOT_ENV]: root,
      }),
      rootDir: (container) => join(this.#podDir, 'root', container),
      logPath: (container) => podLogPath(ctx.dir, this.#namespace, this.#name, container),
      changed: () => {
        this.#scheduleSync();
      },
      event: (type, reason, message) => {
        ctx.events.record({ apiVersion: 'v1', kind: 'Pod', metadata: this.#pod.metadata }, type, reason, message);
      },
    };
  }

  async #run(): Promise<void> {
    const phase = this.#pod.status?.phase;
    this.#frozen = phase === 'Succeeded' || phase === 'Failed';
    const running = this.#frozen ? Promise.resolve() : this.#runContainers();
    const ended = new Promise<void>((resolve) => {
      if (this.#ending.signal.aborted) resolve();
      else this.#ending.signal.addEventListener('abort', () => { resolve(); }, { once: true });
    });
    // Containers run until the pod ends; an unexpected failure stops them at once.
    const failed = running.then(
      () => ended,
      (err: unknown) => {
        this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'pod worker failed');
      },
    );
    await Promise.race([ended, failed]);
    try {
      await this.#stopAll(this.#graceMs());
      await running.catch(() => undefined);
      await this.#finish();
    } catch (err) {
      this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'could not finish pod');
    }
  }

  async #runContainers(): Promise<void> {
    this.#scheduleSync();
    if (!(await this.#setUpVolumes())) return;
    for (const runner of this.#init) {
      await runner.run();
      if (runner.status.state.terminated?.exitCode !== 0) return;
    }
    await Promise.all(this.#containers.map((r) => r.run()));
  }

  async #setUpVolumes(): Promise<boolean> {
    let lastError = '';
    const ctx = this.#ctx;
    while (!this.#ending.signal.aborted) {
      try {
        this.#volumes = await prepareVolumes({ dir: ctx.dir, nodeName: ctx.nodeName, podDir: this.#podDir, source: ctx.source, core: ctx.core }, this.#pod);
        const serviceAccount = this.#volumes.get(SERVICE_ACCOUNT_VOLUME);
        if (serviceAccount !== undefined) {
          this.#kubeconfig = join(this.#podDir, 'kubeconfig');
          const token = await readFile(join(serviceAccount, SERVICE_ACCOUNT_TOKEN), 'utf8');
          await writePodKubeconfig(this.#kubeconfig, ctx.cluster, token, this.#namespace);
        }
        this.#sandboxReady = true;
        this.#scheduleSync();
        return true;
      } catch (err) {
        if (!(err instanceof MountError)) throw err;
        if (err.message !== lastError) this.#host().event('Warning', 'FailedMount', err.message);
        lastError = err.message;
        await sleep(ctx.retryMs, this.#ending.signal);
      }
    }
    return false;
  }

  #graceMs(): number {
    const seconds = this.#pod.metadata?.deletionGracePeriodSeconds ?? this.#pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    const ms = seconds * 1000;
    return this.#endingAs === 'shutdown' ? Math.min(ms, this.#ctx.shutdownGraceMs) : ms;
  }

  async #stopAll(graceMs: number): Promise<void> {
    const runners = [...this.#init, ...this.#containers];
    for (const r of runners) if (r.pid !== undefined) this.#host().event('Normal', 'Killing', `Stopping container ${r.name}`);
    await Promise.all(runners.map((r) => r.stop(graceMs)));
  }

  /** After the containers stopped: report, remove the pod from the API when it is being deleted, clean up. */
  async #finish(): Promise<void> {
    if (this.#endingAs === undefined || this.#endingAs === 'shutdown') return;
    if (!this.#gone) {
      await this.#syncNow();
      await this.#deleteFromApi();
      this.#gone = true;
    }
    await rm(this.#podDir, { recursive: true, force: true });
  }

  /** The last step of a graceful deletion, which only the kubelet takes: delete with grace period 0. */
  async #deleteFromApi(): Promise<void> {
    try {
      const preconditions = Object.assign(new V1Preconditions(), { uid: this.uid });
      const body = Object.assign(new V1DeleteOptions(), { gracePeriodSeconds: 0, preconditions });
      await this.#ctx.core.deleteNamespacedPod({ name: this.#name, namespace: this.#namespace, gracePeriodSeconds: 0, body });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  #status(): Record<string, unknown> {
    const view: PodView = {
      restartPolicy: this.#pod.spec?.restartPolicy ?? 'Always',
      init: this.#init.map((r) => r.status),
      initCount: this.#init.length,
      containers: this.#containers.map((r) => r.status),
      containerCount: this.#containers.length,
      sandboxReady: this.#sandboxReady,
    };
    const phase = podPhase(view);
    const previous = (this.#pod.status?.conditions ?? []) as unknown as PodCondition[];
    return {
      phase,
      conditions: podConditions(view, phase, previous, timestamp()),
      hostIP: LOCAL_IP,
      hostIPs: [{ ip: LOCAL_IP }],
      podIP: LOCAL_IP,
      podIPs: [{ ip: LOCAL_IP }],
      startTime: this.#startTime,
      ...(this.#init.length > 0 ? { initContainerStatuses: view.init } : {}),
      containerStatuses: view.containers,
    };
  }

  #scheduleSync(): void {
    if (this.#frozen) return;
    this.#dirty = true;
    this.#syncing ??= this.#syncLoop().finally(() => {
      this.#syncing = undefined;
    });
  }

  async #syncNow(): Promise<void> {
    this.#scheduleSync();
    await this.#syncing;
  }

  async #syncLoop(): Promise<void> {
    // Coalesce the changes of one tick into one write.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#dirty && !this.#gone && !this.#frozen) {
      this.#dirty = false;
      const status = this.#status();
      const text = JSON.stringify(status);
      if (text === this.#lastWritten) continue;
      try {
        await this.#ctx.core.patchNamespacedPodStatus({ name: this.#name, namespace: this.#namespace, body: { status } }, MERGE_PATCH);
        this.#lastWritten = text;
      } catch (err) {
        if (isNotFound(err)) {
          this.#gone = true;
          return;
        }
        this.#log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not update pod status; retrying');
        this.#dirty = true;
        await new Promise((resolve) => setTimeout(resolve, this.#ctx.retryMs));
      }
    }
  }
}
