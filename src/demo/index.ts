/**
 * @module demo
 * `ferry demo` (what `npm start` runs): Ferry's whole job on an embedded cluster. Its nouns:
 * - **story**: the numbered steps, from starting the cluster to the summary (story.ts, steps.ts);
 * - **demo nodes** and the **seed ConfigMap**: node-1..node-5 and the seed document's sample config (nodes.ts, config.ts);
 * - **workload**: the PVC with generated data, its pod, and the checksum list the restore is verified with
 *   (workload.ts, data.ts);
 * - **movements**: the backup and the restore, each with where its data-mover pod may run and where it ran
 *   (movements.ts, movement.ts, explain.ts), and the **summary** table of both (summary.ts).
 */
export { runDemo, type DemoOptions, type DemoResult } from './story.js';
export { parseSize, DEFAULT_SIZE } from './size.js';
