import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFerryError } from '../util/errors.js';
import { loadNodesFile, parseNodes } from './nodes-file.js';

const seedNodesPath = fileURLToPath(new URL('../../test/fixtures/nodes/seed-nodes.yaml', import.meta.url));
const names = (text: string) => parseNodes(text, 'nodes.yaml').map((n) => n.metadata?.name);

function parseError(text: string): string {
  try {
    parseNodes(text, 'nodes.yaml');
  } catch (err) {
    assert.ok(isFerryError(err));
    return err.message;
  }
  assert.fail('expected an error');
}

describe('parseNodes', () => {
  it('reads `kubectl get nodes -o yaml` output (a List)', async () => {
    const nodes = await loadNodesFile(seedNodesPath);
    assert.deepEqual(
      nodes.map((n) => n.metadata?.name),
      ['node-1', 'node-2', 'node-3', 'node-4', 'node-5'],
    );
    assert.equal(nodes[1]?.metadata?.labels?.['xxx/critial-workload'], 'true');
  });

  it('reads `kubectl get nodes -o json` output (a NodeList)', () => {
    const list = { apiVersion: 'v1', kind: 'NodeList', items: [{ kind: 'Node', metadata: { name: 'a' } }, { metadata: { name: 'b' } }] };
    assert.deepEqual(names(JSON.stringify(list, null, 4)), ['a', 'b']);
  });

  it('reads a plain YAML or JSON array of nodes', () => {
    assert.deepEqual(names('- metadata: {name: a}\n- metadata: {name: b}\n'), ['a', 'b']);
    assert.deepEqual(names('[{"metadata": {"name": "a"}}]'), ['a']);
  });

  it('reads a multi-document YAML stream of nodes, and a single node', () => {
    assert.deepEqual(names('---\nkind: Node\nmetadata:\n  name: a\n---\nkind: Node\nmetadata:\n  name: b\n---\n'), ['a', 'b']);
    assert.deepEqual(names('kind: Node\nmetadata:\n  name: solo\n'), ['solo']);
  });

  it('reads flow-style YAML that starts with a bracket', () => {
    assert.deepEqual(names('[{metadata: {name: a}}]'), ['a']);
  });

  it('an empty file has no nodes', () => {
    assert.deepEqual(names(''), []);
  });

  it('names the file and the bad item', () => {
    assert.equal(parseError('items:\n- kind: Pod\n  metadata: {name: p}\n'), 'nodes file nodes.yaml: items[0] is a "Pod", not a Node');
    assert.equal(parseError('- metadata: {name: a}\n- metadata: {}\n'), 'nodes file nodes.yaml: [1] has no metadata.name');
    assert.equal(parseError('- metadata: {name: a, labels: {zone: 1}}\n'), 'nodes file nodes.yaml: [0] (a): label zone is not a string (quote it)');
    assert.equal(
      parseError('- metadata: {name: a}\n  spec: {taints: [{key: k}]}\n'),
      'nodes file nodes.yaml: [0] (a): spec.taints must be a list of {key, effect, value}',
    );
    assert.equal(parseError('kind: Node\nmetadata: {name: a}\n---\n42\n'), 'nodes file nodes.yaml: document 2 is not an object');
    assert.match(parseError('items: [\n'), /^nodes file nodes\.yaml is not valid YAML or JSON: /);
  });
});

describe('loadNodesFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-nodes-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file', async () => {
    const path = join(dir, 'nodes.json');
    await writeFile(path, JSON.stringify({ kind: 'List', items: [{ metadata: { name: 'x' } }] }));
    assert.deepEqual(
      (await loadNodesFile(path)).map((n) => n.metadata?.name),
      ['x'],
    );
  });

  it('a missing file is a clear error naming the file', async () => {
    const path = join(dir, 'missing.yaml');
    await assert.rejects(loadNodesFile(path), (err: unknown) => {
      assert.ok(isFerryError(err));
      assert.equal(err.code, 'NotFound');
      assert.match(err.message, new RegExp(`^cannot read nodes file ${path}: .*no such file`));
      assert.match(err.hint ?? '', /kubectl get nodes -o yaml/);
      return true;
    });
  });
});
