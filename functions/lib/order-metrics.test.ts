import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { recordMetrics, transitionMetrics, UNKNOWN_REASON } from './order-metrics.js';

const placedAt = '2026-11-24T01:00:00.000Z';
const placed = { status: 'PLACED', createdAt: placedAt };

// A stream record in the shape Lambda's DynamoDB event source mapping delivers.
function streamRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', newImage?: object, oldImage?: object): DynamoDBRecord {
  const image = (o: object | undefined) => (o === undefined ? undefined : (marshall(o) as never));
  return { eventName, dynamodb: { NewImage: image(newImage), OldImage: image(oldImage) } };
}

describe('transitionMetrics', () => {
  it('counts a new order as OrderPlaced', () => {
    expect(transitionMetrics(null, placed)).toEqual([{ name: 'OrderPlaced', unit: 'Count', value: 1, dimensions: {} }]);
  });

  it('counts an acceptance with the time to decision', () => {
    expect(transitionMetrics(placed, { ...placed, status: 'ACCEPTED', acceptedAt: '2026-11-24T01:01:30.000Z' })).toEqual([
      { name: 'OrderAccepted', unit: 'Count', value: 1, dimensions: {} },
      { name: 'TimeToDecision', unit: 'Milliseconds', value: 90_000, dimensions: {} },
    ]);
  });

  it('counts a decline with the time to decision', () => {
    expect(transitionMetrics(placed, { ...placed, status: 'DECLINED', declinedAt: '2026-11-24T01:00:10.000Z' })).toEqual([
      { name: 'OrderDeclined', unit: 'Count', value: 1, dimensions: {} },
      { name: 'TimeToDecision', unit: 'Milliseconds', value: 10_000, dimensions: {} },
    ]);
  });

  it('counts a cancellation by its reason', () => {
    expect(transitionMetrics(placed, { ...placed, status: 'CANCELLED', cancellationReason: 'STORE_TIMEOUT' })).toEqual([
      { name: 'OrderCancelled', unit: 'Count', value: 1, dimensions: { reason: 'STORE_TIMEOUT' } },
    ]);
    expect(transitionMetrics(placed, { ...placed, status: 'CANCELLED' })[0]?.dimensions).toEqual({ reason: UNKNOWN_REASON });
  });

  it('counts a delivery with the time to delivery', () => {
    const out = { ...placed, status: 'OUT_FOR_DELIVERY' };
    expect(transitionMetrics(out, { ...out, status: 'DELIVERED', deliveredAt: '2026-11-24T01:30:00.000Z' })).toEqual([
      { name: 'OrderDelivered', unit: 'Count', value: 1, dimensions: {} },
      { name: 'TimeToDelivery', unit: 'Milliseconds', value: 1_800_000, dimensions: {} },
    ]);
  });

  it('counts nothing for a pickup, a write that keeps the status, or a deletion', () => {
    expect(transitionMetrics({ ...placed, status: 'ACCEPTED' }, { ...placed, status: 'OUT_FOR_DELIVERY' })).toEqual([]);
    expect(transitionMetrics(placed, placed)).toEqual([]);
    expect(transitionMetrics(placed, null)).toEqual([]);
  });

  it('keeps the count but drops a duration whose timestamps are missing', () => {
    expect(transitionMetrics(placed, { status: 'ACCEPTED' }).map((m) => m.name)).toEqual(['OrderAccepted']);
  });
});

describe('recordMetrics', () => {
  it('reads the images of a stream record', () => {
    expect(recordMetrics(streamRecord('INSERT', placed)).map((m) => m.name)).toEqual(['OrderPlaced']);
    expect(recordMetrics(streamRecord('MODIFY', { ...placed, status: 'CANCELLED', cancellationReason: 'CUSTOMER' }, placed))).toEqual([
      { name: 'OrderCancelled', unit: 'Count', value: 1, dimensions: { reason: 'CUSTOMER' } },
    ]);
  });

  it('makes no OrderPlaced of a MODIFY whose old image is unreadable', () => {
    expect(recordMetrics(streamRecord('MODIFY', placed, { orderId: 'o1' }))).toEqual([]);
  });
});
