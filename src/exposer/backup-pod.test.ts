import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dataMoverPodAffinity } from '../affinity/index.js';
import { loadAffinity } from '../affinity/testing.js';
import { nodeAgentDaemonSet } from '../install/manifests.js';
import type { DaemonSet } from '../kube/models.js';
import { buildBackupPod, type BackupPodInput } from './backup-pod.js';
import { inheritedFromDaemonSet } from './inherited.js';

function daemonSet(): DaemonSet {
  const ds = nodeAgentDaemonSet({ namespace: 'velero', image: 'ferry/ferry:1.2.3', nodeAgentConfigMap: 'cfg' });
  const spec = ds.spec?.template.spec;
  if (spec !== undefined) {
    spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'backup', effect: 'NoSchedule' }];
    spec.nodeSelector = { pool: 'infra' };
    const container = spec.containers[0];
    if (container !== undefined) container.args = [...(container.args ?? []), '--log-level=debug'];
  }
  if (ds.spec !== undefined) ds.spec.template.metadata = { ...ds.spec.template.metadata, labels: { ...ds.spec.template.metadata?.labels, 'azure.workload.identity/use': 'true' } };
  return ds;
}

function input(overrides: Partial<BackupPodInput> = {}): BackupPodInput {
  return {
    owner: { name: 'b-abc12', uid: '0b1e5c2a-0000-4000-8000-00000000000a', apiVersion: 'velero.io/v2alpha1', kind: 'DataUpload' },
    namespace: 'velero',
    inherited: inheritedFromDaemonSet(daemonSet()),
    pvcName: 'b-abc12',
    readOnly: false,
    spcNoRelabeling: false,
    affinity: dataMoverPodAffinity(loadAffinity({ matchLabels: { zone: 'a' } })),
    resources: undefined,
    priorityClassName: undefined,
    podLabels: undefined,
    podAnnotations: undefined,
    operationTimeout: '10m0s',
    ...overrides,
  };
}

describe('buildBackupPod', () => {
  it('builds Velero\'s data-mover pod for the DataUpload', () => {
    const pod = buildBackupPod(input());
    const spec = pod.spec!;
    const container = spec.containers[0]!;
    const metadata = pod.metadata!;
    assert.equal(metadata.name, 'b-abc12');
    assert.deepEqual(metadata.labels, { 'azure.workload.identity/use': 'true', 'velero.io/data-upload': 'b-abc12', 'velero.io/exposer-pod-group': 'snapshot-exposer' });
    assert.deepEqual(metadata.ownerReferences, [{ apiVersion: 'velero.io/v2alpha1', kind: 'DataUpload', name: 'b-abc12', uid: '0b1e5c2a-0000-4000-8000-00000000000a', controller: true, blockOwnerDeletion: true }]);
    assert.equal(container.image, 'ferry/ferry:1.2.3');
    assert.deepEqual(container.args, [
      'data-mover',
      'backup',
      '--data-upload=b-abc12',
      '--volume-path=/0b1e5c2a-0000-4000-8000-00000000000a',
      '--volume-mode=Filesystem',
      '--resource-timeout=10m0s',
      '--log-level=debug',
    ]);
    assert.deepEqual(container.volumeMounts, [{ name: '0b1e5c2a-0000-4000-8000-00000000000a', mountPath: '/0b1e5c2a-0000-4000-8000-00000000000a' }]);
    assert.deepEqual(spec.volumes?.[0], { name: '0b1e5c2a-0000-4000-8000-00000000000a', persistentVolumeClaim: { claimName: 'b-abc12' } });
    assert.deepEqual(container.env?.map((e) => e.name), ['NODE_NAME', 'VELERO_NAMESPACE'], 'env comes from the DaemonSet');
    assert.equal(spec.serviceAccountName, 'ferry');
    assert.deepEqual(spec.tolerations, [{ key: 'dedicated', operator: 'Equal', value: 'backup', effect: 'NoSchedule' }], 'the DaemonSet\'s tolerations, not an allowlist');
    assert.equal(spec.nodeSelector, undefined, 'the DaemonSet\'s node selection is not inherited');
    assert.deepEqual(spec.affinity, dataMoverPodAffinity(loadAffinity({ matchLabels: { zone: 'a' } })));
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal(spec.topologySpreadConstraints?.[0]?.whenUnsatisfiable, 'ScheduleAnyway');
  });

  it('takes podLabels/podAnnotations instead of the inherited ones, never losing its own labels', () => {
    const metadata = buildBackupPod(input({ podLabels: { team: 'storage', 'velero.io/data-upload': 'spoofed' }, podAnnotations: { a: 'b' } })).metadata!;
    assert.deepEqual(metadata.labels, { team: 'storage', 'velero.io/data-upload': 'b-abc12', 'velero.io/exposer-pod-group': 'snapshot-exposer' });
    assert.deepEqual(metadata.annotations, { a: 'b' });
  });

  it('mounts a read-only backup volume read-only, with spc_t when asked, and sets resources and priority', () => {
    const spec = buildBackupPod(input({ readOnly: true, spcNoRelabeling: true, resources: { requests: { cpu: '1' } }, priorityClassName: 'high' })).spec!;
    const container = spec.containers[0]!;
    assert.equal(container.volumeMounts?.[0]?.readOnly, true);
    assert.equal(spec.volumes?.[0]?.persistentVolumeClaim?.readOnly, true);
    assert.deepEqual(spec.securityContext, { runAsUser: 0, seLinuxOptions: { type: 'spc_t' } });
    assert.deepEqual(container.resources, { requests: { cpu: '1' } });
    assert.equal(spec.priorityClassName, 'high');
  });

  it('gives every pod its own copy of the affinity (Velero #10341)', () => {
    const shared = input();
    const a = buildBackupPod(shared);
    a.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.push({ key: 'x', operator: 'Exists' });
    const b = buildBackupPod(shared);
    assert.equal(b.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.length, 2);
  });
});
