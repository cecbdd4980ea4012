/** Event and record factories shared by the unit tests. */
import { newOrder, toPublicOrder, type Order, type OrderRecord } from '../domain/order.js';

/** A stored order (PLACED, version 1, customer c1 at store s1) with every optional field empty, patched as needed. */
export function orderRecord(patch: Partial<OrderRecord> = {}): OrderRecord {
  const placed = newOrder(
    {
      storeId: 's1',
      paymentId: 'p1',
      pies: [{ size: 'SMALL', cheese: 'LARGE', toppings: ['OLIVE'] }],
      deliveryAddress: { coordinates: { latitude: 1, longitude: 2 }, streetAddress: 'a', city: 'b', postalCode: 'c', province: 'd' },
      idempotencyKey: 'key-00000001',
    },
    { orderId: 'o1', customerId: 'c1' },
    new Date('2026-11-24T00:00:00.000Z'),
  );
  return { ...placed, ...patch };
}

/**
 * The same order as the API returns it (the GraphQL `Order`: the public view of `orderRecord()`,
 * so it has every field of the schema), patched as needed.
 */
export function apiOrder(patch: Partial<Order> = {}): Order {
  const view = toPublicOrder(orderRecord());
  return {
    ...view,
    pies: view.pies.map((pie) => ({ ...pie, toppings: [...pie.toppings] })),
    deliverySteps: view.deliverySteps === null ? null : [...view.deliverySteps],
    ...patch,
  };
}
