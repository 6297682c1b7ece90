import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { applyStrategicMergePatch, PatchError } from '../patch.js';

const DAEMONSET = { group: 'apps', version: 'v1', kind: 'DaemonSet' };
const POD = { group: '', version: 'v1', kind: 'Pod' };
const NODE = { group: '', version: 'v1', kind: 'Node' };
const CONFIGMAP = { group: '', version: 'v1', kind: 'ConfigMap' };

/** The node-agent DaemonSet as `velero install` creates it (trimmed to what the patches touch). */
function nodeAgent(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'node-agent', namespace: 'velero', labels: { component: 'velero' } },
    spec: {
      selector: { matchLabels: { name: 'node-agent' } },
      template: {
        metadata: { labels: { name: 'node-agent' } },
        spec: {
          containers: [
            {
              name: 'node-agent',
              image: 'velero/velero:v1.18.1',
              args: ['node-agent', 'server'],
              env: [
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'VELERO_NAMESPACE', value: 'velero' },
              ],
              volumeMounts: [
                { name: 'host-pods', mountPath: '/host_pods' },
                { name: 'scratch', mountPath: '/scratch' },
              ],
            },
          ],
          volumes: [
            { name: 'host-pods', hostPath: { path: '/var/lib/kubelet/pods' } },
            { name: 'scratch', emptyDir: {} },
          ],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
  };
}

interface TemplateSpec {
  containers: { name: string; args?: string[]; env?: { name: string; value?: string }[]; image?: string }[];
  volumes: Record<string, unknown>[];
  tolerations: unknown[];
}

function templateSpec(ds: unknown): TemplateSpec {
  return (ds as { spec: { template: { spec: TemplateSpec } } }).spec.template.spec;
}

const names = (list: readonly { name: string }[]): string[] => list.map((item) => item.name);

function rejects(run: () => unknown, status: number, message: string | RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof PatchError);
    assert.equal(err.status, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('applyStrategicMergePatch: what kubectl sends', () => {
  it('kubectl edit adding --node-agent-configmap to the node-agent container replaces the atomic args list', () => {
    const ds = nodeAgent();
    const before = structuredClone(ds);
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'node-agent' }],
            containers: [{ args: ['node-agent', 'server', '--node-agent-configmap=node-agent-config'], name: 'node-agent' }],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(ds, patch, DAEMONSET);
    const container = templateSpec(out).containers[0]!;
    assert.deepEqual(container.args, ['node-agent', 'server', '--node-agent-configmap=node-agent-config']);
    assert.equal(container.image, 'velero/velero:v1.18.1', 'other container fields are kept');
    assert.deepEqual(names(container.env!), ['NODE_NAME', 'VELERO_NAMESPACE']);
    assert.deepEqual(ds, before, 'the input is not modified');
  });

  it('kubectl cordon sets spec.unschedulable and keeps the rest of the node', () => {
    const node = { metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux' } }, spec: { podCIDRs: ['10.0.0.0/24'] } };
    const out = applyStrategicMergePatch(node, { spec: { unschedulable: true } }, NODE);
    assert.deepEqual(out, {
      metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux' } },
      spec: { podCIDRs: ['10.0.0.0/24'], unschedulable: true },
    });
  });

  it('kubectl uncordon sends unschedulable: null, which deletes the field', () => {
    const node = { metadata: { name: 'n1' }, spec: { unschedulable: true } };
    assert.deepEqual(applyStrategicMergePatch(node, { spec: { unschedulable: null } }, NODE), {
      metadata: { name: 'n1' },
      spec: {},
    });
  });

  it('kubectl rollout restart adds the restartedAt annotation to the pod template', () => {
    const at = '2025-01-01T00:00:00Z';
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } };
    const out = applyStrategicMergePatch(nodeAgent(), patch, DAEMONSET) as {
      spec: { template: { metadata: { labels: unknown; annotations: unknown } } };
    };
    assert.deepEqual(out.spec.template.metadata, {
      labels: { name: 'node-agent' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': at },
    });
  });

  it('kubectl label: a new label is added, a label set to null is deleted, the others stay', () => {
    const cm = { metadata: { name: 'c', labels: { keep: '1', drop: '2' } }, data: { x: 'y' } };
    const out = applyStrategicMergePatch(cm, { metadata: { labels: { drop: null, added: '3' } } }, CONFIGMAP);
    assert.deepEqual(out, { metadata: { name: 'c', labels: { keep: '1', added: '3' } }, data: { x: 'y' } });
  });

  it('kubectl set env: an env var is merged into its container by name, existing ones stay in place', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'node-agent',
                env: [
                  { name: 'LOG_LEVEL', value: 'debug' },
                  { name: 'VELERO_NAMESPACE', value: 'other' },
                ],
              },
            ],
          },
        },
      },
    };
    const container = templateSpec(applyStrategicMergePatch(nodeAgent(), patch, DAEMONSET)).containers[0]!;
    // apimachinery's order (mergeSortedSlice): patch elements in patch order; a server-only element goes first
    // only when the server had it before the patch element it is compared with, and LOG_LEVEL is new.
    assert.deepEqual(container.env, [
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'VELERO_NAMESPACE', value: 'other' },
    ]);
  });

  it('kubectl edit adding an env var sends $setElementOrder, which fixes the final order', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'node-agent' }],
            containers: [
              {
                name: 'node-agent',
                '$setElementOrder/env': [{ name: 'NODE_NAME' }, { name: 'VELERO_NAMESPACE' }, { name: 'LOG_LEVEL' }],
                env: [{ name: 'LOG_LEVEL', value: 'debug' }],
              },
            ],
          },
        },
      },
    };
    const container = templateSpec(applyStrategicMergePatch(nodeAgent(), patch, DAEMONSET)).containers[0]!;
    assert.deepEqual(names(container.env!), ['NODE_NAME', 'VELERO_NAMESPACE', 'LOG_LEVEL']);
  });

  it('$setElementOrder alone reorders a merged list', () => {
    const pod = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
    const patch = { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } };
    const out = applyStrategicMergePatch(pod, patch, POD) as { spec: TemplateSpec };
    assert.deepEqual(names(out.spec.containers), ['c', 'a', 'b']);
  });

  it('$patch: delete in a list element removes that container, others stay', () => {
    const pod = { spec: { containers: [{ name: 'app', image: 'a' }, { name: 'sidecar', image: 's' }] } };
    const patch = { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } };
    assert.deepEqual(applyStrategicMergePatch(pod, patch, POD), { spec: { containers: [{ name: 'app', image: 'a' }] } });
  });

  it('$patch: replace in a list makes the patch list the whole list', () => {
    const pod = { spec: { containers: [{ name: 'app', image: 'a' }, { name: 'sidecar', image: 's' }] } };
    const patch = { spec: { containers: [{ name: 'new', image: 'n' }, { $patch: 'replace' }] } };
    assert.deepEqual(applyStrategicMergePatch(pod, patch, POD), { spec: { containers: [{ name: 'new', image: 'n' }] } });
  });

  it('$patch: replace in an object replaces it instead of merging; $patch: delete empties it', () => {
    const cm = { metadata: { name: 'c' }, data: { a: '1', b: '2' } };
    assert.deepEqual(applyStrategicMergePatch(cm, { data: { c: '3', $patch: 'replace' } }, CONFIGMAP), {
      metadata: { name: 'c' },
      data: { c: '3' },
    });
    assert.deepEqual(applyStrategicMergePatch(cm, { data: { $patch: 'delete' } }, CONFIGMAP), {
      metadata: { name: 'c' },
      data: {},
    });
  });

  it('$retainKeys clears the volume source that kubectl apply switched away from', () => {
    const patch = {
      spec: {
        template: {
          spec: {
            volumes: [{ $retainKeys: ['configMap', 'name'], name: 'scratch', configMap: { name: 'cm' } }],
          },
        },
      },
    };
    const { volumes } = templateSpec(applyStrategicMergePatch(nodeAgent(), patch, DAEMONSET));
    assert.deepEqual(volumes, [
      { name: 'host-pods', hostPath: { path: '/var/lib/kubelet/pods' } },
      { name: 'scratch', configMap: { name: 'cm' } },
    ]);
  });

  it('$retainKeys that omits a key the patch sets is a 400', () => {
    const patch = { spec: { volumes: [{ $retainKeys: ['name'], name: 'v', configMap: { name: 'cm' } }] } };
    const pod = { spec: { volumes: [{ name: 'v', emptyDir: {} }] } };
    rejects(() => applyStrategicMergePatch(pod, patch, POD), 400, 'invalid patch format of retainKeys');
  });

  it('tolerations are atomic: the patch list replaces the old one', () => {
    const patch = { spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } } } };
    const { tolerations } = templateSpec(applyStrategicMergePatch(nodeAgent(), patch, DAEMONSET));
    assert.deepEqual(tolerations, [{ key: 'b', operator: 'Exists' }]);
  });

  it('finalizers merge as a set and $deleteFromPrimitiveList removes entries', () => {
    const cm = { metadata: { name: 'c', finalizers: ['a', 'b'] } };
    const added = applyStrategicMergePatch(cm, { metadata: { finalizers: ['b', 'c'] } }, CONFIGMAP);
    assert.deepEqual(added, { metadata: { name: 'c', finalizers: ['a', 'b', 'c'] } });
    const removed = applyStrategicMergePatch(cm, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, CONFIGMAP);
    assert.deepEqual(removed, { metadata: { name: 'c', finalizers: ['b'] } });
  });

  it('kubectl edit replacing a finalizer sends a deletion list, an order and the addition', () => {
    const cm = { metadata: { name: 'c', finalizers: ['a', 'b'] } };
    const patch = {
      metadata: {
        '$deleteFromPrimitiveList/finalizers': ['b'],
        '$setElementOrder/finalizers': ['c', 'a'],
        finalizers: ['c'],
      },
    };
    assert.deepEqual(applyStrategicMergePatch(cm, patch, CONFIGMAP), { metadata: { name: 'c', finalizers: ['c', 'a'] } });
  });

  it('ownerReferences merge by uid', () => {
    const cm = { metadata: { ownerReferences: [{ uid: '1', name: 'x', kind: 'Pod' }] } };
    const patch = { metadata: { ownerReferences: [{ uid: '2', name: 'y', kind: 'Pod' }, { uid: '1', name: 'x2' }] } };
    assert.deepEqual(applyStrategicMergePatch(cm, patch, CONFIGMAP), {
      metadata: {
        ownerReferences: [
          { uid: '2', name: 'y', kind: 'Pod' },
          { uid: '1', name: 'x2', kind: 'Pod' },
        ],
      },
    });
  });

  it('ports merge by containerPort, volumeMounts by mountPath', () => {
    const pod = {
      spec: {
        containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ name: 'a', mountPath: '/a' }] }],
      },
    };
    const patch = {
      spec: {
        containers: [
          {
            name: 'c',
            ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
            volumeMounts: [{ name: 'b', mountPath: '/a' }],
          },
        ],
      },
    };
    assert.deepEqual(applyStrategicMergePatch(pod, patch, POD), {
      spec: {
        containers: [
          {
            name: 'c',
            ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }],
            volumeMounts: [{ name: 'b', mountPath: '/a' }],
          },
        ],
      },
    });
  });

  it('a new field is taken over without its null members or directives', () => {
    const patch = { spec: { template: { spec: { nodeSelector: { a: 'b', c: null }, affinity: { $patch: 'delete' } } } } };
    const spec = templateSpec(applyStrategicMergePatch(nodeAgent(), patch, DAEMONSET)) as unknown as Record<string, unknown>;
    assert.deepEqual(spec.nodeSelector, { a: 'b' });
    assert.equal(Object.hasOwn(spec, 'affinity'), false);
  });

  it('pod status conditions merge by type (what a kubelet sends)', () => {
    const pod = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } };
    const patch = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    assert.deepEqual(applyStrategicMergePatch(pod, patch, POD), {
      status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }] },
    });
  });

  it('a "__proto__" key is data, not a prototype change', () => {
    const patch = JSON.parse('{"data":{"__proto__":{"polluted":"yes"}}}') as unknown;
    const out = applyStrategicMergePatch({ data: {} }, patch, CONFIGMAP) as { data: Record<string, unknown> };
    assert.equal(Object.getPrototypeOf(out.data), Object.prototype);
    assert.deepEqual(Object.keys(out.data), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('applyStrategicMergePatch: list order and directives as apimachinery settles them', () => {
  const c = (name: string, image?: string): Record<string, string> => (image === undefined ? { name } : { name, image });
  const del = (name: string): Record<string, string> => ({ name, $patch: 'delete' });
  // [what, pod spec before, spec patch, spec after]
  const cases: [string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'patch elements keep the patch order; a server-only element stays before what followed it',
      { containers: [c('a'), c('b', 'b'), c('c')] },
      { containers: [c('c', 'c'), c('a', 'a')] },
      { containers: [c('b', 'b'), c('c', 'c'), c('a', 'a')] },
    ],
    [
      'a patch naming every element reorders the list',
      { containers: [c('a'), c('b', 'b'), c('c')] },
      { containers: [c('c', 'c'), c('a', 'a'), { name: 'b', command: ['x'] }] },
      { containers: [c('c', 'c'), c('a', 'a'), { name: 'b', image: 'b', command: ['x'] }] },
    ],
    [
      '$setElementOrder may name an element that neither side has',
      { containers: [c('a'), c('c')] },
      { '$setElementOrder/containers': [c('c'), c('b'), c('a')], containers: [c('c', 'c'), c('a', 'a')] },
      { containers: [c('c', 'c'), c('a', 'a')] },
    ],
    [
      '$patch: delete removes every element with that key',
      { containers: [c('a'), c('a'), c('b', 'b'), c('c'), c('c')] },
      { containers: [del('a'), del('c')] },
      { containers: [c('b', 'b')] },
    ],
    [
      'a lone $patch: replace empties the list',
      { containers: [c('a'), c('b')] },
      { containers: [{ $patch: 'replace' }] },
      { containers: [] },
    ],
    [
      'adding and deleting with $setElementOrder keeps server-only elements',
      { containers: [c('a'), c('b', 'b'), c('d', 'd')] },
      { '$setElementOrder/containers': [c('b'), c('c')], containers: [c('c'), del('a')] },
      { containers: [c('b', 'b'), c('d', 'd'), c('c')] },
    ],
    [
      'deleting an element the server no longer has is not an error',
      { containers: [c('z', 'z')] },
      { '$setElementOrder/containers': [c('b')], containers: [c('b'), del('a')] },
      { containers: [c('b'), c('z', 'z')] },
    ],
    [
      'a new list drops its $patch elements',
      { nodeName: 'n' },
      { containers: [c('a'), del('gone')] },
      { nodeName: 'n', containers: [c('a')] },
    ],
    [
      '$deleteFromPrimitiveList also works on a list that is replaced otherwise',
      { containers: [{ name: 'a', args: ['x', 'y', 'z'] }] },
      { containers: [{ name: 'a', '$deleteFromPrimitiveList/args': ['y'] }] },
      { containers: [{ name: 'a', args: ['x', 'z'] }] },
    ],
  ];
  for (const [what, spec, specPatch, expected] of cases) {
    it(what, () => {
      assert.deepEqual(applyStrategicMergePatch({ spec }, { spec: specPatch }, POD), { spec: expected });
    });
  }

  const finalizers: [string, string[] | undefined, Record<string, unknown>, string[] | undefined][] = [
    ['scalars keep the patch order too', ['x', 'y', 'z'], { finalizers: ['z', 'x'] }, ['y', 'z', 'x']],
    ['scalars are not duplicated', ['x', 'y'], { finalizers: ['y', 'w'] }, ['x', 'y', 'w']],
    ['deleting an absent scalar changes nothing', ['x', 'y'], { '$deleteFromPrimitiveList/finalizers': ['z'] }, ['x', 'y']],
    ['deleting from an absent list does not create it', undefined, { '$deleteFromPrimitiveList/finalizers': ['z'] }, undefined],
    [
      'deletion with $setElementOrder keeps scalars added on the server since',
      ['x', 'y', 'z', 'w'],
      { '$setElementOrder/finalizers': ['x', 'y'], '$deleteFromPrimitiveList/finalizers': ['z'] },
      ['x', 'y', 'w'],
    ],
    [
      'duplicates are all deleted',
      ['x', 'y', 'z', 'z'],
      { '$deleteFromPrimitiveList/finalizers': ['z'] },
      ['x', 'y'],
    ],
  ];
  for (const [what, before, metaPatch, after] of finalizers) {
    it(`finalizers: ${what}`, () => {
      const pod = { metadata: before === undefined ? { name: 'p' } : { name: 'p', finalizers: before } };
      const expected = { metadata: after === undefined ? { name: 'p' } : { name: 'p', finalizers: after } };
      assert.deepEqual(applyStrategicMergePatch(pod, { metadata: metaPatch }, POD), expected);
    });
  }
});

describe('applyStrategicMergePatch: kinds', () => {
  it('Deployment templates and CSINode drivers merge by name', () => {
    const deployment = { spec: { template: { spec: { containers: [{ name: 'a', image: '1' }] } } } };
    const patched = applyStrategicMergePatch(
      deployment,
      { spec: { template: { spec: { containers: [{ name: 'b', image: '2' }] } } } },
      { group: 'apps', version: 'v1', kind: 'Deployment' },
    );
    // A new element comes before the server's: what the kubectl patch tutorial shows for an added container.
    assert.deepEqual(names(templateSpec(patched).containers), ['b', 'a']);

    const csiNode = { spec: { drivers: [{ name: 'hostpath.csi.k8s.io', nodeID: 'n1' }] } };
    const withDriver = applyStrategicMergePatch(
      csiNode,
      { spec: { drivers: [{ name: 'other.csi', nodeID: 'n1' }] } },
      { group: 'storage.k8s.io', version: 'v1', kind: 'CSINode' },
    ) as { spec: { drivers: { name: string }[] } };
    assert.deepEqual(names(withDriver.spec.drivers), ['other.csi', 'hostpath.csi.k8s.io']);
  });

  it('a CustomResourceDefinition object itself accepts strategic merge (it has Go types)', () => {
    const crd = { metadata: { name: 'datauploads.velero.io', labels: {} } };
    const gvk = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' };
    assert.deepEqual(applyStrategicMergePatch(crd, { metadata: { labels: { a: 'b' } } }, gvk), {
      metadata: { name: 'datauploads.velero.io', labels: { a: 'b' } },
    });
  });
});

describe('applyStrategicMergePatch: errors', () => {
  it('custom resources are refused with 415 and the message kube-apiserver gives', () => {
    rejects(
      () => applyStrategicMergePatch({}, { spec: {} }, { group: 'velero.io', version: 'v2alpha1', kind: 'DataUpload' }),
      415,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  });

  it('a patch that is not an object is a 400', () => {
    rejects(
      () => applyStrategicMergePatch({}, ['x'], POD),
      400,
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
  });

  it('a merge-list element without its merge key is a 400 naming the key', () => {
    const pod = { spec: { containers: [{ name: 'a' }] } };
    rejects(
      () => applyStrategicMergePatch(pod, { spec: { containers: [{ image: 'x' }] } }, POD),
      400,
      'map: map[image:x] does not contain declared merge key: name',
    );
  });

  it('$patch: merge and unknown directives are 400s', () => {
    const pod = { spec: { containers: [{ name: 'a' }] } };
    rejects(
      () => applyStrategicMergePatch(pod, { spec: { containers: [{ $patch: 'merge' }] } }, POD),
      400,
      'merging lists cannot yet be specified in the patch',
    );
    rejects(
      () => applyStrategicMergePatch(pod, { spec: { $patch: 'bogus' } }, POD),
      400,
      /^unknown patch type: bogus in map: map\[\$patch:bogus\]$/,
    );
  });

  it('lists of lists are a 422', () => {
    const pod = { metadata: { finalizers: ['a'] } };
    rejects(() => applyStrategicMergePatch(pod, { metadata: { finalizers: [['b']] } }, POD), 422, 'lists of lists are not supported');
  });

  it('a patch list out of the $setElementOrder order is a 400', () => {
    const pod = { spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
    const patch = {
      spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] },
    };
    rejects(() => applyStrategicMergePatch(pod, patch, POD), 400, /doesn't match \$setElementOrder list/);
  });

  it('a directive key without a list name is a 400', () => {
    rejects(
      () => applyStrategicMergePatch({ metadata: {} }, { metadata: { $deleteFromPrimitiveList: ['a'] } }, POD),
      400,
      'invalid patch format of primitive list',
    );
  });
});
