import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadAffinity } from '../config/types.js';
import type { Affinity, NodeSelector } from '../kube/models.js';
import { selectLoadAffinity } from './select.js';
import { loadAffinity, OS_REQUIREMENT as OS, req, required } from './testing.js';
import { dataMoverPodAffinity, toPodAffinity, toSystemAffinity } from './translate.js';

// Velero TestToSystemAffinity fixtures (pkg/util/kube/pod_test.go).
const withExpressions = loadAffinity({
  matchLabels: { 'key-2': 'value-2' },
  matchExpressions: [
    { key: 'key-3', values: ['value-3-1', 'value-3-2'], operator: 'NotIn' },
    { key: 'key-4', values: ['value-4-1', 'value-4-2', 'value-4-3'], operator: 'DoesNotExist' },
  ],
});
const gt = (key: string) => req(key, 'Gt', ['value-5-1', 'value-5-2', 'value-5-3']);
const topology: NodeSelector = {
  nodeSelectorTerms: [
    { matchExpressions: [gt('key-5'), gt('key-6')] },
    { matchExpressions: [gt('key-7'), gt('key-8')] },
    { matchFields: [gt('key-9'), gt('key-a')] },
  ],
};
const entryReqs = [
  req('key-2', 'In', ['value-2']),
  req('key-3', 'NotIn', ['value-3-1', 'value-3-2']),
  req('key-4', 'DoesNotExist', ['value-4-1', 'value-4-2', 'value-4-3']),
];

describe('toSystemAffinity (Velero TestToSystemAffinity)', () => {
  const rows: { name: string; entry: LoadAffinity | undefined; topology: NodeSelector | undefined; want: Affinity | undefined }[] = [
    { name: 'loadAffinity is nil', entry: undefined, topology: undefined, want: undefined },
    { name: 'loadAffinity is empty', entry: loadAffinity({}), topology: undefined, want: undefined },
    {
      name: 'with match label',
      entry: loadAffinity({ matchLabels: { 'key-1': 'value-1' } }),
      topology: undefined,
      want: required({ matchExpressions: [req('key-1', 'In', ['value-1'])] }),
    },
    { name: 'with match expression', entry: withExpressions, topology: undefined, want: required({ matchExpressions: entryReqs }) },
    { name: 'with volume topology', entry: undefined, topology, want: required(...topology.nodeSelectorTerms) },
    {
      name: 'with match expression and volume topology',
      entry: withExpressions,
      topology,
      want: required(
        { matchExpressions: [gt('key-5'), gt('key-6'), ...entryReqs] },
        { matchExpressions: [gt('key-7'), gt('key-8'), ...entryReqs] },
        { matchExpressions: entryReqs, matchFields: [gt('key-9'), gt('key-a')] },
      ),
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(toSystemAffinity(row.entry, row.topology), row.want);
    });
  }

  it('sorts matchLabels by key (Velero iterates a Go map) and puts them before matchExpressions', () => {
    const entry = loadAffinity({ matchLabels: { zeta: '1', alpha: '2', mid: '3' }, matchExpressions: [{ key: 'aaa', operator: 'Exists' }] });
    const terms = toSystemAffinity(entry)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    assert.deepEqual(terms?.[0]?.matchExpressions?.map((r) => r.key), ['alpha', 'mid', 'zeta', 'aaa']);
  });

  it('passes odd operators and missing values through verbatim (the validator rejects them, not the translator)', () => {
    const entry: LoadAffinity = loadAffinity({ matchExpressions: [{ key: 'k', operator: 'in' }] });
    assert.deepEqual(toSystemAffinity(entry), required({ matchExpressions: [req('k', 'in')] }));
  });

  it('never produces preferred affinity or pod (anti-)affinity', () => {
    const affinity = toSystemAffinity(withExpressions, topology);
    assert.deepEqual(Object.keys(affinity ?? {}), ['nodeAffinity']);
    assert.deepEqual(Object.keys(affinity?.nodeAffinity ?? {}), ['requiredDuringSchedulingIgnoredDuringExecution']);
  });

  it('does not share arrays with its inputs', () => {
    const entry = structuredClone(withExpressions);
    const topo = structuredClone(topology);
    const affinity = toSystemAffinity(entry, topo);
    const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    for (const term of terms) {
      term.matchExpressions?.forEach((r) => r.values?.push('changed'));
      term.matchFields?.forEach((r) => r.values?.push('changed'));
      term.matchExpressions?.push(OS);
    }
    assert.deepEqual(entry, withExpressions);
    assert.deepEqual(topo, topology);
  });
});

describe('dataMoverPodAffinity / toPodAffinity', () => {
  it('with no entry, the pod still carries kubernetes.io/os NotIn [windows] (Velero TestExpose "success")', () => {
    assert.deepEqual(dataMoverPodAffinity(undefined), required({ matchExpressions: [OS] }));
  });

  it('appends the OS requirement after the entry requirements, in one required term', () => {
    assert.deepEqual(dataMoverPodAffinity(withExpressions), required({ matchExpressions: [...entryReqs, OS] }));
  });

  it('an empty nodeSelector yields only the OS requirement, never an empty term', () => {
    assert.deepEqual(dataMoverPodAffinity(loadAffinity({})), required({ matchExpressions: [OS] }));
  });

  it('ANDs entry and OS requirements into every topology term, keeping matchFields', () => {
    assert.deepEqual(
      dataMoverPodAffinity(withExpressions, topology),
      required(
        { matchExpressions: [gt('key-5'), gt('key-6'), ...entryReqs, OS] },
        { matchExpressions: [gt('key-7'), gt('key-8'), ...entryReqs, OS] },
        { matchExpressions: [...entryReqs, OS], matchFields: [gt('key-9'), gt('key-a')] },
      ),
    );
  });

  it('puts extra requirements between the entry and the OS requirement', () => {
    const hostname = req('kubernetes.io/hostname', 'NotIn', ['node-1', 'node-2']);
    const entry: LoadAffinity = loadAffinity({ matchLabels: { 'kubernetes.io/arch': 'amd64' } });
    assert.deepEqual(
      toPodAffinity(entry, { extra: [hostname] }),
      required({ matchExpressions: [req('kubernetes.io/arch', 'In', ['amd64']), hostname, OS] }),
    );
  });

  describe('Velero TestExpose affinity cases (source SC fake-sc, no topology)', () => {
    const requirementsOf = (a: Affinity) => a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    it('Affinity per StorageClass', () => {
      const list: LoadAffinity[] = [loadAffinity({ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['Linux'] }] }, 'fake-sc')];
      const picked = selectLoadAffinity(list, 'fake-sc');
      assert.deepEqual(dataMoverPodAffinity(picked?.entry), required({ matchExpressions: [req('kubernetes.io/os', 'In', ['Linux']), OS] }));
    });
    it('Affinity per StorageClass with backupPVC storage class', () => {
      const list: LoadAffinity[] = [
        loadAffinity({ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }, 'fake-sc-read-only'),
      ];
      const picked = selectLoadAffinity(list, 'fake-sc-read-only');
      assert.deepEqual(dataMoverPodAffinity(picked?.entry), required({ matchExpressions: [req('kubernetes.io/arch', 'In', ['amd64']), OS] }));
    });
    it('Affinity nil with a backupPVC mapping', () => {
      assert.deepEqual(dataMoverPodAffinity(selectLoadAffinity(undefined, 'fake-sc-read-only')?.entry), required({ matchExpressions: [OS] }));
    });
    it('IntolerateSourceNode with VolumeAttachments on node-1 and node-2', () => {
      const hostname = req('kubernetes.io/hostname', 'NotIn', ['node-1', 'node-2']);
      const terms = requirementsOf(toPodAffinity(undefined, { extra: [hostname] }));
      // Velero appends the OS term before the hostname term; Ferry keeps the OS term last. The term is an AND, so
      // the same requirements in another order select the same nodes.
      assert.equal(terms?.length, 1);
      assert.deepEqual(
        new Set(terms[0]?.matchExpressions?.map((r) => JSON.stringify(r))),
        new Set([OS, hostname].map((r) => JSON.stringify(r))),
      );
    });
  });

  it('returns fresh objects: mutating one result changes neither the config nor the next result (Velero #10341)', () => {
    const config = [loadAffinity({ matchLabels: { 'kubernetes.io/arch': 'amd64' } }, 'gp3')];
    const before = structuredClone(config);
    const first = dataMoverPodAffinity(selectLoadAffinity(config, 'gp3')?.entry);
    first.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.push(OS);
    const second = dataMoverPodAffinity(selectLoadAffinity(config, 'gp3')?.entry);
    assert.deepEqual(config, before);
    const expressions = second.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions ?? [];
    assert.equal(expressions.filter((r) => r.key === 'kubernetes.io/os').length, 1);
    assert.deepEqual(second, required({ matchExpressions: [req('kubernetes.io/arch', 'In', ['amd64']), OS] }));
  });
});
