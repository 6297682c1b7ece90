/**
 * One container of a pod through its life, as the kubelet and a container runtime see it: created (environment
 * and root; a config problem keeps it waiting in `CreateContainerConfigError` and is retried), started (a local
 * process for Ferry's image; for other images nothing runs and the container just counts as running), exited
 * (`Completed`/`Error` with the termination message), restarted per `restartPolicy` after a doubling back-off
 * (`CrashLoopBackOff` meanwhile), and stopped on request (SIGTERM, SIGKILL after the grace period).
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { timestamp } from './api.js';
import { expandVars, resolveLaunch, type Launch } from './command.js';
import { ContainerConfigError } from './env.js';
import { imageId, isFerryImage } from './images.js';
import { startProcess, type ContainerProcess, type ProcessExit } from './process.js';
import { buildContainerRoot, type ContainerRoot } from './rootfs.js';
import { sleep } from './sleep.js';
import type { ContainerStatus, TerminatedState } from './status.js';

export interface Backoff {
  /** The first restart delay; the kubelet's is 10 s. */
  initialMs: number;
  /** The cap; the kubelet's is 5 min. A container that ran twice this long starts over at `initialMs`. */
  maxMs: number;
}

/** What a container needs from its pod. */
export interface ContainerHost {
  pod(): V1Pod;
  volumes(): ReadonlyMap<string, string>;
  ferryImages: readonly string[];
  backoff: Backoff;
  configRetryMs: number;
  /** The declared environment plus what the kubelet adds for every process (KUBECONFIG, FERRY_CONTAINER_ROOT...). */
  environment(container: V1Container, root: string): Promise<Record<string, string>>;
  rootDir(container: string): string;
  logPath(container: string): string;
  /** The container's status changed. */
  changed(): void;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

const MAX_MESSAGE_BYTES = 4096;
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;

async function readTail(path: string, fromByte: number): Promise<string> {
  const size = await stat(path).then((s) => s.size, () => 0);
  const start = Math.max(fromByte, size - FALLBACK_LOG_BYTES * 4);
  if (size <= start) return '';
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8').split('\n').slice(-FALLBACK_LOG_LINES - 1).join('\n');
    return text.length > FALLBACK_LOG_BYTES ? text.slice(text.length - FALLBACK_LOG_BYTES) : text;
  } finally {
    await handle.close();
  }
}

export class ContainerRunner {
  readonly status: ContainerStatus;
  readonly #host: ContainerHost;
  readonly #spec: V1Container;
  readonly #init: boolean;
  readonly #stopping = new AbortController();
  #process: ContainerProcess | undefined;
  #consecutiveRestarts = 0;
  #env: Record<string, string> = {};
  #graceMs = 0;

  constructor(host: ContainerHost, spec: V1Container, opts: { init: boolean; waitingReason: string; restartCount: number }) {
    this.#host = host;
    this.#spec = spec;
    this.#init = opts.init;
    this.status = {
      name: spec.name,
      state: { waiting: { reason: opts.waitingReason } },
      lastState: {},
      ready: false,
      started: false,
      restartCount: opts.restartCount,
      image: spec.image ?? '',
      imageID: '',
    };
  }

  get name(): string {
    return this.#spec.name;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Runs the container until it will not run again: done for good per restartPolicy, or stopped. */
  async run(): Promise<void> {
    while (!this.#stopped()) {
      const root = await this.#create();
      if (root === undefined) {
        await sleep(this.#host.configRetryMs, this.#stopping.signal);
        continue;
      }
      if (this.#stopped()) break;
      const exit = await this.#start(root);
      if (this.#stopped() || !this.#restarts(exit.exitCode)) return;
      await this.#backOff(exit);
    }
  }

  /** A method, not a property read, so the compiler does not assume it is unchanged across awaits. */
  #stopped(): boolean {
    return this.#stopping.signal.aborted;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (run() then returns). */
  async stop(graceMs: number): Promise<void> {
    this.#graceMs = graceMs;
    this.#stopping.abort();
    await this.#process?.stop(graceMs);
  }

  #restarts(exitCode: number): boolean {
    const policy = this.#host.pod().spec?.restartPolicy ?? 'Always';
    if (this.#init) return exitCode !== 0 && policy !== 'Never';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  #setWaiting(reason: string, message?: string): void {
    this.status.state = { waiting: message === undefined ? { reason } : { reason, message } };
    this.status.ready = false;
    this.status.started = false;
    this.#host.changed();
  }

  async #create(): Promise<ContainerRoot | undefined> {
    try {
      const rootDir = this.#host.rootDir(this.name);
      const env = await this.#host.environment(this.#spec, rootDir);
      const root = await buildContainerRoot({ root: rootDir, container: this.#spec, volumes: this.#host.volumes(), env });
      this.#env = env;
      return root;
    } catch (err) {
      // A config problem the user can fix is CreateContainerConfigError; anything else failed creating the container.
      const reason = err instanceof ContainerConfigError ? 'CreateContainerConfigError' : 'CreateContainerError';
      const message = err instanceof Error ? err.message : String(err);
      if (this.status.state.waiting?.message !== message) this.#host.event('Warning', 'Failed', `Error: ${message}`);
      this.#setWaiting(reason, message);
      return undefined;
    }
  }

  #launch(): Launch | { error: string } {
    const lookup = (n: string): string | undefined => this.#env[n];
    const expand = (list: string[] | undefined): string[] | undefined => list?.map((s) => expandVars(s, lookup));
    return resolveLaunch(expand(this.#spec.command), expand(this.#spec.args));
  }

  async #start(root: ContainerRoot): Promise<ProcessExit> {
    const image = this.status.image;
    this.status.imageID = imageId(image);
    if (!isFerryImage(image, this.#host.ferryImages)) return this.#idle();
    const launch = this.#launch();
    const logPath = this.#host.logPath(this.name);
    const logStart = await stat(logPath).then((s) => s.size, () => 0);
    const started = 'error' in launch ? launch : await startProcess(launch, { cwd: root.cwd, env: this.#env, logPath });
    if ('error' in started) {
      const now = Date.now();
      this.#host.event('Warning', 'Failed', `Error: failed to start container "${this.name}": ${started.error}`);
      this.#setTerminated({ exitCode: 128, signal: undefined, finishedAtMs: now }, now, 'StartError', started.error);
      return { exitCode: 128, signal: undefined, finishedAtMs: now };
    }
    this.#process = started;
    // stop() came while the process was being spawned: it had nothing to stop yet.
    if (this.#stopped()) void started.stop(this.#graceMs);
    this.status.containerID = `ferry://${started.pid}`;
    this.#host.event('Normal', 'Created', `Created container: ${this.name}`);
    this.#setRunning(started.startedAtMs);
    this.#host.event('Normal', 'Started', `Started container ${this.name}`);
    const exit = await started.exited;
    this.#process = undefined;
    const message = await this.#terminationMessage(root.terminationLog, logPath, logStart, exit.exitCode);
    this.#setTerminated(exit, started.startedAtMs, exit.exitCode === 0 ? 'Completed' : 'Error', message);
    return exit;
  }

  /** Other images: nothing to run; the container counts as running until stopped (an init container completes at once). */
  async #idle(): Promise<ProcessExit> {
    const startedAtMs = Date.now();
    this.status.containerID = `ferry://idle/${this.#host.pod().metadata?.uid ?? ''}/${this.name}`;
    this.#setRunning(startedAtMs);
    if (!this.#init) await sleep(2 ** 31 - 1, this.#stopping.signal);
    const exit: ProcessExit = { exitCode: 0, signal: undefined, finishedAtMs: Date.now() };
    this.#setTerminated(exit, startedAtMs, 'Completed', undefined);
    return exit;
  }

  #setRunning(startedAtMs: number): void {
    this.status.state = { running: { startedAt: timestamp(startedAtMs) } };
    this.status.started = true;
    // All probes count as passing (documented): a container is ready once it runs.
    this.status.ready = !this.#init;
    this.#host.changed();
  }

  #setTerminated(exit: ProcessExit, startedAtMs: number, reason: string, message: string | undefined): void {
    const terminated: TerminatedState = {
      exitCode: exit.exitCode,
      reason,
      ...(message === undefined || message === '' ? {} : { message }),
      startedAt: timestamp(startedAtMs),
      finishedAt: timestamp(exit.finishedAtMs),
      ...(this.status.containerID === undefined ? {} : { containerID: this.status.containerID }),
    };
    this.status.state = { terminated };
    this.status.started = false;
    this.status.ready = this.#init && exit.exitCode === 0;
    if (exit.finishedAtMs - startedAtMs >= 2 * this.#host.backoff.maxMs) this.#consecutiveRestarts = 0;
    this.#host.changed();
  }

  async #terminationMessage(file: string, logPath: string, logStart: number, exitCode: number): Promise<string> {
    const fromFile = await readFile(file).then((b) => b.subarray(0, MAX_MESSAGE_BYTES).toString('utf8'), () => '');
    if (fromFile !== '' || exitCode === 0 || this.#spec.terminationMessagePolicy !== 'FallbackToLogsOnError') return fromFile;
    return readTail(logPath, logStart);
  }

  async #backOff(exit: ProcessExit): Promise<void> {
    const { initialMs, maxMs } = this.#host.backoff;
    const delayMs = Math.min(initialMs * 2 ** this.#consecutiveRestarts, maxMs);
    this.#consecutiveRestarts++;
    const pod = this.#host.pod().metadata;
    const podRef = `${pod?.name ?? ''}_${pod?.namespace ?? ''}(${pod?.uid ?? ''})`;
    this.status.lastState = { terminated: this.status.state.terminated ?? { exitCode: exit.exitCode, reason: 'Error', startedAt: '', finishedAt: '' } };
    this.#host.event('Warning', 'BackOff', `Back-off restarting failed container ${this.name} in pod ${podRef}`);
    this.#setWaiting('CrashLoopBackOff', `back-off ${Math.round(delayMs / 1000)}s restarting failed container=${this.name} pod=${podRef}`);
    await sleep(delayMs, this.#stopping.signal);
    if (!this.#stopped()) this.status.restartCount++;
  }
}
