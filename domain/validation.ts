/**
 * Parsers for every input that enters the domain. Each takes `unknown` (what arrived over the
 * wire) and returns a typed value or throws a ValidationError naming the field. GraphQL has
 * already checked types and enums on AppSync, but handlers are also reachable directly (tests,
 * other callers), so nothing is assumed.
 */
import type { CheeseAmount, Decision, PieSize, Topping } from '../generated/graphql.js';
import { ValidationError } from './errors.js';
import type { AddressValue, CoordinatesValue, PieValue } from './order.js';

export const PIE_SIZES: readonly PieSize[] = ['SMALL', 'MEDIUM', 'LARGE'];
export const CHEESE_AMOUNTS: readonly CheeseAmount[] = ['SMALL', 'MEDIUM', 'LARGE'];
export const TOPPINGS: readonly Topping[] = [
  'PEPPERONI',
  'HAM',
  'ITALIAN_SAUSAGE',
  'BBQ_CHICKEN',
  'BACON',
  'GREEN_PEPPER',
  'MUSHROOM',
  'ONION',
  'OLIVE',
];
export const DECISIONS: readonly Decision[] = ['ACCEPT', 'DECLINE'];

/** Limits that keep an order sane and its DynamoDB item far below 400 KB. */
export const LIMITS = {
  maxPies: 20,
  maxToppingsPerPie: 9,
  maxTextLength: 200,
  maxReasonLength: 280,
  /** Ids we mint are ULIDs; ids from callers (store, driver, payment) are opaque but bounded. */
  idPattern: /^[A-Za-z0-9_-]{1,64}$/,
  idempotencyKeyPattern: /^[A-Za-z0-9_-]{8,64}$/,
} as const;

export interface PlaceOrderCommand {
  readonly storeId: string;
  readonly paymentId: string;
  readonly pies: readonly PieValue[];
  readonly deliveryAddress: AddressValue;
  readonly idempotencyKey: string;
}

export interface DecideOrderCommand {
  readonly orderId: string;
  readonly storeId: string;
  readonly decision: Decision;
  readonly reason: string | null;
}

export interface PickupOrderCommand {
  readonly orderId: string;
  readonly driverId: string;
}

export interface CompleteDeliveryCommand {
  readonly orderId: string;
  readonly driverId: string;
}

export interface CancelOrderCommand {
  readonly orderId: string;
}

type Obj = Readonly<Record<string, unknown>>;

function object(value: unknown, field: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Obj;
}

function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || !LIMITS.idPattern.test(value)) {
    throw new ValidationError(field, 'must be 1–64 characters of letters, digits, "-" or "_"');
  }
  return value;
}

function text(value: unknown, field: string, max: number = LIMITS.maxTextLength): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length === 0) throw new ValidationError(field, 'must not be empty');
  if (trimmed.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
  return trimmed;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function number(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(field, `must be a number from ${min} to ${max}`);
  }
  return value;
}

export function parseCoordinates(value: unknown, field = 'coordinates'): CoordinatesValue {
  const o = object(value, field);
  return {
    latitude: number(o.latitude, `${field}.latitude`, -90, 90),
    longitude: number(o.longitude, `${field}.longitude`, -180, 180),
  };
}

function parsePie(value: unknown, field: string): PieValue {
  const o = object(value, field);
  const toppings = o.toppings;
  if (!Array.isArray(toppings)) throw new ValidationError(`${field}.toppings`, 'must be a list');
  if (toppings.length > LIMITS.maxToppingsPerPie) {
    throw new ValidationError(`${field}.toppings`, `must have at most ${LIMITS.maxToppingsPerPie} toppings`);
  }
  const parsed = toppings.map((t, i) => oneOf(t, TOPPINGS, `${field}.toppings[${i}]`));
  if (new Set(parsed).size !== parsed.length) {
    throw new ValidationError(`${field}.toppings`, 'must not repeat a topping');
  }
  return {
    size: oneOf(o.size, PIE_SIZES, `${field}.size`),
    cheese: oneOf(o.cheese, CHEESE_AMOUNTS, `${field}.cheese`),
    toppings: parsed,
  };
}

function parseAddress(value: unknown, field: string): AddressValue {
  const o = object(value, field);
  return {
    coordinates: parseCoordinates(o.coordinates, `${field}.coordinates`),
    streetAddress: text(o.streetAddress, `${field}.streetAddress`),
    city: text(o.city, `${field}.city`),
    postalCode: text(o.postalCode, `${field}.postalCode`, 16),
    province: text(o.province, `${field}.province`, 64),
  };
}

export function parsePlaceOrder(value: unknown): PlaceOrderCommand {
  const o = object(value, 'input');
  const pies = o.pies;
  if (!Array.isArray(pies) || pies.length === 0) throw new ValidationError('pies', 'must have at least one pie');
  if (pies.length > LIMITS.maxPies) throw new ValidationError('pies', `must have at most ${LIMITS.maxPies} pies`);
  const key = o.idempotencyKey;
  if (typeof key !== 'string' || !LIMITS.idempotencyKeyPattern.test(key)) {
    throw new ValidationError('idempotencyKey', 'must be 8–64 characters of letters, digits, "-" or "_"');
  }
  return {
    storeId: id(o.storeId, 'storeId'),
    paymentId: id(o.paymentId, 'paymentId'),
    pies: pies.map((p, i) => parsePie(p, `pies[${i}]`)),
    deliveryAddress: parseAddress(o.deliveryAddress, 'deliveryAddress'),
    idempotencyKey: key,
  };
}

export function parseDecideOrder(value: unknown): DecideOrderCommand {
  const o = object(value, 'input');
  const decision = oneOf(o.decision, DECISIONS, 'decision');
  // An optional reason left blank is no reason.
  const blank = o.reason === undefined || o.reason === null || (typeof o.reason === 'string' && o.reason.trim() === '');
  const reason = blank ? null : text(o.reason, 'reason', LIMITS.maxReasonLength);
  return { orderId: id(o.orderId, 'orderId'), storeId: id(o.storeId, 'storeId'), decision, reason };
}

function parseOrderAndDriver(value: unknown): { orderId: string; driverId: string } {
  const o = object(value, 'input');
  return { orderId: id(o.orderId, 'orderId'), driverId: id(o.driverId, 'driverId') };
}

export function parsePickupOrder(value: unknown): PickupOrderCommand {
  return parseOrderAndDriver(value);
}

export function parseCompleteDelivery(value: unknown): CompleteDeliveryCommand {
  return parseOrderAndDriver(value);
}

export function parseCancelOrder(value: unknown): CancelOrderCommand {
  const o = object(value, 'input');
  return { orderId: id(o.orderId, 'orderId') };
}

export function parseOrderId(value: unknown): string {
  return id(value, 'orderId');
}
