/**
 * @module nodeagent
 * The node-agent server (`ferry node-agent server`), one per node through a DaemonSet. Nouns: its **config** (the
 * node-agent ConfigMap, read once at start; invalid ⇒ it does not start); its **load limit** (loadConcurrency for
 * this node); its **controllers** (DataUploads now; the machinery is shared with DataDownloads); its **metrics**
 * (`/metrics`, `/healthz`).
 */
export { startNodeAgent, type NodeAgent, type NodeAgentOptions } from './server.js';
export { loadNodeAgentConfig } from './config.js';
export { NodeAgentMetrics } from './metrics.js';
export { startMetricsServer, parseListenAddress } from './http.js';
