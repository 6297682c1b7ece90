/**
 * @module localcluster/apiserver
 * An embedded Kubernetes API server that kubectl and `@kubernetes/client-node` use unmodified. Its nouns:
 * - **store**: every object in memory under one global resourceVersion, with a bounded event history;
 * - **registry**: the served resources (built-in kinds plus those CRDs define), each a `ResourceType`;
 * - **ops**: create / update / delete with a real server's semantics (preconditions, generation, finalizers);
 * - **watch hub**: open watches fed from the store, exactly once and in order;
 * - **controllers**: garbage collector, namespace lifecycle and CRD lifecycle, running in-process;
 * - **handlers**: HTTP verbs, discovery, OpenAPI, Tables and `Status` errors on top of the above;
 * - **auth**: service-account tokens and RBAC, checked before any handler runs (auth/index.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../util/log.js';
import { admit, requestAttributes, TokenSigner } from './auth/index.js';
import { bootstrap } from './bootstrap.js';
import { CrdController } from './controllers/crds.js';
import { GarbageCollector } from './controllers/gc.js';
import { NamespaceController } from './controllers/namespaces.js';
import { WorkQueue } from './controllers/queue.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { ApiError, internalError, methodNotAllowed, pathNotFound } from './errors.js';
import type { ServerState } from './handlers/context.js';
import { handleResource } from './handlers/resource.js';
import { acceptsAs, parseAccept, sendJson, sendRaw, sendStatus } from './http.js';
import { openApiGroupVersion, openApiRoot } from './openapi.js';
import { isDiscoveryPath, parseApiPath, type DiscoveryPath } from './paths.js';
import { ResourceRegistry } from './registry.js';
import { BUILTIN_RESOURCES } from './resources/builtins.js';
import { ObjectStore } from './store.js';
import { WatchHub } from './watch.js';

export interface ApiServerOptions {
  /** Where files served through the API live (pod logs under `<dir>/pods/`). */
  dir: string;
  host?: string;
  /** 0 (the default) lets the OS pick a free port. */
  port?: number;
  /** How many changes the watch history keeps; older resourceVersions answer 410 Expired. */
  historySize?: number;
  bookmarkIntervalMs?: number;
  logger?: Logger;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  readonly store: ObjectStore;
  readonly registry: ResourceRegistry;
  close(): Promise<void>;
}

/** The `/version` answer: a 1.32 server, so kubectl 1.32 sees no version skew. */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+ferry',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const AGGREGATED = 'APIGroupDiscoveryList';

function serveDiscovery(state: ServerState, req: IncomingMessage, res: ServerResponse, path: DiscoveryPath, address: string): void {
  const { registry } = state;
  if (path.discovery === 'api' || path.discovery === 'apis') {
    const version = acceptsAs(parseAccept(req.headers.accept), AGGREGATED, 'apidiscovery.k8s.io');
    if (version !== undefined) {
      const apiVersion = `apidiscovery.k8s.io/${version}`;
      const body = aggregatedDiscovery(registry, path.discovery === 'api', apiVersion);
      sendJson(res, 200, body, `application/json;g=apidiscovery.k8s.io;v=${version};as=${AGGREGATED}`);
      return;
    }
    sendJson(res, 200, path.discovery === 'api' ? apiVersions(address) : apiGroupList(registry));
    return;
  }
  const doc = path.discovery === 'group' ? apiGroup(registry, path.group) : apiResourceList(registry, path.group, path.version);
  if (doc === undefined) throw pathNotFound();
  sendJson(res, 200, doc);
}

function serveOpenApi(state: ServerState, res: ServerResponse, pathname: string): void {
  const rest = pathname.replace(/^\/openapi\/v3\/?/, '');
  if (rest === '') {
    sendJson(res, 200, openApiRoot(state.registry));
    return;
  }
  const parts = rest.split('/');
  const doc = parts[0] === 'api' && parts.length === 2 ? openApiGroupVersion(state.registry, '', parts[1] ?? '') : parts[0] === 'apis' && parts.length === 3 ? openApiGroupVersion(state.registry, parts[1] ?? '', parts[2] ?? '') : undefined;
  if (doc === undefined) throw pathNotFound();
  sendJson(res, 200, doc);
}

async function route(state: ServerState, req: IncomingMessage, res: ServerResponse, address: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const { pathname } = url;
  const path = parseApiPath(pathname);
  const user = admit(state, req, requestAttributes(req.method ?? 'GET', pathname, path, url.searchParams));
  if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(pathname)) {
    sendRaw(res, 200, 'ok', 'text/plain; charset=utf-8');
    return;
  }
  if (pathname === '/version') {
    sendJson(res, 200, SERVER_VERSION);
    return;
  }
  if (pathname === '/openapi/v3' || pathname.startsWith('/openapi/v3/')) {
    if (req.method !== 'GET') throw methodNotAllowed();
    serveOpenApi(state, res, pathname);
    return;
  }
  if (path === undefined) throw pathNotFound();
  if (isDiscoveryPath(path)) {
    if (req.method !== 'GET') throw methodNotAllowed();
    serveDiscovery(state, req, res, path, address);
    return;
  }
  await handleResource(state, req, res, path, url.searchParams, user);
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { dir, host = '127.0.0.1', port = 0, historySize = 10_000, bookmarkIntervalMs = 10_000, logger } = options;
  const store = new ObjectStore({ historySize });
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const queue = new WorkQueue(logger);
  const base = { store, registry, now: () => Date.now() };
  const controllers = [new CrdController(base, queue), new GarbageCollector(base, queue), new NamespaceController(base, queue)];
  const unsubscribe = store.subscribe((event) => {
    for (const c of controllers) c.observe(event);
  });
  const signer = await TokenSigner.forDirectory(dir);
  const state: ServerState = { ...base, hub: new WatchHub(store), dir, bookmarkIntervalMs, streams: new Set(), signer };
  bootstrap(state);

  let address = `${host}:${port}`;
  const server = createServer((req, res) => {
    const started = Date.now();
    route(state, req, res, address)
      .catch((err: unknown) => {
        if (err instanceof ApiError) {
          sendStatus(res, err.status);
          return;
        }
        logger?.error({ err: err instanceof Error ? err.stack : String(err), method: req.method, url: req.url }, 'request failed');
        sendStatus(res, internalError(err instanceof Error ? err.message : String(err)).status);
      })
      .finally(() => {
        logger?.debug({ method: req.method, url: req.url, code: res.statusCode, ms: Date.now() - started }, 'request');
      });
  });
  // Clients keep idle connections for a long time (client-go 90 s, Node agents until closed); closing them sooner
  // races with a request being sent on them.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  address = `${host}:${actualPort}`;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${address}`,
    port: actualPort,
    store,
    registry,
    close() {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        queue.close();
        state.hub.close();
        for (const res of state.streams) res.end();
        state.streams.clear();
        server.close(() => {
          resolve();
        });
        server.closeIdleConnections();
        setTimeout(() => {
          server.closeAllConnections();
        }, 200).unref();
      });
      return closing;
    },
  };
}
