/**
 * Parsers for every input that enters the domain. Each takes `unknown` (what arrived over the
 * wire) and returns a typed value or throws a ValidationError naming the field. GraphQL has
 * already checked types and enums on AppSync, but handlers are also reachable directly (tests,
 * other callers), so nothing is assumed. Free text (address fields, the decline reason) passes one
 * helper, `text`: no control characters, something visible required, stored NFC-normalised; ids
 * (store, payment, order) match `LIMITS.idPattern`, which admits only ASCII letters, digits, "-"
 * and "_". No input names a party: the customer, the store that decides and the driver come from
 * the caller's identity (domain/party.ts), so a caller cannot act as someone else by naming them.
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
  /** Ids we mint are UUIDs; ids from callers (store, payment) are opaque but bounded. */
  idPattern: /^[A-Za-z0-9_-]{1,64}$/,
  idempotencyKeyPattern: /^[A-Za-z0-9_-]{8,64}$/,
  /**
   * A new store's id: it names the store's queue (`<stack>-store-<id>`, at most 80 characters on
   * SQS) and its staff group (`store:<id>`), so it is shorter than other ids.
   */
  newStoreIdPattern: /^[A-Za-z0-9_-]{1,40}$/,
  maxStoreNameLength: 80,
  /** A user-pool username: Cognito's pattern (letters, marks, symbols, digits, punctuation), 1–128. */
  usernamePattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u,
} as const;

export interface PlaceOrderCommand {
  readonly storeId: string;
  readonly paymentId: string;
  readonly pies: readonly PieValue[];
  readonly deliveryAddress: AddressValue;
  readonly idempotencyKey: string;
}

/** The deciding store is the caller's (their staff group), not an input. */
export interface DecideOrderCommand {
  readonly orderId: string;
  readonly decision: Decision;
  readonly reason: string | null;
}

/** The driver is the caller, not an input. */
export interface PickupOrderCommand {
  readonly orderId: string;
}

/** Only the driver who picked the order up (the caller) may complete it. */
export interface CompleteDeliveryCommand {
  readonly orderId: string;
}

export interface CancelOrderCommand {
  readonly orderId: string;
}

/** An operator onboards a store; without `storeId` one is generated. */
export interface CreateStoreCommand {
  readonly storeId: string | null;
  readonly name: string;
  readonly coordinates: CoordinatesValue;
}

export interface SetStoreOpenCommand {
  readonly storeId: string;
  readonly open: boolean;
}

export interface AssignStaffCommand {
  readonly storeId: string;
  readonly username: string;
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

/**
 * Unicode category Cc: C0 controls (U+0000–U+001F, tab and newline included), DEL and C1 controls
 * (U+007F–U+009F). Refused in every text field: all are single-line, the decline reason too.
 */
const CONTROL_CHARACTER = /\p{Cc}/u;
/**
 * A character that shows nothing: whitespace, a format character (category Cf: U+200B–U+200F,
 * U+2060, U+FEFF, U+00AD, …), any other default-ignorable code point (Hangul fillers U+115F,
 * U+1160, U+3164, U+FFA0; variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF; the combining
 * grapheme joiner U+034F; …), or the blank braille pattern U+2800, which is visible by category
 * (So) but draws nothing.
 */
const BLANK = /^[\s\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]$/u;
/** Something that shows: any character but a BLANK one. */
const VISIBLE = /[^\s\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;
/**
 * Blank characters that belong to the visible character before them, kept at the end of a text:
 * nonspacing marks (a variation selector picks ❤️ over ❤, U+034F, …) and the tag characters that
 * close an emoji tag sequence (a subdivision flag).
 */
const MODIFIES_PREVIOUS = /^[\p{Mn}\u{E0020}-\u{E007F}]$/u;

/**
 * `value` without BLANK characters at either end (MODIFIES_PREVIOUS ones kept at the end). One
 * pass over its code points: an anchored regex would rescan a long blank run once per start
 * position, quadratic in the length of an input that is only refused after trimming.
 */
function trimBlank(value: string): string {
  const chars = [...value];
  let start = 0;
  while (start < chars.length && BLANK.test(chars[start]!)) start += 1;
  let end = chars.length;
  while (end > start && BLANK.test(chars[end - 1]!) && !MODIFIES_PREVIOUS.test(chars[end - 1]!)) end -= 1;
  return start === 0 && end === chars.length ? value : chars.slice(start, end).join('');
}

const codePoint = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

interface TextOptions {
  /** @default LIMITS.maxTextLength, in UTF-16 code units after normalisation and trimming */
  readonly max?: number;
  /** Absent, null or blank (nothing visible) is `null` instead of an error. @default false */
  readonly optional?: boolean;
}

/**
 * Every free-text input goes through here. Refuses non-strings and control characters; stores the
 * text NFC-normalised (so one visible text has one stored form) with blank characters (BLANK)
 * trimmed from both ends; requires something visible once they are removed (a street of only
 * zero-width characters, Hangul fillers or blank braille is empty).
 */
function text(value: unknown, field: string, options: TextOptions & { optional: true }): string | null;
function text(value: unknown, field: string, options?: TextOptions): string;
function text(value: unknown, field: string, { max = LIMITS.maxTextLength, optional = false }: TextOptions = {}): string | null {
  if (optional && (value === undefined || value === null)) return null;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const control = CONTROL_CHARACTER.exec(value);
  if (control !== null) throw new ValidationError(field, `must not contain control characters (found ${codePoint(control[0])})`);
  const normalized = trimBlank(value.normalize('NFC'));
  if (!VISIBLE.test(normalized)) {
    if (optional) return null;
    throw new ValidationError(field, 'must not be empty');
  }
  if (normalized.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
  return normalized;
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
    postalCode: text(o.postalCode, `${field}.postalCode`, { max: 16 }),
    province: text(o.province, `${field}.province`, { max: 64 }),
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
  // An optional reason left blank (nothing visible) is no reason.
  const reason = text(o.reason, 'reason', { max: LIMITS.maxReasonLength, optional: true });
  return { orderId: id(o.orderId, 'orderId'), decision, reason };
}

/** `{ orderId }`: the input of every mutation whose party comes from the caller alone. */
function parseOrderOnly(value: unknown): { orderId: string } {
  const o = object(value, 'input');
  return { orderId: id(o.orderId, 'orderId') };
}

export function parsePickupOrder(value: unknown): PickupOrderCommand {
  return parseOrderOnly(value);
}

export function parseCompleteDelivery(value: unknown): CompleteDeliveryCommand {
  return parseOrderOnly(value);
}

export function parseCancelOrder(value: unknown): CancelOrderCommand {
  return parseOrderOnly(value);
}

export function parseOrderId(value: unknown): string {
  return id(value, 'orderId');
}

export function parseCreateStore(value: unknown): CreateStoreCommand {
  const o = object(value, 'input');
  let storeId: string | null = null;
  if (o.storeId !== undefined && o.storeId !== null) {
    if (typeof o.storeId !== 'string' || !LIMITS.newStoreIdPattern.test(o.storeId)) {
      throw new ValidationError('storeId', 'must be 1–40 characters of letters, digits, "-" or "_"');
    }
    storeId = o.storeId;
  }
  return {
    storeId,
    name: text(o.name, 'name', { max: LIMITS.maxStoreNameLength }),
    coordinates: parseCoordinates(o.coordinates, 'coordinates'),
  };
}

export function parseSetStoreOpen(value: unknown): SetStoreOpenCommand {
  const o = object(value, 'input');
  if (typeof o.open !== 'boolean') throw new ValidationError('open', 'must be true or false');
  return { storeId: id(o.storeId, 'storeId'), open: o.open };
}

export function parseAssignStaff(value: unknown): AssignStaffCommand {
  const o = object(value, 'input');
  if (typeof o.username !== 'string' || !LIMITS.usernamePattern.test(o.username)) {
    throw new ValidationError('username', 'must be a user-pool username (1–128 characters, no spaces or control characters)');
  }
  return { storeId: id(o.storeId, 'storeId'), username: o.username };
}
