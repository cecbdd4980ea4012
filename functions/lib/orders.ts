/**
 * Orders in DynamoDB. Every status change is one UpdateItem whose condition is derived from
 * the domain's TRANSITIONS and from the acting party (domain/party.ts), so concurrent requests
 * (two stores, two drivers, a retry) cannot both win and nobody changes another party's order:
 * the loser gets a typed error and the item is unchanged.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConflictError, InvalidTransitionError, NotFoundError, orderNotYoursError } from '../../domain/errors.js';
import { TRANSITIONS, actionWording, type OrderAction, type OrderRecord, type TaskTokenField } from '../../domain/order.js';
import { maySee, ownerOf, type Party } from '../../domain/party.js';
import { parseOrderRecord, toStoredItem } from './order-record.js';

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
  /**
   * Who acts. The write also requires the order to be the party's own (`ownerOf`: its customer,
   * its store, its driver), unless `offered`; a refused write is explained from what this party
   * may see (`maySee`).
   */
  readonly party: Party;
  /**
   * The order is offered to every party of this kind, so it need not be theirs yet: a pickup (any
   * driver may take an ACCEPTED order, which then becomes theirs). @default false
   */
  readonly offered?: boolean;
  readonly now: Date;
}

/**
 * The key of an idempotency record: the customer's id and their key. Scoped per customer, so a
 * key another customer happens to reuse neither returns nor reveals your order. Unambiguous: an
 * idempotency key has no "#" (LIMITS.idempotencyKeyPattern).
 */
export function idempotencyRecordKey(customerId: string, idempotencyKey: string): string {
  return `${customerId}#${idempotencyKey}`;
}

/** Attributes to set on an order at `now`, beside what a write sets anyway. */
export interface AttributeChange {
  readonly set: Readonly<Record<string, unknown>>;
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

/** A condition on another item, checked in the transaction that writes a new order (a DynamoDB ConditionCheck). */
export interface WritePrecondition {
  readonly TableName: string;
  readonly Key: Record<string, unknown>;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/** The order was not written because its WritePrecondition did not hold (and its key was not taken). */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
}

/** The positions of a new order's transaction (see createIdempotent), for its cancellation reasons. */
const KEY_ITEM = 0;
const PRECONDITION_ITEM = 2;

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
   * Writes a new order and its idempotency key (scoped to the order's customer:
   * `idempotencyRecordKey`) in one transaction, if `precondition` holds. When that customer's key
   * exists, returns the order it names (`created: false`) if the request is the same, else
   * IdempotencyConflict: a retry gets its order even if the precondition no longer holds.
   * Otherwise, a precondition that does not hold throws PreconditionFailedError.
   */
  async createIdempotent(
    record: OrderRecord,
    requestHash: string,
    precondition?: WritePrecondition,
    attempt = 1,
  ): Promise<{ record: OrderRecord; created: boolean }> {
    const idempotencyTable = this.tables.idempotency;
    if (idempotencyTable === undefined) throw new Error('OrderRepository needs the idempotency table to create orders');
    const key = idempotencyRecordKey(record.customerId, record.idempotencyKey);
    const expiresAt = Math.floor(new Date(record.createdAt).getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: idempotencyTable,
                Item: { idempotencyKey: key, customerId: record.customerId, orderId: record.orderId, requestHash, expiresAt },
                ConditionExpression: 'attribute_not_exists(idempotencyKey)',
              },
            },
            {
              Put: {
                TableName: this.tables.orders,
                Item: toStoredItem(record),
                ConditionExpression: 'attribute_not_exists(orderId)',
              },
            },
            ...(precondition === undefined ? [] : [{ ConditionCheck: precondition }]),
          ],
        }),
      );
      return { record, created: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = (i: number) => error.CancellationReasons?.[i]?.Code === 'ConditionalCheckFailed';
      if (failed(PRECONDITION_ITEM) && !failed(KEY_ITEM))
        throw new PreconditionFailedError('the order was not written: its precondition failed');
      const existing = await this.doc.send(
        new GetCommand({ TableName: idempotencyTable, Key: { idempotencyKey: key }, ConsistentRead: true }),
      );
      const item = existing.Item;
      // Cancelled by a concurrent transaction that has not committed yet: try again.
      if (item === undefined) {
        if (attempt >= 3) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
        return this.createIdempotent(record, requestHash, precondition, attempt + 1);
      }
      if (item.requestHash !== requestHash || typeof item.orderId !== 'string') {
        throw new IdempotencyConflictError(record.idempotencyKey);
      }
      const order = await this.get(item.orderId);
      if (order === null) throw new NotFoundError('order', item.orderId);
      // Cannot differ (the key and the hash hold the customer); checked so no path returns another's order.
      if (order.customerId !== record.customerId) throw new IdempotencyConflictError(record.idempotencyKey);
      return { record: order, created: false };
    }
  }

  /**
   * Applies `action` for `change.party` if the order's status allows it and the order is the
   * party's (see TransitionChange), atomically. Otherwise nothing is written and the error depends
   * only on what the party may see: a missing order and one the party may not see get the same
   * Unauthorized error (nothing leaks); an order it may see, in the wrong status, InvalidTransition.
   */
  async transition(orderId: string, action: OrderAction, change: TransitionChange): Promise<OrderRecord> {
    const { party } = change;
    const owner = ownerOf(party);
    // Operators and `none` own no order and change none: refused before DynamoDB is touched (the
    // handlers refuse them first; this keeps the repository safe on its own).
    if (owner === null) throw orderNotYoursError(orderId);
    const { from, to } = TRANSITIONS[action];
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    const fromPlaceholders = from.map((status, i) => {
      values[`:from${i}`] = status;
      return `:from${i}`;
    });
    let condition = `#status IN (${fromPlaceholders.join(', ')})`;
    if (change.offered !== true) {
      names['#owner'] = owner.attribute;
      values[':owner'] = owner.value;
      condition += ' AND #owner = :owner';
    }
    return this.guardedUpdate(orderId, { ...change.set, status: to }, change.now, { condition, names, values }, (current) =>
      current === null || !maySee(party, current)
        ? orderNotYoursError(orderId)
        : new InvalidTransitionError(orderId, current.status, actionWording(action)),
    );
  }

  /**
   * Stores a workflow task token on the order if it is still in `expectedStatus`, and returns the
   * order (`stored: true`, as written: the caller alerts from it without reading it again), or,
   * when it has already moved on, the order as it is (`stored: false`: the caller then resumes
   * the workflow itself, because the mutation that moved it found no token to use).
   *
   * With `change`, its attributes are set in the same write (with `updatedAt` and `version + 1`:
   * subscribers see them as a version of their own); a token alone is a backend-only change and
   * keeps the version.
   */
  async attachTaskToken(
    orderId: string,
    attribute: TaskTokenField,
    token: string,
    expectedStatus: OrderRecord['status'],
    change?: AttributeChange,
  ): Promise<{ stored: boolean; order: OrderRecord }> {
    const { names, values, sets } = change === undefined ? { names: {}, values: {}, sets: [] } : changeExpression(change.set, change.now);
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.orders,
          Key: { orderId },
          UpdateExpression: `SET ${['#token = :token', ...sets].join(', ')}`,
          ConditionExpression: 'attribute_exists(orderId) AND #status = :expected',
          ExpressionAttributeNames: { ...names, '#token': attribute, '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':token': token, ':expected': expectedStatus },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { stored: true, order: parseOrderRecord(out.Attributes) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = await this.get(orderId);
      if (current === null) throw new NotFoundError('order', orderId);
      return { stored: false, order: current };
    }
  }

  /**
   * One conditional UpdateItem: sets `set` (+ updatedAt, version + 1) when the order exists and
   * `guard.condition` holds. Otherwise nothing is written and `refused` makes the error from the
   * order as it is now (null when there is none).
   */
  private async guardedUpdate(
    orderId: string,
    set: Readonly<Record<string, unknown>>,
    now: Date,
    guard: { condition: string; names: Record<string, string>; values: Record<string, unknown> },
    refused: (current: OrderRecord | null) => Error,
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
      throw refused(await this.get(orderId));
    }
  }
}
