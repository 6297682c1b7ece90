/**
 * GET with `watch=true`: a chunked stream of `{"type":...,"object":...}` lines. Starts with ADDED events for the
 * current objects when no resourceVersion (or "0") is given, replays the changes since a given resourceVersion
 * otherwise (an ERROR event with a 410 Expired Status when that is too old), sends BOOKMARKs when asked, and ends
 * after `timeoutSeconds`, when the client goes away or when the server shuts down.
 */
import { expired } from '../errors.js';
import { acceptsAs } from '../http.js';
import { present } from '../ops/common.js';
import { objectJson } from '../serialize.js';
import { parseIncludeObject, toTable } from '../tables/table.js';
import { apiVersionOf, type StoredObject } from '../types.js';
import type { WatchHandle } from '../watch.js';
import type { ApiRequest } from './context.js';
import { selectorFilter } from './filter.js';
import { parseResourceVersion } from './list.js';

/** A watcher that falls this far behind is cut off (a real server closes slow watchers too); it reconnects. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_SECONDS = 1800;

export function handleWatch(r: ApiRequest): void {
  const { res, type, server } = r;
  const filter = selectorFilter(type, r.query);
  const rv = parseResourceVersion(r.query.get('resourceVersion'));
  const sendInitialEvents = r.query.get('sendInitialEvents') === 'true';
  const bookmarks = r.query.get('allowWatchBookmarks') === 'true';
  const asTable = acceptsAs(r.accept, 'Table', 'meta.k8s.io') !== undefined;
  const includeObject = parseIncludeObject(r.query.get('includeObject'));
  const timeoutSeconds = Number(r.query.get('timeoutSeconds') ?? DEFAULT_TIMEOUT_SECONDS);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let ended = false;
  let firstTable = true;
  const watch: { handle?: WatchHandle } = {};
  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    if (ended) return;
    ended = true;
    watch.handle?.stop();
    for (const t of timers) clearTimeout(t);
    server.streams.delete(res);
    res.end();
  };
  const write = (line: string): void => {
    if (ended) return;
    res.write(line);
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  };
  const send = (eventType: string, obj: StoredObject): void => {
    const shown = present(type, obj);
    if (asTable) {
      const table = toTable(type, [shown], { includeObject, withColumns: firstTable, listMeta: { resourceVersion: shown.metadata.resourceVersion } });
      firstTable = false;
      write(`${JSON.stringify({ type: eventType, object: table })}\n`);
    } else {
      write(`{"type":"${eventType}","object":${objectJson(shown)}}\n`);
    }
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata = { resourceVersion: String(server.store.resourceVersion), ...(annotations === undefined ? {} : { annotations }) };
    write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: type.kind, apiVersion: apiVersionOf(type), metadata } })}\n`);
  };

  const started = server.hub.start(
    { storageKey: type.storageKey, namespace: type.namespaced ? r.path.namespace : undefined, matches: filter, sink: { send } },
    rv === 0 || sendInitialEvents ? undefined : rv,
  );
  if (!started.ok) {
    const status = expired(`too old resource version: ${String(rv)} (${started.oldest + 1})`).status;
    res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    return;
  }
  watch.handle = started.handle;
  server.streams.add(res);
  for (const obj of started.initial) send('ADDED', obj);
  if (sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  if (res.writableEnded) {
    started.handle.stop();
    return;
  }
  if (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0) timers.push(setTimeout(finish, timeoutSeconds * 1000));
  if (bookmarks) timers.push(setInterval(() => { bookmark(); }, server.bookmarkIntervalMs));
  res.on('close', finish);
}
