/** Well-known annotations that components of a cluster use to talk to each other. */

/** Set on a WaitForFirstConsumer claim by the scheduler: the node whose pod will consume it, where to provision. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
