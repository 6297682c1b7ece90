/**
 * @module localcluster/daemonset
 * The local cluster's DaemonSet controller. Its nouns:
 * - **eligibility**: whether a DaemonSet wants a pod on a node, and whether one already there may stay;
 * - **daemon pod**: the template pinned to one node, labelled with the template's revision hash and generation;
 * - **plan**: one sync's decisions (pods to create, pods to delete and why, the status to report), a pure function;
 * - **rolling update**: old-template pods replaced node by node, at most `maxUnavailable` unavailable at a time;
 * - **expectations**: the creates and deletes a sync made that the informer has not shown yet.
 */
export { startDaemonSetController, CONTROLLER_NAME, type DaemonSetControllerOptions } from './controller.js';
export { daemonTolerations, newDaemonPod, REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL } from './pods.js';
export { planDaemonSet, type DaemonSetPlan } from './plan.js';
