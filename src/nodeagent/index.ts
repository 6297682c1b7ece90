/**
 * @module nodeagent
 * The node-agent server (`ferry node-agent server`), one per node through a DaemonSet. Nouns: its **config** (the
 * node-agent ConfigMap, read once at start; invalid ⇒ it does not start), whose hash it **reports** on its own pod
 * for `ferry config get`; its **load limit** (loadConcurrency for this node); its **controllers** (DataUploads and
 * DataDownloads, sharing one machinery and one load limit); its **metrics** (`/metrics`, `/healthz`).
 */
export { startNodeAgent, type NodeAgent, type NodeAgentOptions } from './server.js';
export { loadNodeAgentConfig, type LoadedConfig } from './config.js';
export { NodeAgentMetrics } from './metrics.js';
export { startMetricsServer, parseListenAddress } from './http.js';
