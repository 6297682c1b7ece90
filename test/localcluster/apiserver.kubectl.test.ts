/**
 * The embedded API server driven by the real kubectl binary: the seed's commands literally, then the everyday verbs
 * (apply, get -o yaml/json/wide, get -w, label, patch, delete, cordon, rollout restart, api-resources), CRDs and
 * status subresources (`--subresource=status` on custom resources, pods, nodes, PVCs, PVs and DaemonSets).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { findKubectl, kubectlFor, type Kubectl } from '../support/kubectl.js';

const found = findKubectl();
const skip = 'skip' in found ? found.skip : false;
const VELERO_CRDS = '/work/shared/reference/velero-crds';

const DAEMONSET = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: velero
  labels: {component: velero}
spec:
  selector:
    matchLabels: {name: node-agent}
  template:
    metadata:
      labels: {name: node-agent}
    spec:
      containers:
      - name: node-agent
        image: velero/velero:v1.18.1
        args:
        - node-agent
        - server
`;

const NODE = `apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels: {kubernetes.io/hostname: node-1, node-role.kubernetes.io/worker: ""}
status:
  conditions: [{type: Ready, status: "True"}]
  nodeInfo: {kubeletVersion: v1.32.0}
`;

/** A namespaced CRD that declares the status subresource (Velero's own CRDs do not: `subresources: {}`). */
const GADGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.test.ferry.dev}
spec:
  group: test.ferry.dev
  names: {kind: Gadget, plural: gadgets, singular: gadget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Phase, type: string, jsonPath: .status.phase}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
          status: {type: object, properties: {phase: {type: string}}}
`;

const POD = `apiVersion: v1
kind: Pod
metadata: {name: mover, namespace: velero}
spec:
  containers: [{name: main, image: busybox}]
status: {phase: Running}
`;

const PV = `apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-1}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/pv-1}
status: {phase: Bound}
`;

describe('kubectl against the embedded API server', { skip }, () => {
  let api: TestApiServer;
  let kubectl: Kubectl;
  const ok = async (...args: string[]): Promise<string> => {
    const r = await kubectl.run(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(api.dir, name);
    await writeFile(path, text);
    return path;
  };

  before(async () => {
    api = await startTestApiServer();
    kubectl = kubectlFor('path' in found ? found.path : 'kubectl', api.kubeconfigPath);
  });
  after(async () => {
    await api.close();
  });

  it('runs the seed: create namespace, create cm --from-file, edit ds adding the configmap arg', async () => {
    assert.match(await ok('create', 'namespace', 'velero'), /namespace\/velero created/);
    const json = await file('node-agent-config.json', '{"loadAffinity":[{"nodeSelector":{"matchLabels":{"disk":"ssd"}}}]}');
    assert.match(await ok('create', 'cm', 'node-agent-config', '-n', 'velero', `--from-file=${json}`), /configmap\/node-agent-config created/);
    const cm = JSON.parse(await ok('get', 'cm', 'node-agent-config', '-n', 'velero', '-o', 'json')) as { data: Record<string, string> };
    assert.deepEqual(Object.keys(cm.data), ['node-agent-config.json']);
    assert.match(cm.data['node-agent-config.json'] ?? '', /"disk":"ssd"/);

    await ok('apply', '-f', await file('ds.yaml', DAEMONSET));
    const editor = await file('editor.sh', `#!/bin/sh\nsed -i 's/^\\(\\s*\\)- server$/\\1- server\\n\\1- --node-agent-configmap=node-agent-config/' "$1"\n`);
    await chmod(editor, 0o755);
    const edit = await kubectl.run(['edit', 'ds', 'node-agent', '-n', 'velero'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(edit.code, 0, edit.stderr);
    assert.match(edit.stdout, /daemonset.apps\/node-agent edited/);
    const ds = parseYaml(await ok('get', 'ds', 'node-agent', '-n', 'velero', '-o', 'yaml')) as {
      metadata: { generation: number };
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    assert.deepEqual(ds.spec.template.spec.containers[0]?.args, ['node-agent', 'server', '--node-agent-configmap=node-agent-config']);
    assert.equal(ds.metadata.generation, 2);
  });

  it('prints server-side tables, wide columns and api-resources', async () => {
    const wide = await ok('get', 'ds', '-n', 'velero', '-o', 'wide');
    assert.match(wide, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /node-agent\s+0\s+0\s+0\s+0\s+0\s+<none>\s+\S+\s+node-agent\s+velero\/velero:v1.18.1\s+name=node-agent/);
    assert.match(await ok('get', 'ns'), /velero\s+Active/);
    const resources = await ok('api-resources');
    for (const line of [/configmaps\s+cm\s+v1\s+true\s+ConfigMap/, /daemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet/, /volumesnapshots\s+vs\s+snapshot.storage.k8s.io\/v1\s+true\s+VolumeSnapshot/, /customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io\/v1\s+false/]) {
      assert.match(resources, line);
    }
  });

  it('applies, labels, patches (merge, json, strategic) and restarts a DaemonSet', async () => {
    assert.match(await ok('apply', '-f', join(api.dir, 'ds.yaml')), /configured|unchanged/);
    await ok('label', 'ds', 'node-agent', '-n', 'velero', 'tier=storage');
    await ok('patch', 'cm', 'node-agent-config', '-n', 'velero', '--type', 'merge', '-p', '{"data":{"extra":"1"}}');
    await ok('patch', 'cm', 'node-agent-config', '-n', 'velero', '--type', 'json', '-p', '[{"op":"remove","path":"/data/extra"}]');
    await ok('patch', 'ds', 'node-agent', '-n', 'velero', '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"node-agent","image":"velero/velero:v1.19.0"}]}}}}');
    await ok('rollout', 'restart', 'ds/node-agent', '-n', 'velero');
    const ds = JSON.parse(await ok('get', 'ds', 'node-agent', '-n', 'velero', '-o', 'json')) as {
      metadata: { labels: Record<string, string> };
      spec: { template: { metadata: { annotations?: Record<string, string> }; spec: { containers: { image: string; args: string[] }[] } } };
    };
    assert.equal(ds.metadata.labels['tier'], 'storage');
    assert.equal(ds.spec.template.spec.containers.length, 1, 'strategic merge keyed the container by name');
    assert.equal(ds.spec.template.spec.containers[0]?.image, 'velero/velero:v1.19.0');
    assert.ok(ds.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']);
    const cm = JSON.parse(await ok('get', 'cm', 'node-agent-config', '-n', 'velero', '-o', 'json')) as { data: Record<string, string> };
    assert.equal(cm.data['extra'], undefined);
  });

  it('cordons and uncordons a node', async () => {
    await ok('apply', '-f', await file('node.yaml', NODE));
    assert.match(await ok('cordon', 'node-1'), /node\/node-1 cordoned/);
    assert.match(await ok('get', 'nodes'), /node-1\s+Ready,SchedulingDisabled\s+worker/);
    await ok('uncordon', 'node-1');
    assert.match(await ok('get', 'nodes'), /node-1\s+Ready\s+worker/);
  });

  it('streams changes with get -w', async () => {
    const child = kubectl.spawn(['get', 'cm', '-n', 'velero', '-w']);
    let out = '';
    const seen = (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`kubectl get -w never printed ${String(pattern)}; got:\n${out}`));
        }, 15_000);
        const check = (): void => {
          if (!pattern.test(out)) return;
          clearTimeout(timer);
          resolve();
        };
        child.stdout?.on('data', check);
        check();
      });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await seen(/node-agent-config/);
      // The list is printed; kubectl now watches from its resourceVersion.
      await ok('create', 'cm', 'watched-cm', '-n', 'velero');
      await seen(/watched-cm/);
    } finally {
      child.kill();
    }
    assert.match(out, /NAME\s+DATA\s+AGE/);
    assert.match(out, /node-agent-config\s+1/);
    assert.match(out, /watched-cm\s+0/);
  });

  it('reports errors as kubectl prints them and deletes with --wait', async () => {
    const missing = await kubectl.run(['get', 'cm', 'nope', '-n', 'velero']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "nope" not found/);
    const bad = await kubectl.run(['create', 'cm', 'Bad_Name', '-n', 'velero']);
    assert.match(bad.stderr, /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const noNs = await kubectl.run(['create', 'cm', 'x', '-n', 'absent']);
    assert.match(noNs.stderr, /namespaces "absent" not found/);
    assert.match(await ok('delete', 'cm', 'watched-cm', '-n', 'velero'), /configmap "watched-cm" deleted/);
    const gone = await kubectl.run(['get', 'cm', 'watched-cm', '-n', 'velero']);
    assert.match(gone.stderr, /NotFound/);
  });

  it('serves Velero CRDs: printer columns, -o yaml round trip, deleting the CRD deletes its objects', async () => {
    await ok('apply', '-f', VELERO_CRDS);
    const du = await file(
      'du.yaml',
      `apiVersion: velero.io/v2alpha1
kind: DataUpload
metadata: {name: du-1, namespace: velero}
spec:
  snapshotType: CSI
  csiSnapshot: {volumeSnapshot: vs-1, storageClass: standard}
  sourceNamespace: app
  sourcePVC: data
  backupStorageLocation: default
  operationTimeout: 10m
  datamover: ferry
`,
    );
    await ok('apply', '-f', du);
    const table = await ok('get', 'datauploads', '-n', 'velero');
    assert.match(table, /^NAME\s+STATUS\s+STARTED\s+BYTES DONE\s+TOTAL BYTES\s+STORAGE LOCATION\s+AGE\s+NODE\n/);
    assert.match(table, /\ndu-1\s+default\s+\d+s\s*\n$/);
    const back = parseYaml(await ok('get', 'dataupload', 'du-1', '-n', 'velero', '-o', 'yaml')) as { spec: Record<string, unknown>; metadata: { generation: number } };
    assert.equal(back.spec['datamover'], 'ferry');
    assert.equal(back.metadata.generation, 1);
    const badFile = await file('du-bad.yaml', 'apiVersion: velero.io/v2alpha1\nkind: DataUpload\nmetadata: {name: du-2, namespace: velero}\nspec: {snapshotType: CSI, bogus: 1}\n');
    const unknown = await kubectl.run(['apply', '-f', badFile]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /strict decoding error: unknown field "spec.bogus"/);
    assert.match(await ok('delete', 'crd', 'datauploads.velero.io'), /deleted/);
    const gone = await kubectl.run(['get', 'datauploads', '-n', 'velero']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound|doesn't have a resource type/);
    await ok('apply', '-f', join(VELERO_CRDS, 'velero.io_datauploads.yaml'));
    assert.match((await kubectl.run(['get', 'datauploads', '-n', 'velero'])).stderr, /No resources found in velero namespace/);
  });

  it('writes a custom resource status only through --subresource=status when its CRD declares one', async () => {
    await ok('apply', '-f', await file('gadget-crd.yaml', GADGET_CRD));
    const gadget = await file('gadget.yaml', 'apiVersion: test.ferry.dev/v1\nkind: Gadget\nmetadata: {name: g1, namespace: velero}\nspec: {size: 1}\nstatus: {phase: Ready}\n');
    await ok('create', '-f', gadget);
    const get = (path: string, ...extra: string[]): Promise<string> => ok('get', 'gadget', 'g1', '-n', 'velero', ...extra, '-o', `jsonpath={${path}}`);
    assert.equal(await get('.status'), '', 'create drops the status');
    assert.match(await ok('patch', 'gadget', 'g1', '-n', 'velero', '--subresource=status', '--type', 'merge', '-p', '{"status":{"phase":"Ready"}}'), /gadget.test.ferry.dev\/g1 patched/);
    assert.equal(await get('.status.phase', '--subresource=status'), 'Ready');
    await ok('patch', 'gadget', 'g1', '-n', 'velero', '--type', 'merge', '-p', '{"spec":{"size":2},"status":{"phase":"Lost"}}');
    assert.equal(await get('.status.phase'), 'Ready', 'the main resource keeps the stored status');
    assert.equal(await get('.metadata.generation'), '2');
    await ok('patch', 'gadget', 'g1', '-n', 'velero', '--subresource=status', '--type', 'json', '-p', '[{"op":"replace","path":"/status/phase","value":"Done"}]');
    await ok('patch', 'gadget', 'g1', '-n', 'velero', '--subresource=status', '--type', 'merge', '-p', '{"metadata":{"labels":{"via":"status"}},"spec":{"size":9}}');
    assert.equal(await get('.metadata.labels'), '', 'a custom resource status write changes nothing but the status');
    assert.equal(await get('.spec.size'), '2');
    assert.equal(await get('.metadata.generation'), '2');
    assert.match(await ok('get', 'gadget', 'g1', '-n', 'velero', '--subresource=status'), /^NAME\s+PHASE\ng1\s+Done\n$/);
    await ok('replace', '--subresource=status', '-f', gadget);
    assert.equal(await get('.status.phase'), 'Ready', 'replace --subresource=status writes the status of the file');
    assert.equal(await get('.spec.size'), '2', 'and ignores its spec');
    const strategic = await kubectl.run(['patch', 'gadget', 'g1', '-n', 'velero', '--subresource=status', '-p', '{"status":{"phase":"X"}}']);
    assert.match(strategic.stderr, /application\/strategic-merge-patch\+json is not supported/);
    const missing = await kubectl.run(['patch', 'gadget', 'nope', '-n', 'velero', '--subresource=status', '--type', 'merge', '-p', '{"status":{}}']);
    assert.match(missing.stderr, /Error from server \(NotFound\): gadgets.test.ferry.dev "nope" not found/);
  });

  it("keeps a DataUpload's status on create and has no status subresource for it, as Velero's CRD declares none", async () => {
    const du = await file(
      'du-status.yaml',
      'apiVersion: velero.io/v2alpha1\nkind: DataUpload\nmetadata: {name: du-s, namespace: velero}\n' +
        'spec: {snapshotType: CSI, sourceNamespace: app, sourcePVC: data, backupStorageLocation: default, operationTimeout: 10m}\nstatus: {phase: Accepted}\n',
    );
    await ok('create', '-f', du);
    assert.equal(await ok('get', 'dataupload', 'du-s', '-n', 'velero', '-o', 'jsonpath={.status.phase}'), 'Accepted');
    const viaStatus = await kubectl.run(['patch', 'dataupload', 'du-s', '-n', 'velero', '--subresource=status', '--type', 'merge', '-p', '{"status":{"phase":"New"}}']);
    assert.equal(viaStatus.code, 1);
    assert.match(viaStatus.stderr, /Error from server \(NotFound\): datauploads.velero.io "du-s" not found/);
    await ok('patch', 'dataupload', 'du-s', '-n', 'velero', '--type', 'merge', '-p', '{"status":{"phase":"New"}}');
    assert.equal(await ok('get', 'dataupload', 'du-s', '-n', 'velero', '-o', 'jsonpath={.status.phase}'), 'New');
  });

  it('writes built-in status subresources as kube-apiserver does: pods, nodes, PVCs, PVs, DaemonSets', async () => {
    await ok('create', '-f', await file('pod.yaml', POD));
    const pod = (path: string): Promise<string> => ok('get', 'pod', 'mover', '-n', 'velero', '-o', `jsonpath={${path}}`);
    assert.equal(await pod('.status.phase'), 'Pending', 'create resets the status');
    await ok('patch', 'pod', 'mover', '-n', 'velero', '--type', 'merge', '-p', '{"status":{"phase":"Failed"}}');
    assert.equal(await pod('.status.phase'), 'Pending', 'the main resource keeps the stored status');
    const owner = '{"apiVersion":"v1","kind":"ConfigMap","name":"node-agent-config","uid":"u-1"}';
    await ok('patch', 'pod', 'mover', '-n', 'velero', '--subresource=status', '--type', 'merge', '-p', `{"metadata":{"labels":{"via":"status"},"ownerReferences":[${owner}]},"spec":{"nodeName":"node-1"},"status":{"phase":"Running"}}`);
    assert.equal(await ok('get', 'pod', 'mover', '-n', 'velero', '--subresource=status', '-o', 'jsonpath={.status.phase}'), 'Running');
    assert.equal(await pod('.metadata.labels.via'), 'status', 'pods/status takes labels from the request');
    assert.equal(await pod('.metadata.ownerReferences'), '', 'but never owner references');
    assert.equal(await pod('.spec.nodeName'), '', 'nor the spec');
    assert.match(await ok('get', 'pods', '-n', 'velero'), /mover\s+0\/1\s+Running\s+0/);

    await ok('patch', 'node', 'node-1', '--subresource=status', '--type', 'merge', '-p', '{"status":{"conditions":[{"type":"Ready","status":"False"}]}}');
    assert.match(await ok('get', 'nodes'), /node-1\s+NotReady\s+worker/);
    await ok('patch', 'node', 'node-1', '--subresource=status', '-p', '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}');
    assert.match(await ok('get', 'nodes'), /node-1\s+Ready\s+worker/);

    await ok('create', '-f', await file('pvc.yaml', 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: velero}\nspec: {accessModes: [ReadWriteOnce], storageClassName: "", resources: {requests: {storage: 1Gi}}}\nstatus: {phase: Bound}\n'));
    assert.match(await ok('get', 'pvc', 'data', '-n', 'velero'), /data\s+Pending/);
    await ok('patch', 'pvc', 'data', '-n', 'velero', '--subresource=status', '--type', 'merge', '-p', '{"status":{"phase":"Bound"}}');
    assert.match(await ok('get', 'pvc', 'data', '-n', 'velero'), /data\s+Bound/);

    await ok('create', '-f', await file('pv.yaml', PV));
    const pv = async (): Promise<{ metadata: { creationTimestamp: string }; status: { phase: string; lastPhaseTransitionTime?: string } }> =>
      JSON.parse(await ok('get', 'pv', 'pv-1', '-o', 'json')) as { metadata: { creationTimestamp: string }; status: { phase: string; lastPhaseTransitionTime?: string } };
    const created = await pv();
    assert.deepEqual(created.status, { phase: 'Pending', lastPhaseTransitionTime: created.metadata.creationTimestamp });
    const setPv = (status: string): Promise<string> => ok('patch', 'pv', 'pv-1', '--subresource=status', '--type', 'merge', '-p', `{"status":${status}}`);
    await setPv('{"phase":"Released","lastPhaseTransitionTime":"2020-01-01T00:00:00Z"}');
    assert.deepEqual((await pv()).status, { phase: 'Released', lastPhaseTransitionTime: '2020-01-01T00:00:00Z' }, 'a time the writer sets is kept');
    await setPv('{"message":"kept","lastPhaseTransitionTime":null}');
    assert.equal((await pv()).status.lastPhaseTransitionTime, '2020-01-01T00:00:00Z', 'the same phase keeps the stored time');
    await setPv('{"phase":"Available"}');
    assert.ok(((await pv()).status.lastPhaseTransitionTime ?? '') >= created.metadata.creationTimestamp, 'a phase change stamps the time');

    await ok('patch', 'ds', 'node-agent', '-n', 'velero', '--subresource=status', '--type', 'merge', '-p', '{"status":{"desiredNumberScheduled":3,"currentNumberScheduled":2,"numberReady":1}}');
    assert.match(await ok('get', 'ds', 'node-agent', '-n', 'velero'), /node-agent\s+3\s+2\s+1\s+/);
    const before = await ok('get', 'ds', 'node-agent', '-n', 'velero', '-o', 'jsonpath={.metadata.generation}');
    await ok('patch', 'ds', 'node-agent', '-n', 'velero', '--subresource=status', '--type', 'merge', '-p', '{"spec":{"minReadySeconds":30},"status":{"numberReady":2}}');
    assert.equal(await ok('get', 'ds', 'node-agent', '-n', 'velero', '-o', 'jsonpath={.metadata.generation}'), before, 'the spec in a status write is ignored');
    assert.equal(await ok('get', 'ds', 'node-agent', '-n', 'velero', '-o', 'jsonpath={.spec.minReadySeconds}'), '');
  });
});
