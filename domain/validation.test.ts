import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { parseCancelOrder, parseCompleteDelivery, parseDecideOrder, parsePickupOrder, parsePlaceOrder } from './validation.js';

function validInput(): Record<string, unknown> {
  return {
    storeId: 'ouudJiBWJd0HQUafMVLvX',
    paymentId: 'pay_123',
    pies: [{ size: 'LARGE', cheese: 'MEDIUM', toppings: ['PEPPERONI', 'MUSHROOM'] }],
    deliveryAddress: {
      coordinates: { latitude: 51.0447, longitude: -114.0719 },
      streetAddress: ' 100 8 Ave SW ',
      city: 'Calgary',
      postalCode: 'T2P 1B3',
      province: 'AB',
    },
    idempotencyKey: 'key-00000001',
  };
}

const withAddress = (patch: Record<string, unknown>) => ({
  ...validInput(),
  deliveryAddress: { ...(validInput().deliveryAddress as object), ...patch },
});

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parsePlaceOrder', () => {
  it('accepts a valid order and trims text', () => {
    const command = parsePlaceOrder(validInput());
    expect(command.deliveryAddress.streetAddress).toBe('100 8 Ave SW');
    expect(command.pies).toEqual([{ size: 'LARGE', cheese: 'MEDIUM', toppings: ['PEPPERONI', 'MUSHROOM'] }]);
  });

  it.each([
    ['no pies', { pies: [] }, 'pies'],
    ['too many pies', { pies: Array.from({ length: 21 }, () => ({ size: 'SMALL', cheese: 'SMALL', toppings: [] })) }, 'pies'],
    ['an unknown size', { pies: [{ size: 'HUGE', cheese: 'SMALL', toppings: [] }] }, 'pies[0].size'],
    ['an unknown topping', { pies: [{ size: 'SMALL', cheese: 'SMALL', toppings: ['PINEAPPLE'] }] }, 'pies[0].toppings[0]'],
    ['a repeated topping', { pies: [{ size: 'SMALL', cheese: 'SMALL', toppings: ['HAM', 'HAM'] }] }, 'pies[0].toppings'],
    [
      'a latitude out of range',
      { deliveryAddress: { ...(validInput().deliveryAddress as object), coordinates: { latitude: 91, longitude: 0 } } },
      'deliveryAddress.coordinates.latitude',
    ],
    [
      'a longitude that is not a number',
      { deliveryAddress: { ...(validInput().deliveryAddress as object), coordinates: { latitude: 0, longitude: Number.NaN } } },
      'deliveryAddress.coordinates.longitude',
    ],
    [
      'an empty street',
      { deliveryAddress: { ...(validInput().deliveryAddress as object), streetAddress: '   ' } },
      'deliveryAddress.streetAddress',
    ],
    [
      'an overlong city',
      { deliveryAddress: { ...(validInput().deliveryAddress as object), city: 'x'.repeat(201) } },
      'deliveryAddress.city',
    ],
    ['a store id with spaces', { storeId: 'store 1' }, 'storeId'],
    ['a short idempotency key', { idempotencyKey: 'short' }, 'idempotencyKey'],
  ])('rejects %s', (_name, patch, field) => {
    expect(fieldOf(() => parsePlaceOrder({ ...validInput(), ...patch }))).toBe(field);
  });

  it('rejects a non-object input', () => {
    expect(fieldOf(() => parsePlaceOrder('order'))).toBe('input');
  });

  it.each([
    ['streetAddress', '\u200B\u200C\u200D'],
    ['streetAddress', ' \u2060\uFEFF '],
    ['city', '\u00AD\u200E'],
    ['postalCode', '\u200B'],
    ['province', '\uFEFF'],
    // Blank-looking characters outside Cf: Hangul fillers, blank braille, variation selectors, CGJ.
    ['streetAddress', '\u3164\u3164'],
    ['streetAddress', '\u115F\u1160'],
    ['city', '\uFFA0'],
    ['city', '\u2800\u2800 \u2800'],
    ['postalCode', '\uFE0F\uFE00'],
    ['postalCode', '\u{E0100}\u{E01EF}'],
    ['province', '\u034F \u180E'],
  ])('rejects a %s with nothing visible (%j)', (name, value) => {
    expect(fieldOf(() => parsePlaceOrder(withAddress({ [name]: value })))).toBe(`deliveryAddress.${name}`);
  });

  it.each([
    ['streetAddress', '100 8 Ave\u0000 SW', 'U+0000'],
    ['streetAddress', '100 8 Ave\u001B[31m SW', 'U+001B'],
    ['city', 'Calg\u0007ary', 'U+0007'],
    ['city', 'Calgary\nEdmonton', 'U+000A'],
    ['postalCode', 'T2P\t1B3', 'U+0009'],
    ['province', 'A\u007FB', 'U+007F'],
    ['province', 'A\u0085B', 'U+0085'],
  ])('rejects a %s with a control character (%j)', (name, value, found) => {
    const error = (() => {
      try {
        parsePlaceOrder(withAddress({ [name]: value }));
      } catch (e) {
        return e;
      }
      return null;
    })();

    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: `deliveryAddress.${name}` });
    expect((error as Error).message).toContain(found);
  });

  it('stores text NFC-normalised, with invisible characters trimmed from the ends only', () => {
    const command = parsePlaceOrder(
      withAddress({ streetAddress: '\u200B1 Rue de l\u2019E\u0301glise\uFEFF ', city: 'Saint-Je\u0301ro\u0302me' }),
    );

    expect(command.deliveryAddress.streetAddress).toBe('1 Rue de l\u2019\u00C9glise');
    expect(command.deliveryAddress.city).toBe('Saint-J\u00E9r\u00F4me');
  });

  it('trims blank-looking characters from the ends but keeps one that modifies the last visible character', () => {
    const command = parsePlaceOrder(
      withAddress({ streetAddress: '\u3164\u28001 Main St\u2800\uFFA0', city: 'I \u2764\uFE0F Calgary \u2764\uFE0F' }),
    );

    expect(command.deliveryAddress.streetAddress).toBe('1 Main St');
    expect(command.deliveryAddress.city).toBe('I \u2764\uFE0F Calgary \u2764\uFE0F');
  });

  it('keeps a flag emoji tag sequence at the end intact', () => {
    const scotland = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';

    expect(parsePlaceOrder(withAddress({ city: `Glasgow ${scotland}` })).deliveryAddress.city).toBe(`Glasgow ${scotland}`);
  });

  it('refuses a long text padded with blanks in one pass (a 300,000-character blank run)', () => {
    expect(fieldOf(() => parsePlaceOrder(withAddress({ streetAddress: `1${' '.repeat(300_000)}x` })))).toBe(
      'deliveryAddress.streetAddress',
    );
    expect(parsePlaceOrder(withAddress({ city: `x${'\u3164'.repeat(300_000)}` })).deliveryAddress.city).toBe('x');
  });

  it('keeps format characters inside visible text (an emoji sequence joined by U+200D)', () => {
    const street = '1 Pizza \u{1F468}\u200D\u{1F373} Lane';

    expect(parsePlaceOrder(withAddress({ streetAddress: street })).deliveryAddress.streetAddress).toBe(street);
  });

  it('measures the length limit after normalisation', () => {
    const decomposed = 'E\u0301'.repeat(200);

    expect(parsePlaceOrder(withAddress({ city: decomposed })).deliveryAddress.city).toBe('\u00C9'.repeat(200));
  });

  it('refuses a payment id with a control or zero-width character', () => {
    expect(fieldOf(() => parsePlaceOrder({ ...validInput(), paymentId: 'pay\u0000' }))).toBe('paymentId');
    expect(fieldOf(() => parsePlaceOrder({ ...validInput(), paymentId: '\u200B' }))).toBe('paymentId');
  });
});

describe('parseDecideOrder', () => {
  it('accepts ACCEPT without a reason', () => {
    expect(parseDecideOrder({ orderId: 'o1', decision: 'ACCEPT' })).toEqual({
      orderId: 'o1',
      decision: 'ACCEPT',
      reason: null,
    });
  });

  it('treats a blank reason as none', () => {
    expect(parseDecideOrder({ orderId: 'o1', decision: 'DECLINE', reason: '  ' }).reason).toBeNull();
  });

  it('treats a reason with nothing visible as none', () => {
    expect(parseDecideOrder({ orderId: 'o1', decision: 'DECLINE', reason: '\u200B\u2060 ' }).reason).toBeNull();
  });

  it('refuses a reason with a control character, even a blank one', () => {
    expect(fieldOf(() => parseDecideOrder({ orderId: 'o1', decision: 'DECLINE', reason: 'out of\u0000 dough' }))).toBe('reason');
    expect(fieldOf(() => parseDecideOrder({ orderId: 'o1', decision: 'DECLINE', reason: 'closed\nearly' }))).toBe('reason');
    expect(fieldOf(() => parseDecideOrder({ orderId: 'o1', decision: 'DECLINE', reason: '\t' }))).toBe('reason');
  });

  it('stores the reason NFC-normalised and trimmed', () => {
    expect(parseDecideOrder({ orderId: 'o1', decision: 'DECLINE', reason: ' Cre\u0300me \u200B' }).reason).toBe('Cr\u00E8me');
  });

  it('rejects an unknown decision and an overlong reason', () => {
    expect(fieldOf(() => parseDecideOrder({ orderId: 'o1', decision: 'MAYBE' }))).toBe('decision');
    expect(fieldOf(() => parseDecideOrder({ orderId: 'o1', decision: 'DECLINE', reason: 'x'.repeat(281) }))).toBe('reason');
  });
});

describe('parseDecideOrder without a party in the input', () => {
  it("ignores a storeId in the input: the deciding store is the caller's", () => {
    expect(parseDecideOrder({ orderId: 'o1', storeId: 's2', decision: 'ACCEPT' })).not.toHaveProperty('storeId');
  });
});

describe.each([
  ['parsePickupOrder', parsePickupOrder],
  ['parseCompleteDelivery', parseCompleteDelivery],
  ['parseCancelOrder', parseCancelOrder],
])('%s', (_name, parse) => {
  it('takes only the order id: the party is the caller, never an input', () => {
    expect(parse({ orderId: 'o1', driverId: 'd2', customerId: 'c2' })).toEqual({ orderId: 'o1' });
  });

  it('rejects a missing or malformed order id', () => {
    expect(fieldOf(() => parse({}))).toBe('orderId');
    expect(fieldOf(() => parse({ orderId: 'o 1' }))).toBe('orderId');
  });
});
