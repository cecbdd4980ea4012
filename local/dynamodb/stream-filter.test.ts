import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DynamoDBStreamEvent } from './stream-event.js';
import { filteredStreamHandler, matchesStreamFilter } from './stream-filter.js';

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', sequence: string): DynamoDBRecord {
  return { eventID: `e${sequence}`, eventName, dynamodb: { Keys: { id: { S: sequence } }, SequenceNumber: sequence } };
}

/** A handler that records the batches it was called with. */
function recording() {
  const calls: DynamoDBStreamEvent[] = [];
  const handler = async (event: DynamoDBStreamEvent) => {
    calls.push(event);
    return { batchItemFailures: [] };
  };
  return { calls, handler };
}

describe('matchesStreamFilter', () => {
  it('matches a record whose eventName the filter names, and nothing else', () => {
    const inserts = { eventName: ['INSERT'] as const };
    expect(matchesStreamFilter(record('INSERT', '1'), inserts)).toBe(true);
    expect(matchesStreamFilter(record('MODIFY', '1'), inserts)).toBe(false);
    expect(matchesStreamFilter(record('REMOVE', '1'), inserts)).toBe(false);
    expect(matchesStreamFilter({ eventID: 'x' }, inserts)).toBe(false);
    expect(matchesStreamFilter(record('REMOVE', '1'), { eventName: ['INSERT', 'REMOVE'] })).toBe(true);
  });
});

describe('filteredStreamHandler', () => {
  it('hands the handler only the matching records, in stream order', async () => {
    const { calls, handler } = recording();
    const filtered = filteredStreamHandler({ eventName: ['INSERT'] }, handler);
    const result = await filtered({
      Records: [record('INSERT', '1'), record('MODIFY', '2'), record('INSERT', '3'), record('REMOVE', '4')],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(calls.map((c) => c.Records.map((r) => r.dynamodb?.SequenceNumber))).toEqual([['1', '3']]);
  });

  it('does not invoke the handler for a batch with nothing that matches (the batch counts as handled)', async () => {
    const { calls, handler } = recording();
    const filtered = filteredStreamHandler({ eventName: ['INSERT'] }, handler);
    expect(await filtered({ Records: [record('MODIFY', '1'), record('REMOVE', '2')] })).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it("passes the handler's partial batch response through (its identifiers are records of the batch read)", async () => {
    const filtered = filteredStreamHandler({ eventName: ['INSERT'] }, async (event) => ({
      batchItemFailures: [{ itemIdentifier: event.Records[0]?.dynamodb?.SequenceNumber ?? '' }],
    }));
    expect(await filtered({ Records: [record('MODIFY', '1'), record('INSERT', '2')] })).toEqual({
      batchItemFailures: [{ itemIdentifier: '2' }],
    });
  });

  it('is the handler itself without a filter', () => {
    const { handler } = recording();
    expect(filteredStreamHandler(undefined, handler)).toBe(handler);
  });
});
