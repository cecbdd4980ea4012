/**
 * What a FieldResolver's outcome means for its field: the value, the field's error (the last
 * error of a null result), the other errors listed beside the value, and the `extensions` the
 * APPSYNC_JS runtime adds (subscription filters, invalidations). A resolver that throws or
 * returns no outcome is a bug: logged, and answered as an InternalFailure.
 */
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { AppSyncFieldError, ResolverOutcome } from '../types.js';
import { ResolverFieldError } from './errors.js';
import { parseSubscriptionFilter, type SubscriptionFilter } from './subscriptions.js';

/** errorType of a field whose FieldResolver threw instead of returning an outcome (a bug). */
export const INTERNAL_ERROR_TYPE = 'InternalFailure';

export interface Invalidation {
  readonly subscriptionField: string;
  readonly payload: unknown;
}

export interface OutcomeExtensions {
  readonly filter: SubscriptionFilter | null;
  readonly invalidationFilter: SubscriptionFilter | null;
  readonly invalidations: Invalidation[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Runs `call` (which builds the invocation and calls the resolver) and checks its outcome.
 * @param field `Type.field`, for the log line
 */
export async function callResolver(
  call: () => Promise<unknown>,
  field: string,
  fieldName: string,
  log: (line: string) => void,
): Promise<ResolverOutcome> {
  try {
    const outcome = await call();
    if (!isRecord(outcome) || !Array.isArray(outcome['errors'])) throw new TypeError('FieldResolver returned no { data, errors } outcome');
    return { ...outcome, data: outcome['data'], errors: (outcome['errors'] as unknown[]).map(fieldError) };
  } catch (err) {
    log(`${field} resolver failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return {
      data: null,
      errors: [{ message: `Internal failure while resolving ${fieldName}`, errorType: INTERNAL_ERROR_TYPE, errorInfo: null, data: null }],
    };
  }
}

/**
 * Turns an outcome into the field value; the last error of a null result is the field's error
 * (thrown), the others go to `extraErrors` with the field's path.
 */
export function settleOutcome(outcome: ResolverOutcome, info: GraphQLResolveInfo, extraErrors: GraphQLError[]): unknown {
  const errors = [...outcome.errors];
  const primary = outcome.data === null || outcome.data === undefined ? errors.pop() : undefined;
  for (const e of errors) {
    extraErrors.push(
      new GraphQLError(e.message, {
        nodes: info.fieldNodes,
        path: responsePathAsArray(info.path),
        originalError: new ResolverFieldError(e),
      }),
    );
  }
  if (primary) throw new ResolverFieldError(primary);
  return outcome.data ?? null;
}

/** Reads `extensions` that the APPSYNC_JS runtime adds to its outcome (not part of the shared contract). */
export function outcomeExtensions(outcome: unknown): OutcomeExtensions {
  const ext = isRecord(outcome) ? outcome['extensions'] : undefined;
  if (!isRecord(ext)) return { filter: null, invalidationFilter: null, invalidations: [] };
  const invalidations: Invalidation[] = [];
  if (Array.isArray(ext['invalidations'])) {
    for (const inv of ext['invalidations'] as unknown[]) {
      if (isRecord(inv) && typeof inv['subscriptionField'] === 'string') {
        invalidations.push({ subscriptionField: inv['subscriptionField'], payload: inv['payload'] ?? {} });
      }
    }
  }
  return {
    filter: parseSubscriptionFilter(ext['subscriptionFilter']),
    invalidationFilter: parseSubscriptionFilter(ext['subscriptionInvalidationFilter']),
    invalidations,
  };
}

function fieldError(e: unknown): AppSyncFieldError {
  if (isRecord(e) && typeof e['message'] === 'string') {
    return {
      message: e['message'],
      errorType: typeof e['errorType'] === 'string' ? e['errorType'] : null,
      errorInfo: e['errorInfo'] ?? null,
      data: e['data'] ?? null,
    };
  }
  return { message: 'Resolver returned a malformed error', errorType: INTERNAL_ERROR_TYPE, errorInfo: null, data: null };
}
