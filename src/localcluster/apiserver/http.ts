/**
 * HTTP plumbing: reading bounded bodies (JSON or YAML), content negotiation (Tables, partial metadata, aggregated
 * discovery) and writing JSON or `Status` responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, unsupportedMediaType, type StatusObject } from './errors.js';
import { decodeProtobufObject, isProtobufContentType, ProtobufError } from './protobuf/decode.js';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header === '') return [];
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    return {
      type: type.toLowerCase(),
      params: Object.fromEntries(
        params.map((p) => {
          const [k = '', v = ''] = p.split('=');
          return [k.trim(), v.trim()];
        }),
      ),
    };
  });
}

/** The first acceptable `as=<kind>` of group `g`, e.g. Table or APIGroupDiscoveryList, with its version. */
export function acceptsAs(ranges: readonly MediaRange[], as: string, group: string): string | undefined {
  for (const r of ranges) if (r.params['as'] === as && r.params['g'] === group) return r.params['v'] ?? 'v1';
  return undefined;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is still read to its end (and dropped) so the client gets the 413 instead of a broken pipe.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
  return Buffer.concat(chunks);
}

/** Decodes a JSON (or YAML) request body; malformed input is a 400. */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (isProtobufContentType(contentType)) {
    try {
      return decodeProtobufObject(raw);
    } catch (err) {
      if (err instanceof ProtobufError) throw err.unsupported ? unsupportedMediaType(err.message) : badRequest(err.message);
      throw err;
    }
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  const yaml = (contentType ?? '').includes('yaml');
  try {
    return yaml ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings: readonly string[] = []): void {
  sendRaw(res, code, typeof body === 'string' ? body : JSON.stringify(body), contentType, warnings);
}

export function sendRaw(res: ServerResponse, code: number, text: string, contentType: string, warnings: readonly string[] = []): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string | string[]> = { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private' };
  if (warnings.length > 0) headers['Warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: StatusObject): void {
  sendJson(res, status.code, status);
}
