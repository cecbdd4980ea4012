import { describe, expect, it } from 'vitest';
import { orderRecord } from '../../test/factories.js';
import { MalformedOrderError, parseOrderRecord, toStoredItem } from './order-record.js';

describe('toStoredItem', () => {
  it('leaves null attributes out, so a sparse index key (acceptedAt) is absent rather than NULL', () => {
    const record = orderRecord({ acceptedAt: null, driverId: null });
    const item = toStoredItem(record);
    expect(item).not.toHaveProperty('acceptedAt');
    expect(item).not.toHaveProperty('driverId');
    expect(Object.values(item)).not.toContain(null);
    expect(item.orderId).toBe(record.orderId);
  });
});

describe('parseOrderRecord', () => {
  it('reads a stored item back as the record it was written from (absent = null)', () => {
    const record = orderRecord({ acceptedAt: null, declineReason: null });
    expect(parseOrderRecord(toStoredItem(record))).toEqual(record);
  });

  it('refuses an item without its customer', () => {
    const { customerId: _omitted, ...item } = orderRecord();
    expect(() => parseOrderRecord(item)).toThrow(MalformedOrderError);
  });
});
