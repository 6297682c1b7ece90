/** What every resource handler gets: the parsed request, the resource it addresses and the server's state. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MediaRange } from '../http.js';
import { acceptsAs, sendJson } from '../http.js';
import type { OpsContext, WriteOptions } from '../ops/common.js';
import type { ResourcePath } from '../paths.js';
import { objectJson } from '../serialize.js';
import { parseIncludeObject, partialObjectMetadata, toTable } from '../tables/table.js';
import type { KubeObject, ResourceType } from '../types.js';
import type { WatchHub } from '../watch.js';
import type { TokenSigner, UserInfo } from '../auth/index.js';
import { badRequest } from '../errors.js';

export interface ServerState extends OpsContext {
  readonly hub: WatchHub;
  /** Where pod logs and other files live. */
  readonly dir: string;
  readonly bookmarkIntervalMs: number;
  /** Open streaming responses (watches, followed logs), ended on shutdown. */
  readonly streams: Set<ServerResponse>;
  /** Signs the tokens TokenRequest hands out and checks those requests bring. */
  readonly signer: TokenSigner;
}

export interface ApiRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: URLSearchParams;
  readonly path: ResourcePath;
  readonly type: ResourceType;
  readonly accept: readonly MediaRange[];
  readonly warnings: string[];
  readonly server: ServerState;
  /** Who the request acts as (already allowed to make it). */
  readonly user: UserInfo;
}

export function writeOptions(r: ApiRequest): WriteOptions {
  const dryRun = r.query.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) throw badRequest(`Invalid dry run value: ${JSON.stringify(dryRun.find((d) => d !== 'All'))}`);
  const validation = r.query.get('fieldValidation');
  if (validation !== null && validation !== 'Strict' && validation !== 'Warn' && validation !== 'Ignore') {
    throw badRequest(`fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`);
  }
  return {
    dryRun: dryRun.length > 0,
    ...(validation === null ? {} : { fieldValidation: validation }),
    warnings: r.warnings,
  };
}

/** Sends one object as the client asked: plain JSON, a one-row Table, or its metadata only. */
export function respondObject(r: ApiRequest, code: number, obj: KubeObject): void {
  if (acceptsAs(r.accept, 'Table', 'meta.k8s.io') !== undefined) {
    const table = toTable(r.type, [obj], {
      includeObject: parseIncludeObject(r.query.get('includeObject')),
      withColumns: true,
      listMeta: { resourceVersion: obj.metadata.resourceVersion ?? '' },
      now: r.server.now(),
    });
    sendJson(r.res, code, table, 'application/json', r.warnings);
  } else if (acceptsAs(r.accept, 'PartialObjectMetadata', 'meta.k8s.io') !== undefined) {
    sendJson(r.res, code, partialObjectMetadata(obj), 'application/json', r.warnings);
  } else {
    sendJson(r.res, code, objectJson(obj), 'application/json', r.warnings);
  }
}
