/**
 * Orders in DynamoDB. Every status change is one UpdateItem whose condition is derived from
 * the domain's TRANSITIONS, so concurrent requests (two stores, two drivers, a retry) cannot
 * both win: the loser gets a typed error and the item is unchanged.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConflictError, InvalidTransitionError, NotFoundError, UnauthorizedError } from '../../domain/errors.js';
import { TRANSITIONS, actionWording, type OrderAction, type OrderRecord, type TaskTokenField } from '../../domain/order.js';
import { parseOrderRecord } from './order-record.js';

export interface OrderTables {
  readonly orders: string;
  /** Needed only to create orders. */
  readonly idempotency?: string;
}

/** How long an idempotency key is remembered. @default 24 h (seconds) */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface TransitionChange {
  /** Extra attributes to set with the new status (timestamps, reasons, driver). */
  readonly set?: Readonly<Record<string, unknown>>;
  /** The caller must own the order: its store (decisions) or its driver (delivery). */
  readonly owner?: { readonly attribute: 'storeId' | 'driverId'; readonly value: string };
  readonly now: Date;
}

/** SET clauses for a change: the given attributes, `updatedAt`, and `version + 1`. */
function changeExpression(set: Readonly<Record<string, unknown>>, now: Date) {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt', '#version': 'version' };
  const values: Record<string, unknown> = { ':now': now.toISOString(), ':one': 1 };
  const sets = ['#updatedAt = :now', '#version = #version + :one'];
  Object.entries(set).forEach(([key, value], i) => {
    names[`#s${i}`] = key;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  return { names, values, sets };
}

export class OrderRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: OrderTables,
  ) {}

  async get(orderId: string): Promise<OrderRecord | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tables.orders, Key: { orderId }, ConsistentRead: true }));
    return out.Item === undefined ? null : parseOrderRecord(out.Item);
  }

  /**
   * Writes a new order and its idempotency key in one transaction. When the key exists, returns
   * the order it names (`created: false`) if the request is the same, else IdempotencyConflict.
   */
  async createIdempotent(record: OrderRecord, requestHash: string, attempt = 1): Promise<{ record: OrderRecord; created: boolean }> {
    const idempotencyTable = this.tables.idempotency;
    if (idempotencyTable === undefined) throw new Error('OrderRepository needs the idempotency table to create orders');
    const expiresAt = Math.floor(new Date(record.createdAt).getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: idempotencyTable,
                Item: { idempotencyKey: record.idempotencyKey, orderId: record.orderId, requestHash, expiresAt },
                ConditionExpression: 'attribute_not_exists(idempotencyKey)',
              },
            },
            {
              Put: {
                TableName: this.tables.orders,
                Item: record,
                ConditionExpression: 'attribute_not_exists(orderId)',
              },
            },
          ],
        }),
      );
      return { record, created: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const existing = await this.doc.send(
        new GetCommand({ TableName: idempotencyTable, Key: { idempotencyKey: record.idempotencyKey }, ConsistentRead: true }),
      );
      const item = existing.Item;
      // Cancelled by a concurrent transaction that has not committed yet: try again.
      if (item === undefined) {
        if (attempt >= 3) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
        return this.createIdempotent(record, requestHash, attempt + 1);
      }
      if (item.requestHash !== requestHash || typeof item.orderId !== 'string') {
        throw new IdempotencyConflictError(record.idempotencyKey);
      }
      const order = await this.get(item.orderId);
      if (order === null) throw new NotFoundError('order', item.orderId);
      return { record: order, created: false };
    }
  }

  /**
   * Applies `action` if the order's status allows it, atomically. Throws NotFound,
   * Unauthorized (another store's or driver's order) or InvalidTransition, and then nothing
   * was written.
   */
  async transition(orderId: string, action: OrderAction, change: TransitionChange): Promise<OrderRecord> {
    const { from, to } = TRANSITIONS[action];
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    const fromPlaceholders = from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    let condition = `#status IN (${fromPlaceholders.join(', ')})`;
    const owner = change.owner;
    if (owner !== undefined) {
      names['#owner'] = owner.attribute;
      values[':owner'] = owner.value;
      condition += ' AND #owner = :owner';
    }
    return this.guardedUpdate(orderId, { ...change.set, status: to }, change.now, { condition, names, values }, (current) =>
      // Someone else's order (a different store or driver is on it) is Unauthorized; an order
      // with no owner of that kind yet (no driver before pickup) is simply not in that state.
      owner !== undefined && current[owner.attribute] != null && current[owner.attribute] !== owner.value
        ? new UnauthorizedError(`order ${orderId} belongs to another ${owner.attribute === 'storeId' ? 'store' : 'driver'}`)
        : new InvalidTransitionError(orderId, current.status, actionWording(action)),
    );
  }

  /**
   * Stores a workflow task token on the order if it is still in `expectedStatus`. Returns null
   * when stored, or the current order when it has already moved on (the caller then resumes
   * the workflow itself, because the mutation that moved it found no token to use).
   */
  async attachTaskToken(
    orderId: string,
    attribute: TaskTokenField,
    token: string,
    expectedStatus: OrderRecord['status'],
  ): Promise<OrderRecord | null> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.orders,
          Key: { orderId },
          UpdateExpression: 'SET #token = :token',
          ConditionExpression: 'attribute_exists(orderId) AND #status = :expected',
          ExpressionAttributeNames: { '#token': attribute, '#status': 'status' },
          ExpressionAttributeValues: { ':token': token, ':expected': expectedStatus },
        }),
      );
      return null;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(orderId);
      if (current === null) throw new NotFoundError('order', orderId);
      return current;
    }
  }

  /** Sets attributes on an order that is still in `expectedStatus` (e.g. the delivery ETA). */
  async update(
    orderId: string,
    set: Readonly<Record<string, unknown>>,
    expectedStatus: OrderRecord['status'],
    now: Date,
  ): Promise<OrderRecord> {
    const guard = { condition: '#status = :expected', names: { '#status': 'status' }, values: { ':expected': expectedStatus } };
    return this.guardedUpdate(orderId, set, now, guard, (current) => new InvalidTransitionError(orderId, current.status, 'updated'));
  }

  /**
   * One conditional UpdateItem: sets `set` (+ updatedAt, version + 1) when the order exists and
   * `guard.condition` holds. Otherwise nothing is written and the error comes from the order
   * as it is now (NotFound when there is none).
   */
  private async guardedUpdate(
    orderId: string,
    set: Readonly<Record<string, unknown>>,
    now: Date,
    guard: { condition: string; names: Record<string, string>; values: Record<string, unknown> },
    conflict: (current: OrderRecord) => Error,
  ): Promise<OrderRecord> {
    const { names, values, sets } = changeExpression(set, now);
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.orders,
          Key: { orderId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(orderId) AND ${guard.condition}`,
          ExpressionAttributeNames: { ...names, ...guard.names },
          ExpressionAttributeValues: { ...values, ...guard.values },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parseOrderRecord(out.Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(orderId);
      if (current === null) throw new NotFoundError('order', orderId);
      throw conflict(current);
    }
  }
}
