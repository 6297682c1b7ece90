/**
 * Service-account tokens: JWTs signed with HMAC-SHA256 under a key kept in the cluster directory, so tokens stay
 * valid across restarts of a cluster on the same directory. The claims are those of Kubernetes' bound tokens
 * (`sub`, `aud`, `exp`, `kubernetes.io.{namespace,serviceaccount,pod}`); checking that the ServiceAccount (and
 * pod) still exist is authenticate.ts's job.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asArray, asNumber, asRecord, asString } from '../json.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The audience the API server accepts (`--api-audiences` defaults to the issuer). */
export const API_AUDIENCE = ISSUER;
export const SIGNING_KEY_FILE = 'sa-signing.key';

export interface BoundObject {
  name: string;
  uid: string;
}

export interface TokenClaims {
  namespace: string;
  serviceAccount: BoundObject;
  pod?: BoundObject;
  audiences: string[];
  issuedAt: number;
  expiresAt: number;
  /** Extended tokens: when the kubelet should have replaced the token (seconds since the epoch). */
  warnAfter?: number;
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export class TokenSigner {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /** The signer of the cluster in `dir`: the key already there, else a new one. */
  static async forDirectory(dir: string): Promise<TokenSigner> {
    const path = join(dir, SIGNING_KEY_FILE);
    try {
      // `wx` creates the key only when there is none, so servers racing on a new directory agree on it.
      await writeFile(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return new TokenSigner(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64'));
  }

  sign(claims: TokenClaims): string {
    const payload = base64url(
      JSON.stringify({
        aud: claims.audiences,
        exp: claims.expiresAt,
        iat: claims.issuedAt,
        nbf: claims.issuedAt,
        iss: ISSUER,
        sub: `system:serviceaccount:${claims.namespace}:${claims.serviceAccount.name}`,
        'kubernetes.io': {
          namespace: claims.namespace,
          serviceaccount: claims.serviceAccount,
          ...(claims.pod === undefined ? {} : { pod: claims.pod }),
          ...(claims.warnAfter === undefined ? {} : { warnafter: claims.warnAfter }),
        },
      }),
    );
    return `${HEADER}.${payload}.${this.#mac(`${HEADER}.${payload}`)}`;
  }

  /** The claims of a token this signer made that is valid at `nowSeconds` for `audience`; `undefined` otherwise. */
  verify(token: string, nowSeconds: number, audience = API_AUDIENCE): TokenClaims | undefined {
    const [header, payload, signature, ...extra] = token.split('.');
    if (header !== HEADER || payload === undefined || signature === undefined || extra.length > 0) return undefined;
    const expected = Buffer.from(this.#mac(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const claims = parseClaims(raw);
    if (claims === undefined || asString(asRecord(raw)['iss']) !== ISSUER) return undefined;
    if (claims.issuedAt > nowSeconds + 60 || claims.expiresAt <= nowSeconds || !claims.audiences.includes(audience)) return undefined;
    return claims;
  }

  #mac(input: string): string {
    return createHmac('sha256', this.#key).update(input).digest('base64url');
  }
}

function boundObject(value: unknown): BoundObject | undefined {
  const name = asString(asRecord(value)['name']);
  const uid = asString(asRecord(value)['uid']);
  return name === undefined || uid === undefined ? undefined : { name, uid };
}

function parseClaims(raw: unknown): TokenClaims | undefined {
  const obj = asRecord(raw);
  const kube = asRecord(obj['kubernetes.io']);
  const namespace = asString(kube['namespace']);
  const serviceAccount = boundObject(kube['serviceaccount']);
  const issuedAt = asNumber(obj['iat']);
  const expiresAt = asNumber(obj['exp']);
  if (namespace === undefined || serviceAccount === undefined || issuedAt === undefined || expiresAt === undefined) return undefined;
  const pod = kube['pod'] === undefined ? undefined : boundObject(kube['pod']);
  const warnAfter = asNumber(kube['warnafter']);
  return {
    namespace,
    serviceAccount,
    ...(pod === undefined ? {} : { pod }),
    audiences: asArray(obj['aud']).filter((a): a is string => typeof a === 'string'),
    issuedAt,
    expiresAt,
    ...(warnAfter === undefined ? {} : { warnAfter }),
  };
}
