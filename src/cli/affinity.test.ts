import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ferry = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const fixture = (path: string) => fileURLToPath(new URL(`../../test/fixtures/${path}`, import.meta.url));
const seedConfig = fixture('config/seed-sample.json');
const seedNodes = fixture('nodes/seed-nodes.yaml');

function run(...args: string[]) {
  return spawnSync(process.execPath, [ferry, ...args], { encoding: 'utf8' });
}

interface ExplainJson {
  entry: number | null;
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchExpressions: { key: string }[] }[] } } };
  nodes: { name: string; eligible: boolean; reasons: string[] }[];
}

describe('ferry affinity explain', () => {
  let dir = '';
  const file = async (name: string, content: string) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-affinity-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('text: the seed sample allows exactly node-1 and says why not for the others', () => {
    const r = run('affinity', 'explain', '--config', seedConfig, '--nodes', seedNodes, '--storage-class', 'managed-csi');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'entry: loadAffinity[0] (global entry: no entry for storage class "managed-csi")');
    assert.ok(lines.includes('node-1  yes'), r.stdout);
    assert.ok(lines.includes('node-2  no        has label xxx/critial-workload (DoesNotExist)'), r.stdout);
    assert.ok(lines.includes('node-4  no        kubernetes.io/hostname: node-4 not in [node-1 node-2 node-3]'), r.stdout);
    assert.ok(lines.includes('                  kubernetes.io/hostname: node-5 not in [node-1 node-2 node-3]'), r.stdout);
    assert.equal(lines.at(-2), '1 of 5 nodes eligible');
    assert.ok(r.stdout.includes('            - key: kubernetes.io/os\n              operator: NotIn\n'), r.stdout);
  });

  it('json: exactly entry, affinity and nodes on stdout, for kubectl -o json nodes too', async () => {
    const nodesJson = await file('nodes.json', JSON.stringify(parse(await readFile(seedNodes, 'utf8')), null, 4));
    const r = run('affinity', 'explain', '--config', seedConfig, '--nodes', nodesJson, '-o', 'json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as ExplainJson;
    assert.deepEqual(Object.keys(out), ['entry', 'affinity', 'nodes']);
    assert.equal(out.entry, 0);
    const keys = out.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]?.matchExpressions.map((e) => e.key);
    assert.deepEqual(keys, ['beta.kubernetes.io/instance-type', 'kubernetes.io/hostname', 'xxx/critial-workload', 'kubernetes.io/os']);
    assert.deepEqual(
      out.nodes.filter((n) => n.eligible).map((n) => n.name),
      ['node-1'],
    );
    assert.deepEqual(out.nodes[2], { name: 'node-3', eligible: false, reasons: ['beta.kubernetes.io/instance-type: Standard_D2s_v3 not in [Standard_B4ms]'] });
  });

  it('exits 0 and says so plainly when no node is eligible; config warnings go to stderr', async () => {
    const config = await file(
      'nowhere.json',
      JSON.stringify({ loadAffinity: [{ nodeSelector: { matchLabels: { 'kubernetes.io/hostname': 'node-9' } }, storageClass: 'x' }], someothers: 1 }),
    );
    const r = run('affinity', 'explain', '--config', config, '--nodes', seedNodes, '--storage-class', 'x');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^entry: loadAffinity\[0\] \(storage class "x"\)\n/);
    assert.ok(r.stdout.endsWith('0 of 5 nodes eligible\nno node is eligible: data-mover pods for storage class "x" would stay Pending\n'), r.stdout);
    assert.match(r.stderr, /^warning: .*someothers/m);
  });

  it('a bad config prints the same errors as config validate and exits 1', async () => {
    const config = await file('bad.json', JSON.stringify({ loadAffinity: [{ nodeSelector: { matchExpressions: [{ key: 'zone', operator: 'in', values: ['a'] }] } }] }));
    const explainText = run('affinity', 'explain', '--config', config, '--nodes', seedNodes);
    const validateText = run('config', 'validate', config);
    assert.equal(explainText.status, 1);
    assert.equal(explainText.stdout, '');
    assert.match(explainText.stderr, /loadAffinity\[0\]\.nodeSelector\.matchExpressions\[0\]\.operator/);
    assert.equal(explainText.stderr, validateText.stderr + validateText.stdout);

    const explainJson = run('affinity', 'explain', '--config', config, '--nodes', seedNodes, '-o', 'json');
    assert.equal(explainJson.status, 1);
    assert.equal(explainJson.stdout, run('config', 'validate', config, '-o', 'json').stdout);
  });

  it('an unreadable nodes file exits 1 with an error naming the file', () => {
    const missing = join(dir, 'no-nodes.yaml');
    const r = run('affinity', 'explain', '--config', seedConfig, '--nodes', missing);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^error: cannot read nodes file ${missing}: `));
    assert.match(r.stderr, /^hint: export the nodes with: kubectl get nodes -o yaml > nodes\.yaml$/m);
  });

  it('usage errors exit 2: --nodes without --config, unknown output format', () => {
    const noConfig = run('affinity', 'explain', '--nodes', seedNodes);
    assert.equal(noConfig.status, 2);
    assert.match(noConfig.stderr, /--config FILE is required with --nodes/);
    assert.equal(run('affinity', 'explain', '--config', seedConfig, '--nodes', seedNodes, '-o', 'yaml').status, 2);
  });
});
