/**
 * An HTTP proxy on 127.0.0.1 in front of an S3 server that injects faults on a schedule: S3 error replies (503
 * SlowDown, 500 InternalError, 429, or any other), dropped connections before the reply, mid-body or after the
 * server already acted, and delays. Requests pass through byte for byte, so SigV4 signatures stay valid.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Fault =
  /** Reply with an S3 XML error without forwarding. */
  | { kind: 'error'; status: number; code: string }
  /** Close the connection without any reply, without forwarding. */
  | { kind: 'drop' }
  /** Forward, send the reply's headers and about half its body, then close the connection. */
  | { kind: 'dropMidBody' }
  /** Forward (so the server acts), then close the connection instead of replying. */
  | { kind: 'loseReply' }
  /** Wait, then forward normally. */
  | { kind: 'delay'; ms: number };

export const SLOW_DOWN: Fault = { kind: 'error', status: 503, code: 'SlowDown' };
export const INTERNAL_ERROR: Fault = { kind: 'error', status: 500, code: 'InternalError' };
export const TOO_MANY_REQUESTS: Fault = { kind: 'error', status: 429, code: 'TooManyRequests' };

export interface FaultRule {
  fault: Fault;
  /** How many matching requests get the fault. Default 1; `Infinity` for a fault that never clears. */
  times?: number;
  /** Only requests with this method. */
  method?: string;
  /** Only requests whose path and query match. */
  url?: RegExp;
}

export interface ProxiedRequest {
  method: string;
  url: string;
  fault: Fault['kind'] | undefined;
}

export interface FaultProxy {
  endpoint: string;
  /** Every request seen, in arrival order. */
  readonly requests: ProxiedRequest[];
  inject(rule: FaultRule): void;
  clear(): void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /**
   * Answer a write with `If-None-Match: *` (PUT, or multipart completion) for an existing object with 412 (HEAD first, so not atomic), to stand in
   * for a server with conditional writes, which s3rver lacks.
   */
  conditionalPuts?: boolean;
}

export async function startFaultProxy(upstream: string, { conditionalPuts = false }: FaultProxyOptions = {}): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: Required<FaultRule>[] = [];
  const requests: ProxiedRequest[] = [];

  const takeFault = (req: IncomingMessage): Fault | undefined => {
    const rule = rules.find((r) => r.times > 0 && (r.method === '' || r.method === req.method) && r.url.test(req.url ?? ''));
    if (rule === undefined) return undefined;
    rule.times--;
    return rule.fault;
  };

  const forward = (req: IncomingMessage, body: Buffer): Promise<IncomingMessage> =>
    send({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers }, body);
  const send = (options: { method: string; path: string; headers: IncomingMessage['headers'] }, body?: Buffer): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const upstreamReq = httpRequest({ host: target.hostname, port: target.port, ...options }, resolve);
      upstreamReq.once('error', reject);
      upstreamReq.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const fault = takeFault(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', fault: fault?.kind });

    if (fault?.kind === 'error') {
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>injected ${fault.code}</Message><RequestId>fault</RequestId></Error>`;
      res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
      res.end(xml);
      return;
    }
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (res.destroyed) return;

    // A whole-object PUT, or the POST that completes a multipart upload.
    const completesObject = (req.method === 'PUT') !== (req.url ?? '').includes('uploadId=');
    if (conditionalPuts && completesObject && req.headers['if-none-match'] === '*') {
      // Anonymous: the client's signature covers its own request, not this one.
      const objectPath = (req.url ?? '/').split('?')[0] ?? '/';
      const headReply = await send({ method: 'HEAD', path: objectPath, headers: { host: req.headers.host } });
      headReply.resume();
      if (headReply.statusCode === 200) {
        const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
        res.writeHead(412, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
        return;
      }
    }

    const reply = await forward(req, body);
    if (fault?.kind === 'loseReply') {
      reply.resume();
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.statusCode ?? 502, reply.headers);
    if (fault?.kind === 'dropMidBody') {
      const replyChunks: Buffer[] = [];
      for await (const chunk of reply) replyChunks.push(chunk as Buffer);
      const whole = Buffer.concat(replyChunks);
      res.write(whole.subarray(0, Math.floor(whole.byteLength / 2)));
      // Let the half reach the client before the connection goes.
      await sleep(20);
      req.socket.destroy();
      return;
    }
    reply.pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      req.socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    inject({ fault, times = 1, method = '', url = /(?:)/ }: FaultRule): void {
      rules.push({ fault, times, method, url });
    },
    clear(): void {
      rules.length = 0;
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => {
        resolve();
      }));
    },
  };
}
