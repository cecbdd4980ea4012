/**
 * The event the mutation resolvers send to their Lambda (resolvers/lib/invoke.ts builds it):
 * `{ field, input }`. Parsed, never cast.
 */
import { ValidationError } from '../../domain/errors.js';

export interface MutationEvent {
  readonly field: string;
  readonly input: unknown;
}

export function parseMutationEvent(event: unknown): MutationEvent {
  if (typeof event !== 'object' || event === null || !('input' in event)) {
    throw new ValidationError('input', 'is required');
  }
  const field = 'field' in event && typeof event.field === 'string' ? event.field : 'unknown';
  return { field, input: event.input };
}
