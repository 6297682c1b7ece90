/** Pod defaulting as the API server and its default admission plugins apply it. */
import { asArray, asRecord, asString, isRecord } from '../json.js';
import type { KubeObject } from '../types.js';

function setDefault(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function imagePullPolicy(image: string): string {
  const lastPart = image.split('/').pop() ?? '';
  const tag = lastPart.includes('@') ? undefined : lastPart.split(':')[1];
  return tag === undefined ? (lastPart.includes('@') ? 'IfNotPresent' : 'Always') : tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** `SetDefaults_PodSpec` and container defaults; used for pods and for workload pod templates. */
export function defaultPodSpec(spec: Record<string, unknown>): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  for (const key of ['containers', 'initContainers']) {
    for (const c of asArray(spec[key])) {
      if (!isRecord(c)) continue;
      setDefault(c, 'terminationMessagePath', '/dev/termination-log');
      setDefault(c, 'terminationMessagePolicy', 'File');
      setDefault(c, 'imagePullPolicy', imagePullPolicy(asString(c['image']) ?? ''));
      setDefault(c, 'resources', {});
    }
  }
}

const DEFAULT_TOLERATIONS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

export function defaultPod(pod: KubeObject): void {
  if (!isRecord(pod['spec'])) return;
  const spec = pod['spec'];
  defaultPodSpec(spec);
  setDefault(spec, 'enableServiceLinks', true);
  // The ServiceAccount, Priority and DefaultTolerationSeconds admission plugins.
  setDefault(spec, 'serviceAccountName', 'default');
  setDefault(spec, 'serviceAccount', spec['serviceAccountName']);
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const tolerations = asArray(spec['tolerations']).filter(isRecord);
  for (const key of DEFAULT_TOLERATIONS) {
    if (!tolerations.some((t) => t['key'] === key || (t['key'] === undefined && t['operator'] === 'Exists'))) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
  spec['tolerations'] = tolerations;
}

function qosClass(pod: KubeObject): string {
  const containers = asArray(asRecord(pod['spec'])['containers']).map(asRecord);
  const resources = containers.map((c) => asRecord(c['resources']));
  const any = resources.some((r) => Object.keys(asRecord(r['requests'])).length > 0 || Object.keys(asRecord(r['limits'])).length > 0);
  if (!any) return 'BestEffort';
  const guaranteed = resources.every((r) => {
    const limits = asRecord(r['limits']);
    const requests = { ...limits, ...asRecord(r['requests']) };
    return ['cpu', 'memory'].every((k) => limits[k] !== undefined && requests[k] === limits[k]);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** A pod bound to a node and still running gets its grace period; unbound or finished pods go at once. */
export function podGracePeriodSeconds(pod: KubeObject, requested: number | undefined): number {
  const spec = asRecord(pod['spec']);
  const phase = asRecord(pod['status'])['phase'];
  if ((asString(spec['nodeName']) ?? '') === '' || phase === 'Succeeded' || phase === 'Failed') return 0;
  const grace = requested ?? spec['terminationGracePeriodSeconds'];
  return typeof grace === 'number' && grace > 0 ? grace : 0;
}

export function initialPodStatus(pod: KubeObject): Record<string, unknown> {
  return { phase: 'Pending', qosClass: qosClass(pod) };
}
