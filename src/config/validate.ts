/**
 * What a bound config means, section by section: errors for what would stop data movement (a node-agent refuses to
 * start on them), warnings for what Velero silently skips or works around. Paths point into the document.
 */
import { isDNS1123Subdomain, isQualifiedName } from '../kube/names.js';
import { findContradictions, findLinuxExclusions } from './contradictions.js';
import { fieldPath, indexPath, keyPath } from './path.js';
import { checkPodResources } from './resources.js';
import { checkLabels, checkSelector, isEmptySelector } from './selector.js';
import type { IssueLists, LoadAffinity, LoadConcurrency, NodeAgentConfig } from './types.js';

/** Why no StorageClass can have this name (it must be a DNS-1123 subdomain); `undefined` when one can. */
function storageClassProblems(name: string): string | undefined {
  const problems = isDNS1123Subdomain(name);
  return problems.length === 0 ? undefined : `${JSON.stringify(name)} is not a valid StorageClass name: ${problems.join('; ')}`;
}

function checkLoadAffinity(entries: readonly LoadAffinity[], issues: IssueLists): void {
  const winners = new Map<string, number>();
  for (const [i, entry] of entries.entries()) {
    const at = indexPath('loadAffinity', i);
    const selectorAt = fieldPath(at, 'nodeSelector');
    const requirements = checkSelector(entry.nodeSelector, selectorAt, { use: 'loadAffinity', issues });
    issues.errors.push(...findContradictions(requirements), ...findLinuxExclusions(requirements));
    if (isEmptySelector(entry.nodeSelector)) {
      issues.warnings.push({ path: selectorAt, message: 'empty selector: data movement may run on any Linux node' });
    }
    const storageClass = entry.storageClass ?? '';
    const bad = storageClass === '' ? undefined : storageClassProblems(storageClass);
    if (bad !== undefined) issues.errors.push({ path: fieldPath(at, 'storageClass'), message: bad });
    const winner = winners.get(storageClass);
    if (winner === undefined) {
      winners.set(storageClass, i);
      continue;
    }
    const which = storageClass === '' ? 'entry without storageClass' : `entry for storage class ${JSON.stringify(storageClass)}`;
    issues.warnings.push({
      path: at,
      message: `never used: ${indexPath('loadAffinity', winner)} is the first ${which} and the only one applied; merge the two entries or remove this one`,
    });
  }
}

function checkLoadConcurrency(lc: LoadConcurrency, issues: IssueLists): void {
  const at = 'loadConcurrency';
  if (lc.globalConfig !== undefined && lc.globalConfig <= 0) {
    issues.warnings.push({ path: fieldPath(at, 'globalConfig'), message: `${lc.globalConfig} is not a valid number of data paths; Velero uses 1` });
  }
  for (const [i, rule] of (lc.perNodeConfig ?? []).entries()) {
    const ruleAt = indexPath(fieldPath(at, 'perNodeConfig'), i);
    const requirements = checkSelector(rule.nodeSelector, fieldPath(ruleAt, 'nodeSelector'), { use: 'perNodeConfig', issues });
    issues.errors.push(...findContradictions(requirements));
    if (rule.number <= 0) {
      issues.warnings.push({ path: fieldPath(ruleAt, 'number'), message: `${rule.number} is not a valid number of data paths; Velero skips this rule` });
    }
  }
  if (lc.prepareQueueLength !== undefined && lc.prepareQueueLength < 0) {
    issues.warnings.push({
      path: fieldPath(at, 'prepareQueueLength'),
      message: `${lc.prepareQueueLength} is negative; Velero treats it like 0: loads in preparation are not limited`,
    });
  }
}

function checkBackupPVC(config: Required<NodeAgentConfig>['backupPVC'], issues: IssueLists): void {
  for (const [sourceClass, pvc] of Object.entries(config)) {
    const at = keyPath('backupPVC', sourceClass);
    const badSource = storageClassProblems(sourceClass);
    if (badSource !== undefined) issues.warnings.push({ path: at, message: `${badSource}, so no source PVC can have it and this entry never applies` });
    const bad = pvc.storageClass ? storageClassProblems(pvc.storageClass) : undefined;
    if (bad !== undefined) issues.errors.push({ path: fieldPath(at, 'storageClass'), message: `${bad}; every backup PVC created with it would be rejected` });
    if (pvc.spcNoRelabeling === true && pvc.readOnly !== true) {
      issues.warnings.push({ path: fieldPath(at, 'spcNoRelabeling'), message: 'takes effect only with "readOnly": true; Velero ignores it here' });
    }
    checkAnnotationKeys(pvc.annotations ?? {}, fieldPath(at, 'annotations'), issues);
  }
}

/** Annotation keys, checked lowercased as the API server does. */
function checkAnnotationKeys(annotations: Readonly<Record<string, string>>, at: string, issues: IssueLists): void {
  for (const key of Object.keys(annotations)) {
    for (const msg of isQualifiedName(key.toLowerCase())) {
      issues.errors.push({ path: keyPath(at, key), message: `invalid annotation key ${JSON.stringify(key)}: ${msg}` });
    }
  }
}

function checkOtherSections(config: NodeAgentConfig, issues: IssueLists): void {
  const cache = config.cachePVC;
  if (cache !== undefined) {
    const problem = cache.storageClass ? storageClassProblems(cache.storageClass) : 'no storageClass';
    if (problem !== undefined) issues.warnings.push({ path: fieldPath('cachePVC', 'storageClass'), message: `${problem}: Velero ignores the cachePVC section` });
  }
  const priority = config.priorityClassName;
  const badPriority = priority ? isDNS1123Subdomain(priority) : [];
  if (badPriority.length > 0) {
    issues.warnings.push({
      path: 'priorityClassName',
      message: `${JSON.stringify(priority)} cannot name a PriorityClass (${badPriority.join('; ')}); Velero warns at start and uses no priority class`,
    });
  }
}

export function validateConfig(config: NodeAgentConfig): IssueLists {
  const issues: IssueLists = { errors: [], warnings: [] };
  checkLoadAffinity(config.loadAffinity ?? [], issues);
  if (config.loadConcurrency) checkLoadConcurrency(config.loadConcurrency, issues);
  if (config.podResources) checkPodResources(config.podResources, 'podResources', issues);
  checkBackupPVC(config.backupPVC ?? {}, issues);
  checkLabels(config.podLabels ?? {}, 'podLabels', issues);
  checkAnnotationKeys(config.podAnnotations ?? {}, 'podAnnotations', issues);
  checkOtherSections(config, issues);
  return issues;
}
