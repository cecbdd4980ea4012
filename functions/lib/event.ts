/**
 * The event the mutation resolvers send to their Lambda (resolvers/lib/lambda-mutation.ts builds
 * it): `{ field, input, caller }`, where `caller` is `callerOf(ctx.identity)` — the verified user's
 * `sub` and groups, or null for a request without a signed-in user. Parsed, never cast.
 */
import { ValidationError } from '../../domain/errors.js';
import type { Caller } from '../../domain/party.js';

export interface MutationEvent {
  readonly field: string;
  readonly input: unknown;
  /** Null when absent or malformed: no caller, so the handler's party is `none` and it refuses. */
  readonly caller: Caller | null;
}

/** `{ sub, groups }` with a non-empty string sub and a list of strings, else null (never a guess). */
export function parseCaller(value: unknown): Caller | null {
  if (typeof value !== 'object' || value === null) return null;
  if (!('sub' in value) || typeof value.sub !== 'string' || value.sub === '') return null;
  if (!('groups' in value) || !Array.isArray(value.groups)) return null;
  const listed: readonly unknown[] = value.groups;
  const groups: string[] = [];
  for (const group of listed) {
    if (typeof group !== 'string') return null;
    groups.push(group);
  }
  return { sub: value.sub, groups };
}

export function parseMutationEvent(event: unknown): MutationEvent {
  if (typeof event !== 'object' || event === null || !('input' in event)) {
    throw new ValidationError('input', 'is required');
  }
  const field = 'field' in event && typeof event.field === 'string' ? event.field : 'unknown';
  const caller = 'caller' in event ? parseCaller(event.caller) : null;
  return { field, input: event.input, caller };
}
