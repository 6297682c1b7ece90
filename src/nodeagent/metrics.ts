import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FinalPhase, MovementMetrics, SharedLimit } from '../controller/index.js';

const PREFIX: Record<string, string> = { DataUpload: 'ferry_data_upload', DataDownload: 'ferry_data_download' };

interface KindMetrics {
  ended: Record<FinalPhase, Counter<'node'>>;
  bytes: Counter<'node'>;
  size: Histogram<'node'>;
  duration: Histogram<'node' | 'phase'>;
}

/**
 * The node-agent's Prometheus metrics, all labelled with the node: per kind of data movement (uploads, downloads)
 * counters of successes, failures and cancellations, bytes moved, and histograms of sizes and durations; plus gauges
 * of the data paths running on the node and its loadConcurrency limit.
 */
export class NodeAgentMetrics implements MovementMetrics {
  readonly registry = new Registry();
  private readonly kinds = new Map<string, KindMetrics>();

  constructor(
    private readonly nodeName: string,
    load: SharedLimit,
  ) {
    for (const [kind, prefix] of Object.entries(PREFIX)) this.kinds.set(kind, this.kindMetrics(kind, prefix));
    const registers = [this.registry];
    new Gauge({
      name: 'ferry_data_path_running',
      help: 'Data paths (uploads and downloads) running on this node',
      labelNames: ['node'],
      registers,
      collect() {
        this.set({ node: nodeName }, load.inUse());
      },
    });
    new Gauge({ name: 'ferry_data_path_limit', help: 'How many data paths may run on this node at once (loadConcurrency)', labelNames: ['node'], registers }).set(
      { node: nodeName },
      load.limit,
    );
  }

  private kindMetrics(kind: string, prefix: string): KindMetrics {
    const registers = [this.registry];
    const what = kind === 'DataUpload' ? 'data uploads' : 'data downloads';
    const counter = (name: string, help: string): Counter<'node'> => new Counter({ name: `${prefix}_${name}`, help, labelNames: ['node'], registers });
    return {
      ended: {
        Completed: counter('success_total', `Completed ${what} whose data path ran on this node`),
        Failed: counter('failure_total', `Failed ${what} ended by this node`),
        Canceled: counter('cancel_total', `Canceled ${what} ended by this node`),
      },
      bytes: counter('bytes_total', `Bytes of completed ${what} on this node`),
      size: new Histogram({
        name: `${prefix}_size_bytes`,
        help: `Size of completed ${what} on this node`,
        labelNames: ['node'],
        buckets: [1 << 20, 16 << 20, 128 << 20, 1 << 30, 8 * (1 << 30), 64 * (1 << 30), 512 * (1 << 30)],
        registers,
      }),
      duration: new Histogram({
        name: `${prefix}_duration_seconds`,
        help: `Time from start to end of ${what} on this node`,
        labelNames: ['node', 'phase'],
        buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600],
        registers,
      }),
    };
  }

  finished({ kind, phase, bytes, durationMs }: { kind: string; phase: FinalPhase; bytes: number; durationMs: number | undefined }): void {
    const metrics = this.kinds.get(kind);
    if (metrics === undefined) return;
    const node = this.nodeName;
    metrics.ended[phase].inc({ node });
    if (phase === 'Completed') {
      metrics.bytes.inc({ node }, bytes);
      metrics.size.observe({ node }, bytes);
    }
    if (durationMs !== undefined) metrics.duration.observe({ node, phase }, durationMs / 1000);
  }
}
