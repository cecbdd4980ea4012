/**
 * RS256 JSON Web Tokens with node:crypto: the pool's signing key (generated, or kept in a PEM
 * file so a persistent stack signs with the same key after a restart), its JWKS entry, signing
 * and verification.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isRecord } from './protocol.js';

export interface PublicJwk {
  readonly kty: 'RSA';
  readonly alg: 'RS256';
  readonly use: 'sig';
  readonly kid: string;
  readonly n: string;
  readonly e: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: PublicJwk;
}

export type JwtPayload = Record<string, unknown>;

export class InvalidKeyFileError extends Error {
  override readonly name = 'InvalidKeyFileError';
  constructor(file: string, detail: string) {
    super(`the Cognito signing key file ${file} is not valid (${detail}); fix or delete it`);
  }
}

/**
 * The signing key: read from `file` (PKCS#8 PEM, RSA) when it exists, otherwise a new 2048-bit
 * key, written to `file` (mode 0600) when one is given.
 */
export async function loadOrCreateSigningKey(file?: string): Promise<SigningKey> {
  if (file !== undefined) {
    let pem: string | undefined;
    try {
      pem = await readFile(file, 'utf8');
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
    if (pem !== undefined) {
      let privateKey: KeyObject;
      try {
        privateKey = createPrivateKey(pem);
      } catch {
        throw new InvalidKeyFileError(file, 'not a PEM private key');
      }
      if (privateKey.asymmetricKeyType !== 'rsa') throw new InvalidKeyFileError(file, 'not an RSA key');
      return signingKeyOf(privateKey);
    }
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (file !== undefined) {
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await rename(temp, file);
  }
  return signingKeyOf(privateKey);
}

function signingKeyOf(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') throw new Error('the RSA public key has no modulus/exponent');
  // RFC 7638 thumbprint: stable across restarts for the same key.
  const kid = createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
  return { kid, privateKey, publicKey, jwk: { kty: 'RSA', alg: 'RS256', use: 'sig', kid, n, e } };
}

export function signJwt(key: SigningKey, payload: JwtPayload): string {
  const header = base64urlJson({ kid: key.kid, alg: 'RS256' });
  const body = base64urlJson(payload);
  const signature = sign('sha256', Buffer.from(`${header}.${body}`), key.privateKey).toString('base64url');
  return `${header}.${body}.${signature}`;
}

/** The payload when `token` is an RS256 JWT signed by `key`; undefined otherwise. Checks no claims. */
export function verifyJwtSignature(key: SigningKey, token: string): JwtPayload | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, body, signature] = parts as [string, string, string];
  const parsedHeader = parseBase64urlJson(header);
  if (parsedHeader?.alg !== 'RS256' || parsedHeader.kid !== key.kid) return undefined;
  if (!verify('sha256', Buffer.from(`${header}.${body}`), key.publicKey, Buffer.from(signature, 'base64url'))) return undefined;
  return parseBase64urlJson(body);
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function parseBase64urlJson(part: string): JwtPayload | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
