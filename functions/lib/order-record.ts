/**
 * Reads an order item from DynamoDB. Items are written only by this code base (and the
 * workflow's guarded updates), so this checks the fields every reader relies on and fails
 * loudly on a malformed item instead of passing `undefined` along.
 */
import { ORDER_STATUSES, PUBLIC_ORDER_FIELDS, type OrderRecord } from '../../domain/order.js';

export class MalformedOrderError extends Error {
  override readonly name = 'MalformedOrderError';
}

export function parseOrderRecord(item: unknown): OrderRecord {
  if (typeof item !== 'object' || item === null) throw new MalformedOrderError('order item is missing');
  const o = item as Record<string, unknown>;
  for (const key of ['orderId', 'customerId', 'storeId', 'paymentId', 'createdAt', 'updatedAt', 'idempotencyKey'] as const) {
    if (typeof o[key] !== 'string') throw new MalformedOrderError(`order item has no string ${key}`);
  }
  if (typeof o.status !== 'string' || !(ORDER_STATUSES as readonly string[]).includes(o.status)) {
    throw new MalformedOrderError(`order ${String(o.orderId)} has an unknown status`);
  }
  if (typeof o.version !== 'number') throw new MalformedOrderError(`order ${String(o.orderId)} has no version`);
  if (!Array.isArray(o.pies) || typeof o.deliveryAddress !== 'object' || o.deliveryAddress === null) {
    throw new MalformedOrderError(`order ${String(o.orderId)} has no pies or address`);
  }
  // Absent means null: items are stored without null attributes (toStoredItem).
  const record: Record<string, unknown> = { ...o };
  for (const field of PUBLIC_ORDER_FIELDS) record[field] ??= null;
  return record as unknown as OrderRecord;
}

/**
 * The item to write for a record: its null attributes left out. DynamoDB refuses NULL as an
 * index key (acceptedAt is the byStatus index's sort key, null until a store accepts), and a
 * sparse index wants the attribute absent; parseOrderRecord reads absent as null.
 */
export function toStoredItem(record: OrderRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined));
}
