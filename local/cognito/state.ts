/**
 * What the local user pool keeps (and persists): users, refresh sessions, revoked sessions; and
 * validators for the persisted form.
 */
import { isRecord } from './protocol.js';
import type { SrpVerifier } from './srp.js';

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';

export interface StoredUser {
  readonly username: string;
  readonly sub: string;
  status: UserStatus;
  enabled: boolean;
  /** Attributes except `sub`; `email_verified` as the string "true"/"false", as Cognito keeps it. */
  attributes: Record<string, string>;
  groups: string[];
  password: SrpVerifier;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  updatedAt: number;
  confirmation?: { code: string; expiresAt: number } | undefined;
}

export interface StoredRefreshToken {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly username: string;
  readonly clientId: string;
  /** The `origin_jti` of every access and id token issued from this sign-in. */
  readonly originJti: string;
  /** Epoch seconds of the sign-in (`auth_time`, kept across refreshes). */
  readonly authTime: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** A signed-out sign-in whose access tokens may still be unexpired: GetUser etc. refuse them. */
export interface RevokedSession {
  readonly originJti: string;
  /** Epoch milliseconds after which no token of the session can be valid anyway. */
  readonly until: number;
}

/** A group users may join: given at start (`groups`) or created by CreateGroup. */
export interface StoredGroup {
  readonly groupName: string;
  readonly description?: string | undefined;
  readonly precedence?: number | undefined;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

export interface PoolState {
  readonly users: readonly StoredUser[];
  /** Groups created by CreateGroup (the `groups` option's are not persisted: they come with every start). */
  readonly groups: readonly StoredGroup[];
  readonly refreshTokens: readonly StoredRefreshToken[];
  readonly revoked: readonly RevokedSession[];
}

/** Validates one persisted user; undefined when malformed. */
export function parseStoredUser(raw: unknown): StoredUser | undefined {
  if (!isRecord(raw) || !isRecord(raw.attributes) || !isRecord(raw.password) || !Array.isArray(raw.groups)) return undefined;
  const { username, sub, status, enabled, createdAt, updatedAt, confirmation } = raw;
  if (typeof username !== 'string' || typeof sub !== 'string' || typeof enabled !== 'boolean') return undefined;
  if (status !== 'UNCONFIRMED' && status !== 'CONFIRMED' && status !== 'FORCE_CHANGE_PASSWORD') return undefined;
  if (typeof createdAt !== 'number' || typeof updatedAt !== 'number') return undefined;
  if (typeof raw.password.salt !== 'string' || typeof raw.password.verifier !== 'string') return undefined;
  if (!Object.values(raw.attributes).every((value) => typeof value === 'string')) return undefined;
  if (!raw.groups.every((group) => typeof group === 'string')) return undefined;
  let parsedConfirmation: StoredUser['confirmation'];
  if (confirmation !== undefined) {
    if (!isRecord(confirmation) || typeof confirmation.code !== 'string' || typeof confirmation.expiresAt !== 'number') return undefined;
    parsedConfirmation = { code: confirmation.code, expiresAt: confirmation.expiresAt };
  }
  return {
    username,
    sub,
    status,
    enabled,
    attributes: Object.fromEntries(Object.entries(raw.attributes).map(([name, value]) => [name, String(value)])),
    groups: raw.groups.map(String),
    password: { salt: raw.password.salt, verifier: raw.password.verifier },
    createdAt,
    updatedAt,
    confirmation: parsedConfirmation,
  };
}

export function parseStoredRefreshToken(raw: unknown): StoredRefreshToken | undefined {
  if (!isRecord(raw)) return undefined;
  const { tokenHash, username, clientId, originJti, authTime, expiresAt } = raw;
  if (typeof tokenHash !== 'string' || typeof username !== 'string' || typeof clientId !== 'string' || typeof originJti !== 'string')
    return undefined;
  if (typeof authTime !== 'number' || typeof expiresAt !== 'number') return undefined;
  return { tokenHash, username, clientId, originJti, authTime, expiresAt };
}

export function parseRevokedSession(raw: unknown): RevokedSession | undefined {
  if (!isRecord(raw) || typeof raw.originJti !== 'string' || typeof raw.until !== 'number') return undefined;
  return { originJti: raw.originJti, until: raw.until };
}

export function parseStoredGroup(raw: unknown): StoredGroup | undefined {
  if (!isRecord(raw) || typeof raw.groupName !== 'string' || typeof raw.createdAt !== 'number') return undefined;
  if (raw.description !== undefined && typeof raw.description !== 'string') return undefined;
  if (raw.precedence !== undefined && typeof raw.precedence !== 'number') return undefined;
  return { groupName: raw.groupName, description: raw.description, precedence: raw.precedence, createdAt: raw.createdAt };
}
