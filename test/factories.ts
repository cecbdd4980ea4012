/** Event and record factories shared by the unit tests. */
import type { OrderRecord } from '../domain/order.js';

/** A stored order (PLACED, version 1) with every optional field empty, patched as needed. */
export function orderRecord(patch: Partial<OrderRecord> = {}): OrderRecord {
  return {
    orderId: 'o1',
    storeId: 's1',
    paymentId: 'p1',
    pies: [{ size: 'SMALL', cheese: 'LARGE', toppings: ['OLIVE'] }],
    deliveryAddress: { coordinates: { latitude: 1, longitude: 2 }, streetAddress: 'a', city: 'b', postalCode: 'c', province: 'd' },
    status: 'PLACED',
    version: 1,
    createdAt: '2026-11-24T00:00:00.000Z',
    updatedAt: '2026-11-24T00:00:00.000Z',
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
    idempotencyKey: 'key-00000001',
    ...patch,
  };
}
