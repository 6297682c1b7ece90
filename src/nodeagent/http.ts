import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { CONTAINER_ROOT_ENV } from '../util/containerpaths.js';
import { errorMessage, usageError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

export interface MetricsServerOptions {
  /** `:8085`, `127.0.0.1:8085` or `[::1]:8085`, as Velero's `--metrics-address`. */
  address: string;
  registry: Registry;
  /** `/healthz` answers 200 once this says so, 503 before. */
  healthy: () => boolean;
  logger: Logger;
}

export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`--metrics-address ${JSON.stringify(address)} is not host:port`, 'e.g. :8085 or 127.0.0.1:8085');
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? undefined : host, port };
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Serves `/metrics` (Prometheus text format) and `/healthz`. In the local cluster every node-agent is a process on
 * the same host, so they cannot all have the port: there (`FERRY_CONTAINER_ROOT` set) a taken port falls back to a
 * free one, which is logged.
 */
export async function startMetricsServer({ address, registry, healthy, logger }: MetricsServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const { host, port } = parseListenAddress(address);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok\n' : 'starting\n');
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(`${errorMessage(err)}\n`),
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
  });
  try {
    await listen(server, port, host);
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (!inUse || process.env[CONTAINER_ROOT_ENV] === undefined) throw err;
    await listen(server, 0, host);
    logger.info({ wanted: port, port: (server.address() as AddressInfo).port }, 'metrics port taken on the shared host network of the local cluster; serving on a free port');
  }
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
