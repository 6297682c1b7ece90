/**
 * The node-agent deployed by `ferry install` on the seed's five nodes: it runs on every node, serves metrics,
 * reads its ConfigMap only at start, and an invalid ConfigMap keeps a restarted node-agent down with a clear log line.
 * An install whose node-agents cannot be scheduled says why when its --wait times out.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../src/kube/models.js';
import { eventually, kubectlSkip, nodeAgentPods, NS, ok, putConfigMap, startE2e, type E2e } from './harness.js';

const skip = kubectlSkip();

const VALID = { loadAffinity: [{ nodeSelector: { matchLabels: { 'beta.kubernetes.io/instance-type': 'Standard_B4ms' } } }] };
const INVALID = { loadAffinity: [{ nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'in', values: ['node-1'] }] } }] };

function podNames(pods: Pod[]): string[] {
  return pods.map((p) => p.metadata?.name ?? '').sort();
}

const running = (pods: Pod[]): boolean => pods.length === 5 && pods.every((p) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined);

describe('node-agent lifecycle (e2e)', { skip, timeout: 300_000 }, () => {
  let e2e: E2e;
  before(async () => {
    e2e = await startE2e();
  });
  after(async () => {
    await e2e.stop();
  });

  it('installs with a validated ConfigMap and runs one ready node-agent per node', async () => {
    const refused = await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ConfigMap node-agent-config given to --node-agent-configmap does not exist in namespace velero/);
    assert.match(refused.stderr, /hint: create it first: kubectl create cm node-agent-config -n velero/);

    ok(await e2e.kubectl.run(['create', 'namespace', NS]), 'kubectl create namespace');
    await putConfigMap(e2e.client, 'node-agent-config', VALID);
    const out = ok(await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config', '--wait', '--timeout', '60s']), 'ferry install');
    assert.match(out, /daemonset\/ferry-node-agent created/);
    assert.match(out, /\(5 of 5 node-agents ready\)/);
    const pods = await nodeAgentPods(e2e.client);
    assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), ['node-1', 'node-2', 'node-3', 'node-4', 'node-5']);

    const again = ok(await e2e.ferry(['install', '--node-agent-configmap', 'node-agent-config', '--wait']), 'ferry install again');
    assert.match(again, /daemonset\/ferry-node-agent unchanged/);
    assert.deepEqual(podNames(await nodeAgentPods(e2e.client)), podNames(pods), 'a second install does not roll the node-agents');
  });

  it('install --wait that times out says which node-agents are not ready and why', async () => {
    const big = await e2e.ferry(['install', '-n', 'big', '--node-agent-pod-cpu-request', '1000', '--wait', '--timeout', '5s']);
    assert.equal(big.code, 1, big.stderr);
    assert.match(big.stderr, /0 of 5 ready, 5 updated; not ready: pod ferry-node-agent-\w+: not scheduled: 0\/5 nodes are available: [^;]*Insufficient cpu[^;]*; pod ferry-node-agent-\w+: not scheduled: [^;]*; pod ferry-node-agent-\w+: not scheduled: [^;]*; and 2 more/);
    ok(await e2e.ferry(['uninstall', '-n', 'big']), 'ferry uninstall -n big');
  });

  it('logs the effective loadAffinity once at start', async () => {
    const [pod] = await nodeAgentPods(e2e.client);
    const logs = await eventually('the node-agent to log its loadAffinity', async () => {
      const r = await e2e.kubectl.run(['logs', '-n', NS, pod?.metadata?.name ?? '']);
      return r.stdout.includes('"node-agent started"') ? r.stdout : undefined;
    });
    const lines = logs.split('\n').filter((l) => l.includes('"loadAffinity"'));
    assert.equal(lines.length, 1);
    assert.deepEqual((JSON.parse(lines[0] ?? '{}') as { loadAffinity: unknown }).loadAffinity, VALID.loadAffinity);
  });

  it('ignores ConfigMap edits until restarted, then a restarted node-agent with an invalid ConfigMap stays down and says why', async () => {
    const before = podNames(await nodeAgentPods(e2e.client));
    await putConfigMap(e2e.client, 'node-agent-config', INVALID);
    await new Promise((r) => setTimeout(r, 3000));
    const still = await nodeAgentPods(e2e.client);
    assert.deepEqual(podNames(still), before, 'editing the ConfigMap restarts nothing');
    assert.ok(running(still) && still.every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) === 0));

    ok(await e2e.kubectl.run(['rollout', 'restart', 'ds/ferry-node-agent', '-n', NS]), 'kubectl rollout restart');
    const crashed = await eventually('a restarted node-agent to fail on the invalid ConfigMap', async () => {
      const pods = await nodeAgentPods(e2e.client);
      return pods.find((p) => !before.includes(p.metadata?.name ?? '') && (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    }, 60_000);
    const status = crashed.status?.containerStatuses?.[0];
    assert.ok(status?.lastState?.terminated?.exitCode === 1 || status?.state?.terminated?.exitCode === 1, JSON.stringify(status));
    const logs = (await e2e.kubectl.run(['logs', '-n', NS, crashed.metadata?.name ?? ''])).stdout;
    assert.match(logs, /"path":"loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator"/);
    assert.match(logs, /error: error getting node agent configs from configMap node-agent-config: loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator: "in" is not a valid operator/);

    await putConfigMap(e2e.client, 'node-agent-config', VALID);
    ok(await e2e.kubectl.run(['rollout', 'restart', 'ds/ferry-node-agent', '-n', NS]), 'kubectl rollout restart');
    await eventually('the node-agents to run again', async () => (running(await nodeAgentPods(e2e.client)) ? true : undefined), 90_000);
  });
});
