/**
 * An order item as read from DynamoDB, without the backend-only attributes (task tokens, the
 * idempotency key). GraphQL would not return them anyway, but the resolver result also reaches
 * logs and subscription payloads, so they are dropped at the first step.
 */
export function publicOrder(item: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!item) return null;
  const { storeTaskToken: _s, driverTaskToken: _d, deliveryTaskToken: _t, idempotencyKey: _k, ...order } = item;
  return order;
}
