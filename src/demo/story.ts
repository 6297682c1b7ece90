/**
 * The demo's story, step by step: a local cluster shaped like the seed's, the seed's ConfigMap and Ferry installed
 * with it, a workload with generated data, a data-movement backup, the PVC deleted and restored and every byte
 * checked, and the summary. Each step is a function of the story's shared state; `runDemo` runs them in order.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createIfAbsent } from '../install/apply.js';
import { install, namespaceManifest } from '../install/index.js';
import { createKubeClient, type KubeClient } from '../kube/client.js';
import { DEFAULT_FERRY_IMAGE } from '../kube/image.js';
import { Informer } from '../kube/informer.js';
import type { Pod } from '../kube/models.js';
import { R } from '../kube/resources.js';
import { startLocalCluster, type LocalCluster } from '../localcluster/index.js';
import { alreadyRunning, isProcessAlive, readState } from '../localcluster/statefile.js';
import { FerryError } from '../util/errors.js';
import { createLogger } from '../util/log.js';
import { CONFIGMAP_NAME, CONFIG_FILE_NAME, INSTALL_NAMESPACE, SEED_SAMPLE, seedConfigMap } from './config.js';
import { backUp, restore, type Movement } from './movements.js';
import { demoNodes, describeNodes } from './nodes.js';
import { indent, stepRunner } from './steps.js';
import { formatSummary, type MovementFigures } from './summary.js';
import { createWorkload, deleteWorkload, type Workload } from './workload.js';

export interface DemoOptions {
  dir: string;
  port?: number | undefined;
  bytes: number;
  verbose: boolean;
  /** One line of the story for people (stdout). */
  out: (line: string) => void;
  /** Ctrl-C: every wait ends at once. */
  signal: AbortSignal;
  /** Receives the cluster as soon as it runs, so the caller can stop it whatever happens next. */
  onCluster: (cluster: LocalCluster) => void;
}

export interface DemoResult {
  kubeconfigPath: string;
  figures: MovementFigures[];
}

const STEPS = 7;

/** Directories the demo may empty: missing, empty, or holding a local cluster that is not running. */
async function resetDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  });
  if (entries.length === 0) return;
  const state = await readState(dir);
  if (state !== undefined && state.pid !== 0 && isProcessAlive(state.pid)) throw alreadyRunning(dir, state.pid);
  const isCluster = state !== undefined || (await lstat(resolve(dir, 'kubeconfig')).then(() => true, () => false));
  if (!isCluster) throw new FerryError('Conflict', `${dir} is not empty and holds no local cluster: the demo will not delete it`, { hint: 'pick another directory with --dir' });
  await rm(dir, { recursive: true, force: true });
}

/** Where the data-mover pods ran, as the pods were bound: DataUpload/DataDownload name → node. */
function recordMoverPods(kube: KubeClient): { nodes: Map<string, string>; stop: () => Promise<void> } {
  const nodes = new Map<string, string>();
  const informer = new Informer<Pod>(kube, {
    resource: R.pods,
    namespace: INSTALL_NAMESPACE,
    onEvent: (type, pod) => {
      const labels = pod.metadata?.labels ?? {};
      const owner = labels['velero.io/data-upload'] ?? labels['velero.io/data-download'];
      if (type !== 'deleted' && owner !== undefined && pod.spec?.nodeName !== undefined) nodes.set(owner, pod.spec.nodeName);
    },
  });
  informer.start();
  return { nodes, stop: () => informer.stop() };
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { out, signal } = options;
  const steps = stepRunner(STEPS, out, signal, ({ step }) =>
    step === 1 ? 'run with -v to see the cluster\'s logs' : `the cluster is in ${options.dir}: rerun with -v, or look at its pod logs under ${options.dir}/pods`,
  );
  const cluster = await steps.run('Start a local cluster with five nodes shaped like the seed\'s', async () => {
    await resetDir(options.dir);
    const started = await startLocalCluster({
      dir: options.dir,
      ...(options.port === undefined ? {} : { port: options.port }),
      logger: createLogger({ level: options.verbose ? 'info' : 'error' }),
      nodes: demoNodes(),
      // Storage every node reaches (like network storage): only loadAffinity decides where data moves.
      runtime: { storage: { topology: 'none' } },
    });
    options.onCluster(started);
    out(`    API server ${started.url}, kubeconfig ${started.kubeconfigPath}`);
    for (const line of describeNodes()) out(`    ${line}`);
    return started;
  });
  const kube = createKubeClient({ kubeconfig: cluster.kubeconfigPath });
  const movers = recordMoverPods(kube);
  try {
    await steps.run(`Write the seed's ConfigMap ${INSTALL_NAMESPACE}/${CONFIGMAP_NAME} and install Ferry with --node-agent-configmap=${CONFIGMAP_NAME}`, async () => {
      await createIfAbsent(kube, R.namespaces, namespaceManifest(INSTALL_NAMESPACE));
      await kube.create(R.configMaps, INSTALL_NAMESPACE, seedConfigMap());
      out(`    ${CONFIG_FILE_NAME}:`);
      out(indent(SEED_SAMPLE, 6));
      const result = await install({
        client: kube,
        namespace: INSTALL_NAMESPACE,
        image: DEFAULT_FERRY_IMAGE,
        nodeAgentConfigMap: CONFIGMAP_NAME,
        // A data-mover pod that cannot be placed fails the demo in minutes rather than the default 30.
        prepareTimeout: '2m0s',
        wait: true,
        waitTimeoutMs: 120_000,
        log: (line) => {
          out(`    ${line}`);
        },
        onStep: ({ kind, name, action }) => {
          out(`    ${kind.toLowerCase()}/${name} ${action}`);
        },
      });
      out(`    node-agents ready on ${result.nodeAgents?.ready ?? 0} of ${result.nodeAgents?.desired ?? 0} nodes (every node: loadAffinity places data-mover pods, not node-agents)`);
    });
    const workload: Workload = await steps.run(`Create the workload: PVC demo/data with ${(options.bytes / 2 ** 20).toFixed(0)} MiB of generated data, used by pod demo/app`, () =>
      createWorkload(kube, cluster.dir, options.bytes, out, signal),
    );
    const bar = !options.verbose && process.stderr.isTTY;
    const backup: Movement = await steps.run('Back up the PVC with data movement (a DataUpload for Ferry\'s node-agents)', () => backUp({ kube, workload, movers: movers.nodes, out, signal, bar }));
    await steps.run('Delete the workload: pod demo/app and PVC demo/data (its volume goes with it)', () => deleteWorkload(kube, workload, out, signal));
    const restored: Movement = await steps.run('Restore the PVC (a DataDownload) and verify every byte', () =>
      restore({ kube, workload, backupName: backup.name, clusterDir: cluster.dir, movers: movers.nodes, out, signal, bar }),
    );
    const figures = [backup.figures, restored.figures];
    await steps.run('Summary', () => {
      out(indent(formatSummary(figures)));
      out('    TIME: from the request to completion; MOVING: while InProgress (the data-mover pod started, moving data); THROUGHPUT: BYTES / MOVING.');
      out('    DEDUP: bytes backed up per unique byte; COMPRESSION: unique bytes per byte stored (compressed, encrypted).');
      return Promise.resolve();
    });
    return { kubeconfigPath: cluster.kubeconfigPath, figures };
  } finally {
    await movers.stop();
    kube.close();
  }
}
