/** Table columns of pods, nodes and the apps/v1 workloads, following kubectl's built-in printers. */
import { asArray, asNumber, asRecord, asString, at } from '../json.js';
import type { CellValue, KubeObject, TableColumn, TableSpec } from '../types.js';
import { NONE, column, formatLabels, nameAgeTable, orNone } from './columns.js';

function podStatusReason(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp !== undefined) return 'Terminating';
  const status = asRecord(pod['status']);
  let reason = asString(status['reason']) ?? asString(status['phase']) ?? 'Unknown';
  for (const cs of asArray(status['containerStatuses'])) {
    const state = asRecord(asRecord(cs)['state']);
    const waiting = asString(at(state, 'waiting', 'reason'));
    const terminated = asString(at(state, 'terminated', 'reason'));
    if (waiting !== undefined && waiting !== '') reason = waiting;
    else if (terminated !== undefined && terminated !== '') reason = terminated;
  }
  return reason;
}

function containerCounts(pod: KubeObject): { ready: number; total: number; restarts: number } {
  const total = asArray(at(pod, 'spec', 'containers')).length;
  let ready = 0;
  let restarts = 0;
  for (const cs of asArray(at(pod, 'status', 'containerStatuses'))) {
    if (asRecord(cs)['ready'] === true) ready++;
    restarts += asNumber(asRecord(cs)['restartCount']) ?? 0;
  }
  return { ready, total, restarts };
}

export const podTable = nameAgeTable(
  [
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'The number of times the containers in this pod have been restarted.'),
  ],
  (pod) => {
    const { ready, total, restarts } = containerCounts(pod);
    return [`${ready}/${total}`, podStatusReason(pod), String(restarts)];
  },
  {
    columns: [
      column('IP', 'string', 'IP address allocated to the pod.', 1),
      column('Node', 'string', 'Name of the Node this pod runs on.', 1),
      column('Nominated Node', 'string', 'Name of the node the scheduler nominated for preemption.', 1),
      column('Readiness Gates', 'string', 'The pod readiness gates.', 1),
    ],
    cells: (pod) => {
      const gates = asArray(at(pod, 'spec', 'readinessGates')).length;
      return [orNone(at(pod, 'status', 'podIP')), orNone(at(pod, 'spec', 'nodeName')), orNone(at(pod, 'status', 'nominatedNodeName')), gates === 0 ? NONE : `0/${gates}`];
    },
  },
);

function nodeStatus(node: KubeObject): string {
  const ready = asArray(at(node, 'status', 'conditions')).map(asRecord).find((c) => c['type'] === 'Ready');
  const status = ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : ready['status'] === 'False' ? 'NotReady' : 'Unknown';
  return at(node, 'spec', 'unschedulable') === true ? `${status},SchedulingDisabled` : status;
}

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) roles.add(key.slice('node-role.kubernetes.io/'.length));
    else if (key === 'kubernetes.io/role' && value !== '') roles.add(value);
  }
  return roles.size === 0 ? NONE : [...roles].sort().join(',');
}

function nodeAddress(node: KubeObject, type: string): unknown {
  return asArray(at(node, 'status', 'addresses')).map(asRecord).find((a) => a['type'] === type)?.['address'];
}

export const nodeTable = nameAgeTable(
  [column('Status', 'string', 'The status of the node'), column('Roles', 'string', 'The roles of the node')],
  (node) => [nodeStatus(node), nodeRoles(node)],
  {
    columns: [
      column('Version', 'string', 'Kubelet Version reported by the node.'),
      column('Internal-IP', 'string', 'List of internal IPs.', 1),
      column('External-IP', 'string', 'List of external IPs.', 1),
      column('OS-Image', 'string', 'OS image reported by the node.', 1),
      column('Kernel-Version', 'string', 'Kernel version reported by the node.', 1),
      column('Container-Runtime', 'string', 'Container runtime and version reported by the node.', 1),
    ],
    cells: (node) => {
      const info = asRecord(at(node, 'status', 'nodeInfo'));
      return [
        asString(info['kubeletVersion']) ?? '',
        orNone(nodeAddress(node, 'InternalIP')),
        orNone(nodeAddress(node, 'ExternalIP')),
        orNone(info['osImage']),
        orNone(info['kernelVersion']),
        orNone(info['containerRuntimeVersion']),
      ];
    },
  },
);

function containerNamesAndImages(template: unknown): [string, string] {
  const containers = asArray(at(template, 'spec', 'containers')).map(asRecord);
  return [containers.map((c) => asString(c['name']) ?? '').join(','), containers.map((c) => asString(c['image']) ?? '').join(',')];
}

/** `metav1.FormatLabelSelector`: `app=x,tier in (a,b)`. */
function formatSelector(selector: unknown): string {
  const sel = asRecord(selector);
  const parts = Object.entries(asRecord(sel['matchLabels'])).map(([k, v]) => `${k}=${String(v)}`);
  for (const expr of asArray(sel['matchExpressions']).map(asRecord)) {
    const key = asString(expr['key']) ?? '';
    const values = asArray(expr['values']).map(String).join(',');
    switch (expr['operator']) {
      case 'In':
        parts.push(`${key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(key);
        break;
      case 'DoesNotExist':
        parts.push(`!${key}`);
        break;
      default:
        parts.push(`${key} ${String(expr['operator'])} (${values})`);
    }
  }
  return parts.length === 0 ? NONE : parts.join(',');
}

const WIDE_WORKLOAD_COLUMNS = [
  column('Containers', 'string', 'Names of each container in the template.', 1),
  column('Images', 'string', 'Images referenced by each container in the template.', 1),
  column('Selector', 'string', 'Label selector for pods.', 1),
];

/** Workloads print Name, their own columns, Age, and with `-o wide` the template's containers, images and selector. */
function workloadTable(columns: readonly TableColumn[], cells: (obj: KubeObject, status: Record<string, unknown>) => CellValue[]): TableSpec {
  return nameAgeTable(columns, (obj) => cells(obj, asRecord(obj['status'])), {
    columns: WIDE_WORKLOAD_COLUMNS,
    cells: (obj) => [...containerNamesAndImages(at(obj, 'spec', 'template')), formatSelector(at(obj, 'spec', 'selector'))],
  });
}

const count = (status: Record<string, unknown>, key: string): number => asNumber(status[key]) ?? 0;

export const daemonSetTable = workloadTable(
  [
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod.'),
    column('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more running and ready.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more available.'),
    column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
  ],
  (ds, status) => [
    ...['desiredNumberScheduled', 'currentNumberScheduled', 'numberReady', 'updatedNumberScheduled', 'numberAvailable'].map((k) => count(status, k)),
    formatLabels(at(ds, 'spec', 'template', 'spec', 'nodeSelector')),
  ],
);

export const deploymentTable = workloadTable(
  [
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
  ],
  (deploy, status) => [
    `${count(status, 'readyReplicas')}/${asNumber(at(deploy, 'spec', 'replicas')) ?? 1}`,
    count(status, 'updatedReplicas'),
    count(status, 'availableReplicas'),
  ],
);

export const replicaSetTable = workloadTable(
  [
    column('Desired', 'integer', 'Number of desired pods.'),
    column('Current', 'integer', 'Number of actual replicas.'),
    column('Ready', 'integer', 'Number of ready replicas.'),
  ],
  (rs, status) => [asNumber(at(rs, 'spec', 'replicas')) ?? 1, count(status, 'replicas'), count(status, 'readyReplicas')],
);

export const controllerRevisionTable = nameAgeTable(
  [column('Controller', 'string', 'Controller of the object.'), column('Revision', 'integer', 'Revision of the ControllerRevision.')],
  (rev) => {
    const owner = (rev.metadata.ownerReferences ?? []).find((o) => o.controller === true);
    return [owner === undefined ? NONE : `${owner.kind.toLowerCase()}.${owner.apiVersion.split('/')[0] ?? ''}/${owner.name}`, asNumber(rev['revision']) ?? 0];
  },
);
