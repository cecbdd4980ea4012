/**
 * The order model and its lifecycle. Pure: no AWS SDK, no I/O. The workflow and the
 * mutation handlers apply these rules; DynamoDB conditions are derived from them so that
 * every status change is one guarded, atomic write.
 */
import {
  OrderFieldNames,
  type Address,
  type CancellationReason,
  type DeliveryStep,
  type EstimateSource,
  type Order,
  type OrderStatus,
  type Pie,
} from '../generated/graphql.js';

import type { PlaceOrderCommand } from './validation.js';

export type { Address, CancellationReason, DeliveryStep, EstimateSource, Order, OrderStatus, Pie };

/**
 * What is stored for an order: every field of the GraphQL `Order` (so a new schema field is a new
 * record field) plus the backend-only fields, each listed in `BACKEND_ONLY_ORDER_FIELDS`.
 */
export interface OrderRecord extends Omit<Order, '__typename' | 'pies' | 'deliveryAddress' | 'deliverySteps'> {
  readonly pies: readonly PieValue[];
  readonly deliveryAddress: AddressValue;
  readonly deliverySteps: readonly DeliveryStepValue[] | null;
  /** Capability to resume the workflow's store-decision wait. Never leaves the backend. */
  readonly storeTaskToken?: string;
  /** Capability to resume the workflow's pickup wait. Never leaves the backend. */
  readonly driverTaskToken?: string;
  /** Capability to resume the workflow's delivery wait. Never leaves the backend. */
  readonly deliveryTaskToken?: string;
  readonly idempotencyKey: string;
}

export type PieValue = Omit<Pie, '__typename'>;
export type DeliveryStepValue = Omit<DeliveryStep, '__typename'>;
export interface AddressValue extends Omit<Address, '__typename' | 'coordinates'> {
  readonly coordinates: CoordinatesValue;
}
export interface CoordinatesValue {
  readonly latitude: number;
  readonly longitude: number;
}

/** The actions that change an order's status, and the statuses each may start from. */
export const TRANSITIONS = {
  accept: { from: ['PLACED'], to: 'ACCEPTED' },
  decline: { from: ['PLACED'], to: 'DECLINED' },
  cancel: { from: ['PLACED'], to: 'CANCELLED' },
  storeTimeout: { from: ['PLACED'], to: 'CANCELLED' },
  pickup: { from: ['ACCEPTED'], to: 'OUT_FOR_DELIVERY' },
  pickupTimeout: { from: ['ACCEPTED'], to: 'CANCELLED' },
  deliver: { from: ['OUT_FOR_DELIVERY'], to: 'DELIVERED' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;

export type OrderAction = keyof typeof TRANSITIONS;

/** Who a new order is: its id (we mint it) and its customer (the caller's user id, never an input). */
export interface NewOrderIds {
  readonly orderId: string;
  readonly customerId: string;
}

/** What a new order looks like: PLACED, version 1, nothing else happened yet. */
export function newOrder(command: PlaceOrderCommand, { orderId, customerId }: NewOrderIds, now: Date): OrderRecord {
  const at = now.toISOString();
  return {
    orderId,
    customerId,
    storeId: command.storeId,
    paymentId: command.paymentId,
    pies: command.pies,
    deliveryAddress: command.deliveryAddress,
    status: 'PLACED',
    version: 1,
    createdAt: at,
    updatedAt: at,
    acceptedAt: null,
    declinedAt: null,
    declineReason: null,
    dispatchEstimatedAt: null,
    driverId: null,
    pickedUpAt: null,
    deliveryEstimatedAt: null,
    deliveredAt: null,
    deliverySteps: null,
    estimateSource: null,
    cancelledAt: null,
    cancellationReason: null,
    idempotencyKey: command.idempotencyKey,
  };
}

/** Past-tense wording for error messages ("cannot be accepted"). */
const ACTION_WORDING: Record<OrderAction, string> = {
  accept: 'accepted',
  decline: 'declined',
  cancel: 'cancelled',
  storeTimeout: 'timed out waiting for the store',
  pickup: 'picked up',
  pickupTimeout: 'timed out waiting for a driver',
  deliver: 'delivered',
};

export function actionWording(action: OrderAction): string {
  return ACTION_WORDING[action];
}

export function canApply(status: OrderStatus, action: OrderAction): boolean {
  return (TRANSITIONS[action].from as readonly OrderStatus[]).includes(status);
}

/** Every status of the schema's `OrderStatus` enum, as data (a compile-time check keeps it whole). */
export const ORDER_STATUSES = [
  'PLACED',
  'ACCEPTED',
  'DECLINED',
  'OUT_FOR_DELIVERY',
  'DELIVERED',
  'CANCELLED',
] as const satisfies readonly OrderStatus[];

export const FINAL_STATUSES: readonly OrderStatus[] = ['DECLINED', 'DELIVERED', 'CANCELLED'];

/**
 * The stored fields that never leave the backend (not in the GraphQL type, not in alerts, not in
 * logs). The stream publisher, the Lambda mutations (through `toPublicOrder`) and the resolvers
 * that read orders (resolvers/lib/public-order.ts) drop exactly these.
 */
export const BACKEND_ONLY_ORDER_FIELDS = [
  'storeTaskToken',
  'driverTaskToken',
  'deliveryTaskToken',
  'idempotencyKey',
] as const satisfies readonly Exclude<keyof OrderRecord, keyof Order>[];

export type BackendOnlyField = (typeof BACKEND_ONLY_ORDER_FIELDS)[number];

/** The backend-only fields that hold a workflow task token (secrets: redacted from logs too). */
export type TaskTokenField = Extract<BackendOnlyField, `${string}TaskToken`>;

export const TASK_TOKEN_FIELDS: readonly TaskTokenField[] = BACKEND_ONLY_ORDER_FIELDS.filter((f): f is TaskTokenField =>
  f.endsWith('TaskToken'),
);

export type PublicOrder = Omit<OrderRecord, BackendOnlyField>;

/** Every field of the GraphQL `Order` type (generated from schema.graphql): the public order's keys. */
export const PUBLIC_ORDER_FIELDS: readonly (keyof PublicOrder)[] = OrderFieldNames;

// Compile-time checks: every stored field is a field of `Order` or listed as backend-only, and
// PUBLIC_ORDER_FIELDS names every key of PublicOrder.
type AssertNever<T extends never> = T;
type _EveryStoredFieldIsClassified = AssertNever<Exclude<keyof OrderRecord, keyof Order | BackendOnlyField>>;
type _EveryStatusIsListed = AssertNever<Exclude<OrderStatus, (typeof ORDER_STATUSES)[number]>>;
type _EveryPublicFieldIsListed = AssertNever<Exclude<keyof PublicOrder, (typeof OrderFieldNames)[number]>>;

/**
 * The public view of a stored order: exactly the fields of the GraphQL `Order` type, an absent
 * optional one as null. Nested values are shared with the record, not copied.
 */
export function toPublicOrder(record: OrderRecord): PublicOrder {
  const view: Partial<Record<keyof PublicOrder, unknown>> = {};
  for (const field of PUBLIC_ORDER_FIELDS) view[field] = record[field] ?? null;
  // Each key of PublicOrder was just copied from the record; the loop cannot tell TypeScript.
  return view as PublicOrder;
}

/** Minutes from acceptance until the store expects the order to leave. */
export const PREPARATION_MINUTES = 20;

export function dispatchEstimate(acceptedAt: Date): Date {
  return new Date(acceptedAt.getTime() + PREPARATION_MINUTES * 60_000);
}
