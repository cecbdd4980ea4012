/**
 * The server half of Cognito's SRP-6a variant (USER_SRP_AUTH → PASSWORD_VERIFIER), written
 * against what aws-amplify v6 sends and checks
 * (`@aws-amplify/auth/src/providers/cognito/utils/srp/`):
 *
 * - N: the 3072-bit MODP group of RFC 3526; g = 2; k = H(PAD(N) | PAD(g)).
 * - H is SHA-256 over bytes; PAD(x) is the even-length, sign-safe hex of Java's
 *   `BigInteger.toByteArray()` (a leading `00` when the top bit is set), hashed as bytes.
 * - x = H(PAD(salt) | hex(H(poolName | userId | ":" | password))), v = g^x mod N, where
 *   poolName is the part of the user pool id after `_` and userId is USER_ID_FOR_SRP.
 * - B = (k·v + g^b) mod N; u = H(PAD(A) | PAD(B)); S = (A·v^u)^b mod N.
 * - key = HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info = "Caldera Derived Key" | 0x01), 16 bytes.
 * - PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(key, poolName | userId | SECRET_BLOCK bytes | TIMESTAMP)).
 *
 * Pure and synchronous (node:crypto and BigInt); no state. The verifier doubles as the
 * password hash: USER_PASSWORD_AUTH recomputes v from the offered password and compares.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

const N = BigInt(`0x${N_HEX}`);
const g = 2n;
const k = hashHex(padHex(N) + padHex(g));
const HKDF_INFO = Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]);
const HEX = /^[0-9a-fA-F]+$/;

/** What is stored per user instead of a password: both hex (SALT as sent to clients, v). */
export interface SrpVerifier {
  readonly salt: string;
  readonly verifier: string;
}

/** The server's ephemeral values for one PASSWORD_VERIFIER challenge. */
export interface SrpServerSession {
  readonly b: bigint;
  readonly B: bigint;
}

/** Hex of a non-negative integer as Java's BigInteger.toByteArray() would encode it. */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

/** The pool "name" SRP mixes in: `us-east-1_AbC` → `AbC` (as Amplify derives it). */
export function poolNameOf(userPoolId: string): string {
  return userPoolId.split('_')[1] ?? '';
}

export function createVerifier(poolName: string, userId: string, password: string): SrpVerifier {
  const salt = padHex(BigInt(`0x${randomBytes(16).toString('hex')}`));
  return { salt, verifier: verifierFor(poolName, userId, password, salt).toString(16) };
}

/** Constant-time check of a password against a stored verifier. */
export function passwordMatches(poolName: string, userId: string, password: string, stored: SrpVerifier): boolean {
  const expected = Buffer.from(padHex(BigInt(`0x${stored.verifier}`)), 'hex');
  const actual = Buffer.from(padHex(verifierFor(poolName, userId, password, stored.salt)), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function startServerSession(stored: SrpVerifier): SrpServerSession {
  const v = BigInt(`0x${stored.verifier}`);
  for (;;) {
    const b = BigInt(`0x${randomBytes(32).toString('hex')}`);
    const B = (k * v + modPow(g, b, N)) % N;
    if (b !== 0n && B !== 0n) return { b, B };
  }
}

/** A fake B for an unknown user, so the challenge looks like any other (no user enumeration). */
export function decoyServerSession(): SrpServerSession {
  const b = BigInt(`0x${randomBytes(32).toString('hex')}`);
  return { b, B: modPow(g, b, N) };
}

/** Parses SRP_A (unpadded hex, as Amplify sends `A.toString(16)`); undefined when invalid. */
export function parseClientPublicValue(hex: string): bigint | undefined {
  if (!HEX.test(hex) || hex.length > 2048) return undefined;
  const A = BigInt(`0x${hex}`);
  return A % N === 0n ? undefined : A;
}

export interface PasswordClaim {
  readonly poolName: string;
  readonly userId: string;
  readonly stored: SrpVerifier;
  readonly A: bigint;
  readonly session: SrpServerSession;
  /** The SECRET_BLOCK as sent (base64). */
  readonly secretBlock: string;
  readonly timestamp: string;
  /** PASSWORD_CLAIM_SIGNATURE (base64). */
  readonly signature: string;
}

/** True when the client proved knowledge of the password behind `stored`. */
export function verifyPasswordClaim(claim: PasswordClaim): boolean {
  const { A, session } = claim;
  const v = BigInt(`0x${claim.stored.verifier}`);
  const u = hashHex(padHex(A) + padHex(session.B));
  if (u === 0n) return false;
  const S = modPow((A * modPow(v, u, N)) % N, session.b, N);
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex'))
    .update(Buffer.from(padHex(S), 'hex'))
    .digest();
  const key = createHmac('sha256', prk).update(HKDF_INFO).digest().subarray(0, 16);
  const expected = createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(claim.poolName + claim.userId, 'utf8'),
        Buffer.from(claim.secretBlock, 'base64'),
        Buffer.from(claim.timestamp, 'utf8'),
      ]),
    )
    .digest();
  const actual = Buffer.from(claim.signature, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function verifierFor(poolName: string, userId: string, password: string, salt: string): bigint {
  const inner = createHash('sha256').update(`${poolName}${userId}:${password}`, 'utf8').digest('hex');
  const x = hashHex(padHex(BigInt(`0x${salt}`)) + inner);
  return modPow(g, x, N);
}

function hashHex(hex: string): bigint {
  return BigInt(`0x${createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex')}`);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = ((base % modulus) + modulus) % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}
