import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadAffinity } from '../config/types.js';
import type { V1LabelSelectorRequirement } from '@kubernetes/client-node';
import { isGlobalEntry, selectLoadAffinity } from './select.js';
import { loadAffinity } from './testing.js';
import type { Plain } from '../kube/models.js';

const entry = (key: string, value: string, storageClass?: string): LoadAffinity =>
  loadAffinity({ matchExpressions: [{ key, operator: 'In', values: [value] }] }, storageClass);

const arch = (sc?: string) => entry('kubernetes.io/arch', 'amd64', sc);
const linux = (sc?: string) => entry('kubernetes.io/os', 'Linux', sc);
const windows = (sc?: string) => entry('kubernetes.io/os', 'Windows', sc);

describe('selectLoadAffinity (Velero TestGetLoadAffinityByStorageClass)', () => {
  const rows: { name: string; list: LoadAffinity[] | undefined; sc: string; want: { entry: LoadAffinity; index: number } | undefined }[] = [
    {
      name: 'empty storage class picks the first global entry',
      list: [arch('storage-class-01'), linux('')],
      sc: '',
      want: { entry: linux(''), index: 1 },
    },
    {
      name: 'no entry for the class: the first global entry wins over later global ones',
      list: [linux(''), arch(''), windows('')],
      sc: 'storage-class-01',
      want: { entry: linux(''), index: 0 },
    },
    {
      name: 'an entry for the class wins over an earlier global entry',
      list: [entry('kubernetes.io/control-plane=', '', ''), linux('storage-class-01'), arch('invalid-storage-class')],
      sc: 'storage-class-01',
      want: { entry: linux('storage-class-01'), index: 1 },
    },
    { name: 'only other classes: none', list: [arch('invalid-storage-class')], sc: 'storage-class-01', want: undefined },
    { name: 'no list: none', list: undefined, sc: 'storage-class-01', want: undefined },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(selectLoadAffinity(row.list, row.sc), row.want);
    });
  }

  it('treats an absent storageClass like "" (global)', () => {
    assert.deepEqual(selectLoadAffinity([arch('gp3'), linux()], 'standard'), { entry: linux(), index: 1 });
    assert.deepEqual(selectLoadAffinity([linux(), arch('')], ''), { entry: linux(), index: 0 });
  });

  it('uses only the first entry for a class; later ones are never selected', () => {
    assert.equal(selectLoadAffinity([arch('gp3'), linux('gp3')], 'gp3')?.index, 0);
  });

  it('compares storage classes exactly', () => {
    assert.equal(selectLoadAffinity([arch('GP3')], 'gp3'), undefined);
  });

  it('returns a deep copy: changing the result leaves the config unchanged (Velero #10341)', () => {
    const list = [linux('gp3')];
    const before = structuredClone(list);
    const first = selectLoadAffinity(list, 'gp3');
    assert.ok(first);
    const osTerm: Plain<V1LabelSelectorRequirement> = { key: 'kubernetes.io/os', operator: 'NotIn', values: ['windows'] };
    first.entry.nodeSelector.matchExpressions?.push(osTerm);
    first.entry.nodeSelector.matchExpressions?.[0]?.values?.push('Other');
    assert.deepEqual(list, before);
    assert.deepEqual(selectLoadAffinity(list, 'gp3')?.entry, linux('gp3'));
  });

  it('a backup picks by the backup PVC storage class once the caller remapped it (Velero TestExpose)', () => {
    const backupPVC: Record<string, { storageClass?: string }> = { 'fake-sc': { storageClass: 'fake-sc-read-only' } };
    const list = [linux('fake-sc'), arch('fake-sc-read-only')];
    const effective = backupPVC['fake-sc']?.storageClass ?? 'fake-sc';
    assert.deepEqual(selectLoadAffinity(list, effective), { entry: arch('fake-sc-read-only'), index: 1 });
    assert.deepEqual(selectLoadAffinity(list, 'fake-sc'), { entry: linux('fake-sc'), index: 0 });
  });

  it('isGlobalEntry', () => {
    assert.equal(isGlobalEntry(linux()), true);
    assert.equal(isGlobalEntry(linux('')), true);
    assert.equal(isGlobalEntry(linux('gp3')), false);
  });
});
