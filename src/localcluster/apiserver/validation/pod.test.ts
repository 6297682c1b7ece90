import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../errors.js';
import type { KubeObject } from '../types.js';
import { validatePod, validatePodSpec } from './pod.js';

const REQUIRED = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution';
const EXPR = `${REQUIRED}.nodeSelectorTerms[0].matchExpressions[0]`;

function withAffinity(nodeAffinity: unknown): Record<string, unknown> {
  return { containers: [{ name: 'main', image: 'ferry:1' }], affinity: { nodeAffinity } };
}

function required(...exprs: unknown[]): Record<string, unknown> {
  return withAffinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } });
}

const messages = (spec: unknown): string[] => validatePodSpec(spec, 'spec').map(fieldErrorString);

describe('pod node affinity validation (kube-apiserver parity)', () => {
  const rejected: [string, Record<string, unknown>, string[]][] = [
    ['a lower-case operator', required({ key: 'zone', operator: 'in', values: ['a'] }), [`${EXPR}.operator: Invalid value: "in": not a valid selector operator`]],
    ['In without values', required({ key: 'zone', operator: 'In' }), [`${EXPR}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`]],
    ['NotIn with an empty list', required({ key: 'zone', operator: 'NotIn', values: [] }), [`${EXPR}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`]],
    ['Exists with values', required({ key: 'zone', operator: 'Exists', values: ['a'] }), [`${EXPR}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`]],
    ['Gt with two values', required({ key: 'cpu', operator: 'Gt', values: ['1', '2'] }), [`${EXPR}.values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`]],
    ['Lt without values', required({ key: 'cpu', operator: 'Lt' }), [`${EXPR}.values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`]],
    ['an invalid key', required({ key: 'a/b/c', operator: 'Exists' }), [`${EXPR}.key: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]],
    ['an invalid value', required({ key: 'zone', operator: 'In', values: ['-1'] }), [`${EXPR}.values[0]: Invalid value: "-1": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`]],
    ['no terms', withAffinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } }), [`${REQUIRED}.nodeSelectorTerms: Required value: must have at least one node selector term`]],
    [
      'matchFields on another key with two values',
      withAffinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['a', 'b'] }] }] } }),
      [
        `${REQUIRED}.nodeSelectorTerms[0].matchFields[0].values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
        `${REQUIRED}.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "metadata.uid": not a valid field selector key`,
      ],
    ],
    [
      'a preferred term with weight 0',
      withAffinity({ preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }] }),
      ['spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100'],
    ],
  ];
  for (const [what, spec, expected] of rejected) {
    it(`rejects ${what}`, () => {
      assert.deepEqual(messages(spec), expected);
    });
  }

  it('accepts every valid operator, matchFields on metadata.name, empty terms and invalid values in preferred terms', () => {
    const spec = withAffinity({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: 'zone', operator: 'In', values: ['a', 'b'] },
              { key: 'zone', operator: 'NotIn', values: ['c'] },
              { key: 'kubernetes.io/hostname', operator: 'Exists' },
              { key: 'gpu', operator: 'DoesNotExist' },
              { key: 'cpu', operator: 'Gt', values: ['3'] },
              { key: 'mem', operator: 'Lt', values: ['not-a-number'] },
            ],
            matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-1'] }],
          },
          {},
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['-1'] }] } }],
    });
    assert.deepEqual(messages(spec), []);
  });
});

describe('pod spec validation', () => {
  it('checks containers, volumes, nodeSelector, tolerations and restart policy', () => {
    const spec = {
      restartPolicy: 'Sometimes',
      nodeSelector: { 'bad key': 'v' },
      volumes: [{ name: 'data' }, { name: 'data' }],
      containers: [{ name: 'main' }, { name: 'main', image: 'x', volumeMounts: [{ name: 'missing', mountPath: '/m' }] }],
      tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v' }, { key: 'k', effect: 'NoWhenever' }],
    };
    const out = messages(spec);
    for (const expected of [
      'spec.volumes[1].name: Duplicate value: "data"',
      'spec.containers[0].image: Required value',
      'spec.containers[1].name: Duplicate value: "main"',
      'spec.containers[1].volumeMounts[0].name: Not found: "missing"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      'spec.tolerations[2].effect: Unsupported value: "NoWhenever": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]) {
      assert.ok(out.includes(expected), `missing ${expected} in\n${out.join('\n')}`);
    }
    assert.ok(out.some((m) => m.startsWith('spec.nodeSelector: Invalid value: "bad key": name part must consist of')));
    assert.ok(out.some((m) => m.startsWith("spec.tolerations[1].operator: Invalid value:") && m.endsWith("value must be empty when `operator` is 'Exists'")));
    assert.deepEqual(messages({}), ['spec.containers: Required value']);
  });

  it('allows pod updates of images and added tolerations only', () => {
    const pod = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
    const base = { containers: [{ name: 'main', image: 'a:1' }], tolerations: [{ key: 'k', operator: 'Exists' }] };
    assert.deepEqual(validatePod(pod({ ...base, containers: [{ name: 'main', image: 'a:2' }], tolerations: [...base.tolerations, { key: 'j', operator: 'Exists' }] }), pod(base)), []);
    const changed = validatePod(pod({ ...base, nodeName: 'n1' }), pod(base)).map(fieldErrorString);
    assert.equal(changed.length, 1);
    assert.match(changed[0] ?? '', /^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
  });
});
