import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { check, messageAt } from './testing.js';

const hostname = (name: string): unknown => ({ matchLabels: { 'kubernetes.io/hostname': name } });

describe('loadAffinity entries', () => {
  it('warn about entries that can never be selected, naming the entry that wins', () => {
    const r = check({
      loadAffinity: [
        { nodeSelector: hostname('a'), storageClass: 'gp3' },
        { nodeSelector: hostname('b') },
        { nodeSelector: hostname('c'), storageClass: 'gp3' },
        { nodeSelector: hostname('d'), storageClass: '' },
        { nodeSelector: hostname('e'), storageClass: 'io2' },
      ],
    });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, [
      { path: 'loadAffinity[2]', message: 'never used: loadAffinity[0] is the first entry for storage class "gp3" and the only one applied; merge the two entries or remove this one' },
      { path: 'loadAffinity[3]', message: 'never used: loadAffinity[1] is the first entry without storageClass and the only one applied; merge the two entries or remove this one' },
    ]);
  });

  it('warn about an empty or absent nodeSelector, which allows any node', () => {
    const r = check({ loadAffinity: [{ nodeSelector: {}, storageClass: 'gp3' }, { storageClass: 'io2' }, { nodeSelector: { matchLabels: {}, matchExpressions: [] } }] });
    for (const i of [0, 1, 2]) assert.equal(messageAt(r.warnings, `loadAffinity[${i}].nodeSelector`), 'empty selector: data movement may run on any Linux node');
  });

  it('require storageClass to be a DNS-1123 subdomain', () => {
    const r = check({ loadAffinity: [{ nodeSelector: hostname('a'), storageClass: 'Fast_SSD' }, { nodeSelector: hostname('b'), storageClass: 'fast-ssd.example.com' }] });
    assert.match(messageAt(r.errors, 'loadAffinity[0].storageClass'), /^"Fast_SSD" is not a valid StorageClass name: a lowercase RFC 1123 subdomain/);
    assert.equal(r.errors.length, 1);
  });
});

describe('loadConcurrency', () => {
  it('warns about globalConfig <= 0, rule numbers <= 0 and a negative prepareQueueLength', () => {
    const r = check({
      loadConcurrency: {
        globalConfig: 0,
        prepareQueueLength: -1,
        perNodeConfig: [
          { nodeSelector: hostname('a'), number: 0 },
          { nodeSelector: hostname('b'), number: -2 },
          { nodeSelector: hostname('c'), number: 3 },
          { nodeSelector: hostname('d') },
        ],
      },
    });
    assert.deepEqual(r.errors, []);
    assert.equal(messageAt(r.warnings, 'loadConcurrency.globalConfig'), '0 is not a valid number of data paths; Velero uses 1');
    assert.equal(messageAt(r.warnings, 'loadConcurrency.prepareQueueLength'), '-1 is negative; Velero treats it like 0: loads in preparation are not limited');
    assert.equal(messageAt(r.warnings, 'loadConcurrency.perNodeConfig[0].number'), '0 is not a valid number of data paths; Velero skips this rule');
    assert.equal(messageAt(r.warnings, 'loadConcurrency.perNodeConfig[1].number'), '-2 is not a valid number of data paths; Velero skips this rule');
    assert.match(messageAt(r.warnings, 'loadConcurrency.perNodeConfig[3].number'), /^0 is not/);
    assert.equal(r.warnings.length, 5);
  });

  it('accepts valid values, an empty rule selector (every node) and prepareQueueLength 0', () => {
    const r = check({ loadConcurrency: { globalConfig: 2, prepareQueueLength: 0, perNodeConfig: [{ nodeSelector: {}, number: 1 }] } });
    assert.deepEqual([r.errors, r.warnings], [[], []]);
  });
});

describe('podResources', () => {
  const full = { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '512Mi', memoryLimit: '1Gi' };

  it('accepts valid quantities, 0 limits (unbounded) and absent ephemeral storage', () => {
    assert.deepEqual(check({ podResources: full }).warnings, []);
    assert.deepEqual(check({ podResources: { ...full, cpuLimit: '0', memoryLimit: '0', ephemeralStorageRequest: '1Gi', ephemeralStorageLimit: '2e9' } }).warnings, []);
  });

  it('warns that Velero ignores the whole section for a bad quantity, an empty CPU or memory value, or request > limit', () => {
    const r = check({ podResources: { cpuRequest: '1 core', cpuLimit: '1', memoryRequest: '2Gi', memoryLimit: '1Gi', ephemeralStorageLimit: '1Gb' } });
    const ignored = ', so Velero ignores the whole podResources section and data-mover pods get no requests or limits';
    assert.equal(messageAt(r.warnings, 'podResources.cpuRequest'), `"1 core" is not a Kubernetes quantity (such as 500m, 2, 1Gi or 1e3)${ignored}`);
    assert.equal(messageAt(r.warnings, 'podResources.memoryRequest'), `memory request "2Gi" is above its limit "1Gi"${ignored}`);
    assert.match(messageAt(r.warnings, 'podResources.ephemeralStorageLimit'), /^"1Gb" is not a Kubernetes quantity/);
    const empty = check({ podResources: { memoryLimit: '1Gi' } });
    assert.equal(messageAt(empty.warnings, 'podResources.cpuRequest'), `empty: Velero cannot parse an empty quantity (write "0" for none)${ignored}`);
    assert.deepEqual(
      empty.warnings.map((w) => w.path),
      ['podResources.cpuRequest', 'podResources.cpuLimit', 'podResources.memoryRequest'],
    );
  });

  it('rejects negative quantities, which the API server refuses on every data-mover pod', () => {
    const r = check({ podResources: { ...full, memoryRequest: '-1Mi' } });
    assert.match(messageAt(r.errors, 'podResources.memoryRequest'), /^"-1Mi" is negative: the API server rejects data-mover pods/);
  });
});

describe('backupPVC, cachePVC, priorityClassName, podLabels, podAnnotations', () => {
  it('warns about spcNoRelabeling without readOnly', () => {
    const r = check({ backupPVC: { gp3: { storageClass: 'gp3-ro', spcNoRelabeling: true }, io2: { readOnly: true, spcNoRelabeling: true } } });
    assert.equal(messageAt(r.warnings, 'backupPVC.gp3.spcNoRelabeling'), 'takes effect only with "readOnly": true; Velero ignores it here');
    assert.equal(r.warnings.length, 1);
  });

  it('checks storage class names and annotation keys of backupPVC', () => {
    const r = check({ backupPVC: { 'Bad Class': { storageClass: 'Also_Bad', annotations: { 'csi.vsphere.volume/fast-provisioning': 'true', 'Example.com/Mixed': 'x', 'a b': 'y' } } } });
    assert.match(messageAt(r.errors, 'backupPVC["Bad Class"].storageClass'), /^"Also_Bad" is not a valid StorageClass name: .*; every backup PVC created with it would be rejected$/);
    assert.match(messageAt(r.errors, 'backupPVC["Bad Class"].annotations["a b"]'), /^invalid annotation key "a b"/);
    assert.match(messageAt(r.warnings, 'backupPVC["Bad Class"]'), /so no source PVC can have it and this entry never applies$/);
    assert.equal(r.errors.length, 2);
  });

  it('warns about cachePVC without a usable storageClass', () => {
    assert.equal(messageAt(check({ cachePVC: { residentThresholdInMB: 1024 } }).warnings, 'cachePVC.storageClass'), 'no storageClass: Velero ignores the cachePVC section');
    assert.match(messageAt(check({ cachePVC: { storageClass: 'UPPER' } }).warnings, 'cachePVC.storageClass'), /^"UPPER" is not a valid StorageClass name.*: Velero ignores the cachePVC section$/);
    assert.deepEqual(check({ cachePVC: { storageClass: 'local-cache', residentThresholdInMB: 1024 } }).warnings, []);
  });

  it('warns about a priorityClassName no PriorityClass can have', () => {
    assert.match(messageAt(check({ priorityClassName: 'High Priority' }).warnings, 'priorityClassName'), /^"High Priority" cannot name a PriorityClass .*Velero warns at start and uses no priority class$/);
    assert.deepEqual(check({ priorityClassName: 'system-node-critical' }).warnings, []);
  });

  it('rejects pod labels and annotations the API server would refuse', () => {
    const r = check({ podLabels: { 'app.kubernetes.io/name': 'ferry', 'bad key': 'x', team: 'a b' }, podAnnotations: { 'Example.com/Note': 'any value at all', '/x': '' } });
    assert.match(messageAt(r.errors, 'podLabels["bad key"]'), /^invalid label key "bad key"/);
    assert.match(messageAt(r.errors, 'podLabels.team'), /^invalid label value "a b"/);
    assert.equal(messageAt(r.errors, 'podAnnotations["/x"]'), 'invalid annotation key "/x": prefix part must be non-empty');
    assert.equal(r.errors.length, 3);
  });
});

describe('a complete config', () => {
  it('with every section set well is valid without warnings', () => {
    const r = check({
      loadConcurrency: { globalConfig: 2, perNodeConfig: [{ nodeSelector: { matchLabels: { 'node.kubernetes.io/instance-type': 'm5.4xlarge' } }, number: 4 }], prepareQueueLength: 10 },
      loadAffinity: [
        { nodeSelector: { matchExpressions: [{ key: 'xxx/critial-workload', operator: 'DoesNotExist' }] } },
        { nodeSelector: { matchLabels: { 'topology.kubernetes.io/zone': 'eu-west-1a' } }, storageClass: 'zonal-ssd' },
      ],
      backupPVC: { 'zonal-ssd': { storageClass: 'zonal-ssd-snap', readOnly: true, spcNoRelabeling: true, annotations: { 'example.com/owner': 'backup' } } },
      restorePVC: { ignoreDelayBinding: true },
      podResources: { cpuRequest: '1', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '4Gi', ephemeralStorageRequest: '1Gi', ephemeralStorageLimit: '10Gi' },
      priorityClassName: 'data-mover',
      privilegedFsBackup: true,
      cachePVC: { storageClass: 'local-cache', residentThresholdInMB: 2048 },
      podLabels: { 'app.kubernetes.io/part-of': 'ferry' },
      podAnnotations: { 'iam.amazonaws.com/role': 'arn:aws:iam::123456789012:role/ferry' },
    });
    assert.deepEqual([r.errors, r.warnings], [[], []]);
    assert.equal(r.config?.cachePVC?.residentThresholdInMB, 2048);
    assert.equal(r.config.restorePVC?.ignoreDelayBinding, true);
  });
});
