/**
 * @module localcluster/nodes
 * The local cluster's nodes. Its nouns:
 * - **node manifest**: a Node as `--nodes N` (`node-1` … `node-N`) or `--nodes-file` describes it, with the labels,
 *   capacity, conditions and `nodeInfo` a kubelet would add (defaults.ts, options.ts);
 * - **node agent**: what keeps a registered node alive: its Lease in `kube-node-lease` and status heartbeats (agents.ts);
 * - **condition taints**: the node lifecycle controller's NoSchedule taints for NotReady, pressure and cordoned
 *   nodes, which the scheduler and the DaemonSet controller obey (lifecycle.ts).
 */
export { nodesFromOptions, MAX_NODES, type NodesOptions } from './options.js';
export { startNodes, LEASE_NAMESPACE, type StartNodesOptions } from './agents.js';
export { DEFAULT_CAPACITY, KUBELET_VERSION, ZONES, ZONE_LABEL, goArch, withDefaults } from './defaults.js';
export { conditionTaints, NOT_READY_TAINT, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT } from './lifecycle.js';
