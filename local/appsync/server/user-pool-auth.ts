/**
 * Cognito user-pool tokens (AMAZON_COGNITO_USER_POOLS) verified as AppSync verifies them: RS256
 * signature against the pool's JWKS, `exp`/`nbf`, issuer, app client (`aud` of an id token,
 * `client_id` of an access token) and `token_use` (id or access). Transport-free: the caller
 * maps a refusal to AppSync's 401 `UnauthorizedException` (see errors.ts `unauthorizedBody`).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { UserPoolIdentity } from '../types.js';
import { LruMap } from './lru.js';

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

type SignatureResult =
  | { readonly ok: true; readonly kid: string; readonly key: KeyObject; readonly claims: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/** The claims of `token` when it is a compact RS256 JWS signed by its `kid`'s key; checks no claim. */
async function verifySignature(token: string, jwks: Jwks): Promise<SignatureResult> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return { ok: false, reason: 'token is not a compact JWS' };
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (!header || !claims) return { ok: false, reason: 'token header or payload is not JSON' };
  if (header['alg'] !== 'RS256') return { ok: false, reason: `token alg ${String(header['alg'])} is not RS256` };
  const kid = header['kid'];
  if (typeof kid !== 'string') return { ok: false, reason: 'token has no kid' };
  const key = await jwks.key(kid);
  if (!key) return { ok: false, reason: `no JWKS key with kid ${kid}` };
  const signed = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
  if (!verify('RSA-SHA256', signed, key, Buffer.from(signaturePart, 'base64url')))
    return { ok: false, reason: 'token signature is invalid' };
  return { ok: true, kid, key, claims };
}

/** Expiry, issuer, app client and `token_use` of signed claims: checked on every request, cached or not. */
function checkClaims(claims: Record<string, unknown>, options: Omit<VerifyUserPoolTokenOptions, 'jwks'>): UserPoolResult {
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

/** Verifies one token; every refusal carries the reason for the server log, never for the client. */
export async function verifyUserPoolToken(token: string, options: VerifyUserPoolTokenOptions): Promise<UserPoolResult> {
  const signature = await verifySignature(token.trim(), options.jwks);
  return signature.ok ? checkClaims(signature.claims, options) : signature;
}

/** Tokens whose signature a verifier remembers (each until its `exp`). @default 1000 */
export const VERIFIED_TOKEN_CACHE_ENTRIES = 1000;

/**
 * `verifyUserPoolToken` remembering signatures that verified, by token text: a client sends the
 * same token for an hour, and checking its RS256 signature costs more than most requests. Only
 * the signature is remembered: the claims (expiry, issuer, app client, token_use) are checked on
 * every call, a failed signature is never kept, and a kept token counts only while the JWKS
 * still answers its `kid` with the key that verified it. Kept claims are never handed out
 * themselves (each identity gets a copy), so no request sees another's changes.
 */
export function cachingTokenVerifier(jwks: Jwks, maxEntries = VERIFIED_TOKEN_CACHE_ENTRIES): CachingTokenVerifier {
  const verified = new LruMap<string, { readonly kid: string; readonly key: KeyObject; readonly claims: Record<string, unknown> }>(
    maxEntries,
  );
  return {
    get size() {
      return verified.size;
    },
    async verify(token, options) {
      const text = token.trim();
      let signed = verified.get(text);
      if (signed !== undefined && (await jwks.key(signed.kid)) !== signed.key) {
        verified.delete(text);
        signed = undefined;
      }
      if (signed === undefined) {
        const result = await verifySignature(text, jwks);
        if (!result.ok) return result;
        signed = result;
        const exp = result.claims['exp'];
        // A token past its exp can never pass again: not worth a slot.
        if (typeof exp === 'number' && exp * 1000 > (options.now ?? Date.now())) verified.set(text, result);
      }
      const result = checkClaims(structuredClone(signed.claims), options);
      if (!result.ok && result.reason === 'token has expired') verified.delete(text);
      return result;
    },
  };
}

export interface CachingTokenVerifier {
  verify(token: string, options: Omit<VerifyUserPoolTokenOptions, 'jwks'>): Promise<UserPoolResult>;
  /** Tokens whose signature is remembered now. */
  readonly size: number;
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
  const tokens = cachingTokenVerifier(jwks);
  return {
    verify: (token, context) =>
      tokens.verify(token, {
        issuer: config.issuer,
        clientIds: config.clientIds,
        now: context.now,
        sourceIp: context.sourceIp,
        defaultAuthStrategy: config.defaultAuthStrategy,
      }),
  };
}
