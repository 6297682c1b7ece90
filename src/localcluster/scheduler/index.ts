/**
 * @module localcluster/scheduler
 * The local cluster's scheduler, an API client with kube-scheduler's semantics. Its nouns:
 * - **snapshot**: every node with the pods assigned to it and their summed requests, rebuilt per attempt;
 * - **cycle**: what the plugins precompute for one pod (placement, requests, claims, spread counts);
 * - **rejection**: why one node cannot take the pod: the plugin, whether preemption could help, the reasons;
 * - **fit error**: the `0/N nodes are available: …` message built from all rejections;
 * - **queue**: pending pods, active, backing off or waiting for a cluster change;
 * - **binding cycle**: PreBind (WaitForFirstConsumer claims get `volume.kubernetes.io/selected-node` and are waited
 *   for), then `pods/binding`.
 * Informers and the event recorder are the kubelet's (src/localcluster/kubelet/{informer,events}.ts).
 */
export { startScheduler, SCHEDULER_NAME, type SchedulerOptions } from './scheduler.js';
export { BIND_COMPLETED_ANNOTATION } from './volumes.js';
export { SELECTED_NODE_ANNOTATION } from '../../kube/annotations.js';
