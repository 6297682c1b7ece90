/**
 * @module localcluster
 * Kubernetes on one machine, embedded in Ferry: a **local cluster** lives in one directory (`<dir>/kubeconfig`,
 * `<dir>/cluster.json` state file, pod logs under `<dir>/pods/`) and runs an embedded **API server** that kubectl
 * and @kubernetes/client-node use unmodified. Part 2 adds the scheduler, kubelets, CSI driver and object store.
 */
export { startLocalCluster, type LocalCluster, type LocalClusterOptions } from './cluster.js';
export { startApiServer, SERVER_VERSION, type ApiServer, type ApiServerOptions } from './apiserver/server.js';
export { startDetached, stopCluster, SERVER_LOG, type DetachOptions } from './control.js';
export { readState, type ClusterState } from './statefile.js';
export { kubeconfigYaml, CONTEXT_NAME } from './kubeconfig.js';
export { podLogPath } from './podlogs.js';
