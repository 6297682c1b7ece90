/**
 * The end-to-end harness: a local cluster (API server, the seed's nodes, scheduler, DaemonSet controller, kubelets
 * running Ferry's image as local processes, and — once available — the hostpath CSI driver and the object store),
 * Ferry deployed the way users do (`ferry install`), and helpers that act through the real CLI and kubectl.
 * Every version of every DataUpload seen during a file is checked against Velero's published schema.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { nodesFromOptions } from '../../src/localcluster/nodes/index.js';
import { KubeClient } from '../../src/kube/client.js';
import type { DataUpload } from '../../src/kube/crds.js';
import { Informer } from '../../src/kube/informer.js';
import type { ConfigMap, Pod } from '../../src/kube/models.js';
import { R } from '../../src/kube/resources.js';
import { pollUntil } from '../../src/kube/wait.js';
import { startTestCluster, type TestCluster, type TestClusterOptions } from '../support/cluster.js';
import { findKubectl, kubectlFor, runProcess, type Kubectl, type KubectlResult } from '../support/kubectl.js';
import { veleroSchemaErrors } from '../support/velero-schema.js';

export const NS = 'velero';
const FERRY = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
export const SEED_NODES = fileURLToPath(new URL('../fixtures/nodes/seed-nodes.yaml', import.meta.url));

export interface E2eOptions extends Omit<TestClusterOptions, 'nodes'> {
  /** A nodes file (default: the seed's node-1..node-5) or a count. */
  nodes?: string | number;
}

export interface E2e {
  cluster: TestCluster;
  client: KubeClient;
  kubectl: Kubectl;
  /** Runs `ferry <args>` against the cluster. */
  ferry(args: readonly string[], env?: Record<string, string>): Promise<KubectlResult>;
  /** Starts `ferry <args>` and leaves it running, for a test that acts on it meanwhile (signals it, deletes what it follows). */
  spawnFerry(args: readonly string[]): RunningFerry;
  /** Schema problems of the DataUploads seen so far (every version, every phase). */
  schemaErrors: string[];
  /** Every version of every DataUpload seen, in order. */
  history: DataUpload[];
  /** Each data-mover pod (by name = DataUpload name) as last seen once bound to a node. */
  moverPods: Map<string, Pod>;
  stop(): Promise<void>;
}

export interface RunningFerry {
  output(): { stdout: string; stderr: string };
  /** Ctrl-C. */
  interrupt(): void;
  exit: Promise<number | null>;
}

/** `kubectl` is required: the tests act as a user does. `skip` says why when it cannot be found or installed. */
export function kubectlSkip(): string | undefined {
  const found = findKubectl();
  return 'skip' in found ? found.skip : undefined;
}

export async function startE2e({ nodes = SEED_NODES, ...options }: E2eOptions = {}): Promise<E2e> {
  const manifests = typeof nodes === 'number' ? await nodesFromOptions({ count: nodes }) : await nodesFromOptions({ file: nodes });
  const cluster = await startTestCluster({ scheduler: true, daemonSets: true, kubelets: true, ...options, nodes: manifests });
  const found = findKubectl();
  if ('skip' in found) throw new Error(found.skip);
  const kubectl = kubectlFor(found.path, cluster.kubeconfigPath);
  const client = new KubeClient(cluster.kc);
  const schemaErrors: string[] = [];
  const history: DataUpload[] = [];
  const recorder = new Informer<DataUpload>(client, {
    resource: R.dataUploads,
    namespace: NS,
    onEvent: (type, du) => {
      if (type === 'deleted') return;
      history.push(du);
      for (const e of veleroSchemaErrors(du)) schemaErrors.push(`${du.metadata.name ?? ''} (${du.status?.phase ?? 'New'}): ${e}`);
    },
  });
  const moverPods = new Map<string, Pod>();
  const podRecorder = new Informer<Pod>(client, {
    resource: R.pods,
    namespace: NS,
    labelSelector: 'velero.io/data-upload',
    onEvent: (type, pod) => {
      if (type !== 'deleted' && pod.spec?.nodeName !== undefined) moverPods.set(pod.metadata?.name ?? '', pod);
    },
  });
  let recording = false;
  const ferryEnv = (env: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, FERRY_CONTAINER_ROOT: '', ...env, KUBECONFIG: cluster.kubeconfigPath });
  return {
    cluster,
    client,
    kubectl,
    schemaErrors,
    history,
    moverPods,
    ferry: (args, env = {}) => {
      // The DataUpload CRD exists once Ferry is installed; record from then on.
      if (!recording && args[0] !== 'install') {
        recording = true;
        recorder.start();
        podRecorder.start();
      }
      return runProcess(process.execPath, [FERRY, ...args], { env: ferryEnv(env), timeoutMs: 180_000 });
    },
    spawnFerry: (args) => {
      const child = spawn(process.execPath, [FERRY, ...args], { env: ferryEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exit = once(child, 'close').then(([code]) => code as number | null);
      return { output: () => ({ stdout, stderr }), interrupt: () => child.kill('SIGINT'), exit };
    },
    async stop() {
      await Promise.all([recorder.stop(), podRecorder.stop()]);
      client.close();
      await cluster.stop();
    },
  };
}

/** Creates or replaces the node-agent ConfigMap with one JSON data key, as `kubectl create cm --from-file` would. */
export async function putConfigMap(client: KubeClient, name: string, config: unknown): Promise<void> {
  const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { 'node-agent-config.json': typeof config === 'string' ? config : JSON.stringify(config, null, 2) } };
  const existing = await client.find<ConfigMap>(R.configMaps, { namespace: NS, name });
  if (existing === undefined) await client.create(R.configMaps, NS, cm);
  else await client.replace(R.configMaps, { namespace: NS, name }, { ...cm, metadata: { ...cm.metadata, resourceVersion: existing.metadata?.resourceVersion } });
}

/** The node-agent pods, by node. */
export async function nodeAgentPods(client: KubeClient): Promise<Pod[]> {
  return (await client.list<Pod>(R.pods, NS, { labelSelector: 'name=ferry-node-agent' })).items;
}

export function ok(result: KubectlResult, what: string): string {
  if (result.code !== 0) throw new Error(`${what} exited ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result.stdout;
}

/** Waits until `check` returns a value (polling the API); the message names what was awaited and the last state. */
export function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, lastState?: () => string | undefined): Promise<T> {
  return pollUntil(check, { timeoutMs, intervalMs: 200, what, ...(lastState === undefined ? {} : { lastState }) });
}
