// How long the local cluster's control plane takes to be ready: the embedded API server, 3 nodes (registered, with
// Leases), the scheduler and the DaemonSet controller, each an API client in this process, as `ferry local up`
// starts them. Then how fast it works: one pod from creation to bound, and a DaemonSet's 3 pods created and bound.
// Goal (issue 4): `ferry local up` with 3 nodes under 5 s; this is the part before kubelets, CSI and object store.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { startApiServer } from '../src/localcluster/apiserver/server.js';
import { startDaemonSetController } from '../src/localcluster/daemonset/index.js';
import { kubeconfigYaml } from '../src/localcluster/kubeconfig.js';
import { nodesFromOptions, startNodes } from '../src/localcluster/nodes/index.js';
import { startScheduler } from '../src/localcluster/scheduler/index.js';
import { createLogger } from '../src/util/log.js';

const RUNS = 5;
const GOAL_MS = 5_000;
const NODES = 3;

interface Run {
  apiServerMs: number;
  nodesMs: number;
  schedulerMs: number;
  daemonSetsMs: number;
  readyMs: number;
  podBoundMs: number;
  daemonSetBoundMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the local cluster did not get there within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function once(): Promise<Run> {
  const logger = createLogger({ level: 'silent' });
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-local-'));
  const t0 = performance.now();
  const server = await startApiServer({ dir, port: 0 });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigYaml(server.url));
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const t1 = performance.now();
  const nodes = await startNodes(kc, { nodes: await nodesFromOptions({ count: NODES }), logger });
  const t2 = performance.now();
  const scheduler = await startScheduler(kc, { logger });
  const t3 = performance.now();
  const daemonSets = await startDaemonSetController(kc, { logger });
  const t4 = performance.now();

  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  await objects.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'one', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await until(async () => Boolean((await core.readNamespacedPod({ name: 'one', namespace: 'default' })).spec?.nodeName));
  const t5 = performance.now();
  const labels = { app: 'bench' };
  await objects.create({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'bench', namespace: 'default' },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  await until(async () => {
    const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=bench' });
    return pods.items.length === NODES && pods.items.every((p) => Boolean(p.spec?.nodeName));
  });
  const t6 = performance.now();
  await apps.deleteNamespacedDaemonSet({ name: 'bench', namespace: 'default' });

  await daemonSets.stop();
  await scheduler.stop();
  await nodes.stop();
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return { apiServerMs: t1 - t0, nodesMs: t2 - t1, schedulerMs: t3 - t2, daemonSetsMs: t4 - t3, readyMs: t4 - t0, podBoundMs: t5 - t4, daemonSetBoundMs: t6 - t5 };
}

/** The whole `ferry local up --detach --nodes 3` as a user runs it: process start, every component, until it returns. */
function cliUpMs(): number {
  const ferry = fileURLToPath(new URL('../bin/ferry.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-cli-'));
  try {
    const t0 = performance.now();
    const up = spawnSync(process.execPath, [ferry, 'local', 'up', '--detach', '--nodes', String(NODES), '--dir', dir], { encoding: 'utf8' });
    const elapsed = performance.now() - t0;
    if (up.status !== 0) throw new Error(`ferry local up failed: ${up.stderr}`);
    return elapsed;
  } finally {
    spawnSync(process.execPath, [ferry, 'local', 'down', '--dir', dir], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchLocalCluster(): Promise<void> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  const m = (key: keyof Run): string => `${median(runs.map((r) => r[key])).toFixed(0)} ms`;
  const ready = median(runs.map((r) => r.readyMs));
  console.log(`local cluster control plane, ${NODES} nodes, median of ${RUNS} runs`);
  console.log(`  API server up:             ${m('apiServerMs')}`);
  console.log(`  ${NODES} nodes registered:        ${m('nodesMs')}`);
  console.log(`  scheduler synced:          ${m('schedulerMs')}`);
  console.log(`  DaemonSet controller:      ${m('daemonSetsMs')}`);
  console.log(`  ready in total:            ${ready.toFixed(0)} ms (goal for all of \`ferry local up\` < ${GOAL_MS} ms: ${ready < GOAL_MS ? 'met so far' : 'MISSED'})`);
  console.log(`  a pod created → bound:     ${m('podBoundMs')}`);
  console.log(`  DaemonSet → ${NODES} pods bound:  ${m('daemonSetBoundMs')}`);
  const cli = median([cliUpMs(), cliUpMs(), cliUpMs()]);
  console.log(
    `\`ferry local up --detach --nodes ${NODES}\` (all components, kubelets, CSI, object store; median of 3): ${cli.toFixed(0)} ms ` +
      `(goal < ${GOAL_MS} ms: ${cli < GOAL_MS ? 'met' : 'MISSED'})`,
  );
}
