/**
 * @module kube/client
 * The one place Ferry talks to the Kubernetes API. Nouns:
 * - a **kubeconfig** (`--kubeconfig`, else `KUBECONFIG` / `~/.kube/config`, else the in-cluster service account);
 * - the **client** (`KubeClient`): JSON over HTTP(S) for any resource in `resources.ts` — get, list, create,
 *   replace, merge/JSON patch, delete and watch — with failures turned into `KubeApiError`s that say what and where;
 * - **conflict-retried updates** (`updateWithRetry`): read, change, write with the read resourceVersion, again on 409.
 * Objects are plain JSON typed with `@kubernetes/client-node`'s model types; nothing is built with `new`.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import { FerryError, errorMessage } from '../util/errors.js';
import { apiError, isConflict, isNotFound, KubeApiError, type ApiStatus, type Verb } from './errors.js';
import { resourcePath, type ObjectRef, type ResourceType } from './resources.js';

export interface LoadKubeConfigOptions {
  /** A kubeconfig file; by default `KUBECONFIG`, `~/.kube/config`, then the in-cluster service account. */
  kubeconfig?: string | undefined;
}

export function loadKubeConfig({ kubeconfig }: LoadKubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (kubeconfig === undefined) kc.loadFromDefault();
    else kc.loadFromFile(kubeconfig);
  } catch (err) {
    throw new FerryError('ConfigInvalid', `cannot read kubeconfig${kubeconfig === undefined ? '' : ` ${kubeconfig}`}: ${errorMessage(err)}`, { cause: err });
  }
  if (kc.getCurrentCluster() === null) {
    throw new FerryError('ConfigInvalid', 'no Kubernetes cluster is configured', {
      hint: 'set KUBECONFIG, pass --kubeconfig, or run inside a pod with a service account',
    });
  }
  return kc;
}

export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}

export interface KubeList<T> {
  items: T[];
  resourceVersion: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export type PatchType = 'merge' | 'json' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Only delete the object with this uid (a precondition), so a recreated namesake survives. */
  uid?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

interface Call {
  verb: Verb;
  method: string;
  resource: ResourceType;
  ref: ObjectRef;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  /** For messages about a create: the name in the body (the path names only the collection). */
  creating?: string | undefined;
}

const REQUEST_TIMEOUT_MS = 30_000;
/** Credentials from exec plugins and tokens expire; options are rebuilt this often. */
const OPTIONS_TTL_MS = 60_000;

function queryString(query: Record<string, string | undefined> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseStatus(text: string): ApiStatus | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return text === '' ? undefined : { message: text.slice(0, 500) };
  }
}

/** A Kubernetes API client bound to one kubeconfig. Create with {@link createKubeClient}. */
export class KubeClient {
  private readonly server: URL;
  private options: { at: number; value: Promise<RequestOptions> } | undefined;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });

  constructor(readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (cluster === null) throw new FerryError('ConfigInvalid', 'no Kubernetes cluster is configured');
    this.server = new URL(cluster.server);
  }

  /** The API server's address, for messages. */
  get serverUrl(): string {
    return this.server.origin;
  }

  /** The namespace of the kubeconfig's current context, if it names one. */
  get contextNamespace(): string | undefined {
    const context = this.kubeConfig.getContextObject(this.kubeConfig.getCurrentContext());
    return context?.namespace === undefined || context.namespace === '' ? undefined : context.namespace;
  }

  async get<T>(resource: ResourceType, ref: ObjectRef): Promise<T> {
    return this.call<T>({ verb: 'get', method: 'GET', resource, ref });
  }

  /** Like {@link get}, but `undefined` when the object does not exist. */
  async find<T>(resource: ResourceType, ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.get<T>(resource, ref);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list<T>(resource: ResourceType, namespace: string | undefined, { labelSelector, fieldSelector }: ListOptions = {}): Promise<KubeList<T>> {
    const list = await this.call<{ items?: T[] | null; metadata?: { resourceVersion?: string } }>({
      verb: 'list',
      method: 'GET',
      resource,
      ref: { namespace },
      query: { labelSelector, fieldSelector },
    });
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async create<T>(resource: ResourceType, namespace: string | undefined, body: T): Promise<T> {
    const name = (body as { metadata?: KubeObjectMeta } | undefined)?.metadata?.name;
    return this.call<T>({ verb: 'create', method: 'POST', resource, ref: { namespace }, body, creating: name });
  }

  /** PUT: the write fails with a Conflict when `metadata.resourceVersion` is stale, which is how claims are made. */
  async replace<T>(resource: ResourceType, ref: ObjectRef, body: T): Promise<T> {
    return this.call<T>({ verb: 'update', method: 'PUT', resource, ref, body });
  }

  async patch<T>(resource: ResourceType, ref: ObjectRef, patch: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.call<T>({ verb: 'patch', method: 'PATCH', resource, ref, body: patch, contentType: PATCH_CONTENT_TYPES[type] });
  }

  /** Deletes the object; `false` when it was already gone. */
  async delete(resource: ResourceType, ref: ObjectRef, { gracePeriodSeconds, propagationPolicy, uid }: DeleteOptions = {}): Promise<boolean> {
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
      ...(propagationPolicy === undefined ? {} : { propagationPolicy }),
      ...(uid === undefined ? {} : { preconditions: { uid } }),
    };
    try {
      await this.call({ verb: 'delete', method: 'DELETE', resource, ref, body });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Streams watch events from `resourceVersion` until the server ends the stream (resolves) or fails (rejects; an
   * expired resourceVersion rejects with a KubeApiError whose reason is `Expired`). Aborting `signal` ends it quietly.
   */
  async watch<T>(
    resource: ResourceType,
    namespace: string | undefined,
    { resourceVersion, labelSelector, fieldSelector, timeoutSeconds = 300 }: ListOptions & { resourceVersion: string; timeoutSeconds?: number },
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const ref = { namespace };
    const query = {
      watch: 'true',
      allowWatchBookmarks: 'true',
      resourceVersion,
      labelSelector,
      fieldSelector,
      timeoutSeconds: String(timeoutSeconds),
    };
    const res = await this.send({ verb: 'watch', method: 'GET', resource, ref, query }, signal, 0);
    if ((res.statusCode ?? 0) >= 300) {
      throw apiError('watch', resource, ref, res.statusCode ?? 0, parseStatus(await readBody(res)));
    }
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        const event = JSON.parse(line) as { type: string; object: unknown };
        if (event.type === 'ERROR') {
          const status = event.object as ApiStatus;
          throw apiError('watch', resource, ref, status.code ?? 500, status);
        }
        onEvent(event as WatchEvent<T>);
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      res.destroy();
    }
  }

  private requestOptions(): Promise<RequestOptions> {
    const now = Date.now();
    if (this.options === undefined || now - this.options.at > OPTIONS_TTL_MS) {
      const value = (async () => {
        const opts: RequestOptions = {};
        await this.kubeConfig.applyToHTTPSOptions(opts);
        return opts;
      })();
      this.options = { at: now, value };
      // A failed attempt (an exec plugin that broke) must not be cached.
      value.catch(() => {
        this.options = undefined;
      });
    }
    return this.options.value;
  }

  private async send(call: Call, signal: AbortSignal | undefined, timeoutMs: number): Promise<IncomingMessage> {
    const base = await this.requestOptions();
    const https = this.server.protocol === 'https:';
    const path = `${this.server.pathname.replace(/\/$/, '')}${resourcePath(call.resource, call.ref)}${queryString(call.query)}`;
    const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    const headers: Record<string, string | number> = {
      ...(base.headers as Record<string, string> | undefined),
      Accept: 'application/json',
      ...(payload === undefined ? {} : { 'Content-Type': call.contentType ?? 'application/json', 'Content-Length': payload.length }),
    };
    const options: RequestOptions = {
      ...base,
      protocol: this.server.protocol,
      hostname: this.server.hostname,
      port: this.server.port,
      method: call.method,
      path,
      headers,
      agent: https ? base.agent : this.httpAgent,
      ...(signal === undefined ? {} : { signal }),
      ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}),
    };
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(options, resolve);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
      req.on('error', (err) => {
        reject(
          new FerryError('Unavailable', `cannot ${call.verb} ${call.resource.plural}: the Kubernetes API server at ${this.serverUrl} did not answer: ${err.message}`, {
            cause: err,
          }),
        );
      });
      req.end(payload);
    });
  }

  private async call<T>(call: Call): Promise<T> {
    const res = await this.send(call, undefined, REQUEST_TIMEOUT_MS);
    const text = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(call.verb, call.resource, { ...call.ref, name: call.ref.name ?? call.creating }, status, parseStatus(text));
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /** Closes idle keep-alive connections so a short-lived process can exit at once. */
  close(): void {
    this.httpAgent.destroy();
  }
}

export function createKubeClient(options: LoadKubeConfigOptions = {}): KubeClient {
  return new KubeClient(loadKubeConfig(options));
}

export interface UpdateWithRetryOptions {
  /** Attempts before the Conflict is given up on; default 5. */
  attempts?: number;
}

/**
 * Reads the object, lets `change` edit a copy, and writes it back with the read resourceVersion; on a Conflict it
 * starts over from a fresh read. `change` returns `undefined` to write nothing. Resolves to the object as written
 * (or as read when nothing was written); rejects with NotFound when the object is gone.
 */
export async function updateWithRetry<T extends { metadata?: KubeObjectMeta }>(
  client: KubeClient,
  resource: ResourceType,
  ref: ObjectRef,
  change: (current: T) => T | undefined,
  { attempts = 5 }: UpdateWithRetryOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await client.get<T>(resource, ref);
    const next = change(structuredClone(current));
    if (next === undefined) return current;
    try {
      return await client.replace(resource, ref, next);
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) throw err;
    }
  }
}

export { KubeApiError };
