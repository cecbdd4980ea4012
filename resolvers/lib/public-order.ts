/**
 * An order item as read from DynamoDB, without the backend-only attributes (task tokens, the
 * idempotency key: the domain's BACKEND_ONLY_ORDER_FIELDS). GraphQL would not return them anyway,
 * but the resolver result also reaches logs and subscription payloads, so they are dropped at the
 * first step. esbuild bundles the domain's list into the resolver code (it is a plain array).
 */
import { BACKEND_ONLY_ORDER_FIELDS } from '../../domain/order.js';

export function publicOrder(item: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!item) return null;
  const backendOnly: readonly string[] = BACKEND_ONLY_ORDER_FIELDS;
  const order: Record<string, unknown> = {};
  for (const key of Object.keys(item)) {
    // indexOf, not includes: APPSYNC_JS documents no Array.prototype.includes.
    if (backendOnly.indexOf(key) === -1) order[key] = item[key];
  }
  return order;
}
