import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { SharedLimit } from '../controller/index.js';
import { createLogger } from '../util/log.js';
import { startMetricsServer, parseListenAddress } from './http.js';
import { NodeAgentMetrics } from './metrics.js';

const logger = createLogger({ level: 'silent' });

describe('the node-agent\'s /metrics and /healthz', () => {
  it('reads Velero-style listen addresses', () => {
    assert.deepEqual(parseListenAddress(':8085'), { host: undefined, port: 8085 });
    assert.deepEqual(parseListenAddress('127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
    assert.deepEqual(parseListenAddress('[::1]:9000'), { host: '::1', port: 9000 });
    assert.throws(() => parseListenAddress('8085'), /--metrics-address "8085" is not host:port/);
  });

  it('serves per-node data upload metrics, and healthz once started', async () => {
    const load = new SharedLimit(2);
    const metrics = new NodeAgentMetrics('node-3', load);
    metrics.finished({ kind: 'DataUpload', phase: 'Completed', bytes: 5_000_000, durationMs: 4000 });
    metrics.finished({ kind: 'DataUpload', phase: 'Failed', bytes: 0, durationMs: undefined });
    let healthy = false;
    const server = await startMetricsServer({ address: '127.0.0.1:0', registry: metrics.registry, healthy: () => healthy, logger });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 503);
      healthy = true;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const text = await (await fetch(`${base}/metrics`)).text();
      assert.match(text, /^ferry_data_upload_success_total\{node="node-3"\} 1$/m);
      assert.match(text, /^ferry_data_upload_failure_total\{node="node-3"\} 1$/m);
      assert.match(text, /^ferry_data_upload_bytes_total\{node="node-3"\} 5000000$/m);
      assert.match(text, /^ferry_data_upload_duration_seconds_count\{node="node-3",phase="Completed"\} 1$/m);
      assert.match(text, /^ferry_data_path_limit\{node="node-3"\} 2$/m);
    } finally {
      await server.close();
    }
  });

  it('takes a free port when the wanted one is taken on the local cluster\'s shared host, and fails elsewhere', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    const previous = process.env.FERRY_CONTAINER_ROOT;
    try {
      delete process.env.FERRY_CONTAINER_ROOT;
      await assert.rejects(startMetricsServer({ address: `127.0.0.1:${taken}`, registry: new Registry(), healthy: () => true, logger }), /EADDRINUSE/);
      process.env.FERRY_CONTAINER_ROOT = '/tmp/root';
      const server = await startMetricsServer({ address: `127.0.0.1:${taken}`, registry: new Registry(), healthy: () => true, logger });
      assert.notEqual(server.port, taken);
      await server.close();
    } finally {
      if (previous === undefined) delete process.env.FERRY_CONTAINER_ROOT;
      else process.env.FERRY_CONTAINER_ROOT = previous;
      blocker.close();
    }
  });
});
