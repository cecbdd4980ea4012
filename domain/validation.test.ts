import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { parseDecideOrder, parsePickupOrder, parsePlaceOrder } from './validation.js';

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
});

describe('parseDecideOrder', () => {
  it('accepts ACCEPT without a reason', () => {
    expect(parseDecideOrder({ orderId: 'o1', storeId: 's1', decision: 'ACCEPT' })).toEqual({
      orderId: 'o1',
      storeId: 's1',
      decision: 'ACCEPT',
      reason: null,
    });
  });

  it('treats a blank reason as none', () => {
    expect(parseDecideOrder({ orderId: 'o1', storeId: 's1', decision: 'DECLINE', reason: '  ' }).reason).toBeNull();
  });

  it('rejects an unknown decision and an overlong reason', () => {
    expect(fieldOf(() => parseDecideOrder({ orderId: 'o1', storeId: 's1', decision: 'MAYBE' }))).toBe('decision');
    expect(fieldOf(() => parseDecideOrder({ orderId: 'o1', storeId: 's1', decision: 'DECLINE', reason: 'x'.repeat(281) }))).toBe('reason');
  });
});

describe('parsePickupOrder', () => {
  it('rejects a missing driver', () => {
    expect(fieldOf(() => parsePickupOrder({ orderId: 'o1' }))).toBe('driverId');
  });
});
