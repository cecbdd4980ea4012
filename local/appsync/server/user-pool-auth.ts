/**
 * Cognito user-pool tokens (AMAZON_COGNITO_USER_POOLS) verified as AppSync verifies them: RS256
 * signature against the pool's JWKS, `exp`/`nbf`, issuer, app client (`aud` of an id token,
 * `client_id` of an access token) and `token_use` (id or access). Transport-free: the caller
 * maps a refusal to AppSync's 401 `UnauthorizedException` (see errors.ts `unauthorizedBody`).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { UserPoolIdentity } from '../types.js';

export type UserPoolResult = { readonly ok: true; readonly identity: UserPoolIdentity } | { readonly ok: false; readonly reason: string };

/** The pool's signing keys by `kid`. */
export interface Jwks {
  /** The key for `kid`, or null when the pool has none (after one refetch). Never throws. */
  key(kid: string): Promise<KeyObject | null>;
}

export interface RemoteJwksOptions {
  readonly fetch?: typeof fetch;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A JWKS fetched from `uri` on first use and cached; an unknown `kid` triggers one refetch
 * (keys rotate), concurrent lookups share it. A failed fetch is not cached.
 */
export function remoteJwks(uri: string, options: RemoteJwksOptions = {}): Jwks {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let keys = new Map<string, KeyObject>();
  let inFlight: Promise<void> | null = null;

  async function load(): Promise<void> {
    const response = await fetchImpl(uri);
    if (!response.ok) throw new Error(`JWKS ${uri} answered HTTP ${response.status}`);
    const body: unknown = await response.json();
    if (!isRecord(body) || !Array.isArray(body['keys'])) throw new Error(`JWKS ${uri} has no keys array`);
    const next = new Map<string, KeyObject>();
    for (const jwk of body['keys']) {
      if (!isRecord(jwk) || jwk['kty'] !== 'RSA' || typeof jwk['kid'] !== 'string') continue;
      if (jwk['use'] !== undefined && jwk['use'] !== 'sig') continue;
      if (typeof jwk['n'] !== 'string' || typeof jwk['e'] !== 'string') continue;
      next.set(jwk['kid'], createPublicKey({ key: { kty: 'RSA', n: jwk['n'], e: jwk['e'] }, format: 'jwk' }));
    }
    keys = next;
  }

  function refresh(): Promise<void> {
    inFlight ??= load().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  return {
    async key(kid) {
      const cached = keys.get(kid);
      if (cached) return cached;
      try {
        await refresh();
      } catch {
        // An unreachable JWKS refuses the token (401), as an unknown key would; the next call retries.
        return null;
      }
      return keys.get(kid) ?? null;
    },
  };
}

export interface VerifyUserPoolTokenOptions {
  readonly jwks: Jwks;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>` on AWS; the local pool's URL offline. */
  readonly issuer: string;
  /** App clients whose tokens the API accepts (AppSync's `appIdClientRegex`, as a list). */
  readonly clientIds: readonly string[];
  /** Current time in ms since the epoch. @default Date.now() */
  readonly now?: number;
  /** Becomes `identity.sourceIp`. @default [] */
  readonly sourceIp?: readonly string[];
  /** The pool's default action, `identity.defaultAuthStrategy`. @default 'ALLOW' */
  readonly defaultAuthStrategy?: 'ALLOW' | 'DENY';
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Verifies one token; every refusal carries the reason for the server log, never for the client. */
export async function verifyUserPoolToken(token: string, options: VerifyUserPoolTokenOptions): Promise<UserPoolResult> {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return { ok: false, reason: 'token is not a compact JWS' };
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (!header || !claims) return { ok: false, reason: 'token header or payload is not JSON' };
  if (header['alg'] !== 'RS256') return { ok: false, reason: `token alg ${String(header['alg'])} is not RS256` };
  const kid = header['kid'];
  if (typeof kid !== 'string') return { ok: false, reason: 'token has no kid' };
  const key = await options.jwks.key(kid);
  if (!key) return { ok: false, reason: `no JWKS key with kid ${kid}` };
  const signed = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  if (!verify('RSA-SHA256', signed, key, Buffer.from(signaturePart, 'base64url')))
    return { ok: false, reason: 'token signature is invalid' };

  const nowSeconds = (options.now ?? Date.now()) / 1000;
  const exp = claims['exp'];
  if (typeof exp !== 'number') return { ok: false, reason: 'token has no exp' };
  if (nowSeconds >= exp) return { ok: false, reason: 'token has expired' };
  const nbf = claims['nbf'];
  if (nbf !== undefined && (typeof nbf !== 'number' || nowSeconds < nbf)) return { ok: false, reason: 'token is not valid yet' };
  if (claims['iss'] !== options.issuer) return { ok: false, reason: `token issuer ${String(claims['iss'])} is not ${options.issuer}` };

  const tokenUse = claims['token_use'];
  let client: unknown;
  let username: unknown;
  if (tokenUse === 'id') {
    client = claims['aud'];
    username = claims['cognito:username'];
  } else if (tokenUse === 'access') {
    client = claims['client_id'];
    username = claims['username'];
  } else {
    return { ok: false, reason: `token_use ${String(tokenUse)} is neither id nor access` };
  }
  if (typeof client !== 'string' || !options.clientIds.includes(client))
    return { ok: false, reason: `token client ${String(client)} is not accepted` };
  const sub = claims['sub'];
  if (typeof sub !== 'string' || typeof username !== 'string') return { ok: false, reason: 'token has no sub or username' };
  const groupsClaim = claims['cognito:groups'];
  const groups = Array.isArray(groupsClaim) ? groupsClaim.filter((g): g is string => typeof g === 'string') : null;

  return {
    ok: true,
    identity: {
      sub,
      issuer: options.issuer,
      username,
      claims,
      sourceIp: options.sourceIp ?? [],
      defaultAuthStrategy: options.defaultAuthStrategy ?? 'ALLOW',
      groups,
    },
  };
}

/** A user pool as the API is configured with it (AppSync's `userPoolConfig`). */
export interface UserPoolConfig {
  readonly issuer: string;
  readonly clientIds: readonly string[];
  /** @default `${issuer}/.well-known/jwks.json`, where Cognito publishes it */
  readonly jwksUri?: string;
  /** @default 'ALLOW' */
  readonly defaultAuthStrategy?: 'ALLOW' | 'DENY';
  /** Injected for tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** What `authenticate` needs from a configured pool: one JWKS cache for the server's lifetime. */
export interface UserPoolVerifier {
  verify(token: string, context: { readonly now: number; readonly sourceIp: readonly string[] }): Promise<UserPoolResult>;
}

export function userPoolVerifier(config: UserPoolConfig): UserPoolVerifier {
  const jwks = remoteJwks(config.jwksUri ?? `${config.issuer}/.well-known/jwks.json`, { fetch: config.fetch });
  return {
    verify: (token, context) =>
      verifyUserPoolToken(token, {
        jwks,
        issuer: config.issuer,
        clientIds: config.clientIds,
        now: context.now,
        sourceIp: context.sourceIp,
        defaultAuthStrategy: config.defaultAuthStrategy,
      }),
  };
}
