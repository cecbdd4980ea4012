import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toPublicOrder, type OrderRecord } from '../domain/order.js';
import { PublishOrderUpdateDocument } from '../generated/operations.js';
import { orderRecord } from '../test/factories.js';
import type { GraphqlIamClient } from './lib/graphql-iam.js';
import { orderToPublish, publishRecords } from './publish-order-update.js';

const order = orderRecord;

// An event factory in the shape Lambda's DynamoDB event source mapping delivers.
function streamRecord(newImage: OrderRecord | undefined, oldImage: OrderRecord | undefined, sequence = '1'): DynamoDBRecord {
  const image = (o: OrderRecord | undefined) => (o === undefined ? undefined : (marshall(o, { removeUndefinedValues: true }) as never));
  return {
    eventID: `e${sequence}`,
    eventName: oldImage === undefined ? 'INSERT' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { orderId: { S: (newImage ?? oldImage)?.orderId ?? '' } },
      NewImage: image(newImage),
      OldImage: image(oldImage),
      SequenceNumber: sequence,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('orderToPublish', () => {
  it('publishes a new order', () => {
    expect(orderToPublish(streamRecord(order(), undefined))?.orderId).toBe('o1');
  });

  it('publishes nothing when only a task token was stored', () => {
    expect(orderToPublish(streamRecord(order({ storeTaskToken: 't' }), order()))).toBeNull();
  });

  it('publishes a status change without the token', () => {
    const published = orderToPublish(
      streamRecord(order({ status: 'ACCEPTED', version: 2, storeTaskToken: 'secret' }), order({ storeTaskToken: 'secret' })),
    );
    expect(published?.status).toBe('ACCEPTED');
    expect(JSON.stringify(published)).not.toContain('secret');
  });
});

describe('orderToPublish after a repair', () => {
  it('publishes an item fixed after a stream failure: an unreadable previous version counts as changed', () => {
    const { customerId: _missing, ...broken } = order();
    const fixed = streamRecord(order({ version: 2 }), broken as OrderRecord);
    expect(orderToPublish(fixed)?.customerId).toBe(order().customerId);
  });

  it('still refuses an unreadable new version (the record goes to the on-failure queue)', () => {
    const { customerId: _missing, ...broken } = order();
    expect(() => orderToPublish(streamRecord(broken as OrderRecord, order()))).toThrow();
  });
});

describe('publishRecords', () => {
  it('reports the first failed record so later ones are retried in order', async () => {
    const sent: string[] = [];
    const client: GraphqlIamClient = {
      request: async (_query, variables) => {
        const o = JSON.parse(String(variables.order)) as { version: number };
        if (o.version === 2) throw new Error('AppSync unavailable');
        sent.push(String(o.version));
        return null;
      },
    };
    const log = { info: () => undefined, error: () => undefined };
    const result = await publishRecords(
      {
        Records: [
          streamRecord(order(), undefined, '1'),
          streamRecord(order({ version: 2, status: 'ACCEPTED' }), order(), '2'),
          streamRecord(order({ version: 3, status: 'OUT_FOR_DELIVERY' }), order({ version: 2 }), '3'),
        ],
      },
      client,
      log,
    );
    expect(sent).toEqual(['1']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });
});

describe('publishRecords across orders', () => {
  const log = { info: () => undefined, error: () => undefined };
  // Order `id`'s change to `version`, as the n-th record of the batch.
  const change = (id: string, version: number, sequence: number) =>
    version === 1
      ? streamRecord(order({ orderId: id }), undefined, String(sequence))
      : streamRecord(order({ orderId: id, version, status: 'ACCEPTED' }), order({ orderId: id, version: version - 1 }), String(sequence));
  const published = (variables: Record<string, unknown>) => JSON.parse(String(variables.order)) as { orderId: string; version: number };

  // Published one order after another, this batch never completes: the short timeout fails it.
  it("publishes two orders at once, each order's versions in order", { timeout: 5_000 }, async () => {
    const sent: string[] = [];
    let bArrived: () => void = () => undefined;
    const bFirstCall = new Promise<void>((resolve) => (bArrived = resolve));
    const client: GraphqlIamClient = {
      request: async (_query, variables) => {
        const o = published(variables);
        // Order A's first call is held until order B's first call has arrived: this batch
        // completes only when the two orders are published concurrently.
        if (o.orderId === 'B' && o.version === 1) bArrived();
        if (o.orderId === 'A' && o.version === 1) await bFirstCall;
        sent.push(`${o.orderId}${o.version}`);
        return null;
      },
    };
    const result = await publishRecords(
      { Records: [change('A', 1, 1), change('B', 1, 2), change('A', 2, 3), change('B', 2, 4), change('A', 3, 5)] },
      client,
      log,
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(sent.filter((s) => s.startsWith('A'))).toEqual(['A1', 'A2', 'A3']);
    expect(sent.filter((s) => s.startsWith('B'))).toEqual(['B1', 'B2']);
    expect(sent[0]).toBe('B1');
  });

  it("stops an order at its failed record, goes on with the others, and reports the batch's earliest failure", async () => {
    const sent: string[] = [];
    const client: GraphqlIamClient = {
      request: async (_query, variables) => {
        const o = published(variables);
        if (o.orderId === 'A' && o.version === 2) throw new Error('AppSync unavailable');
        sent.push(`${o.orderId}${o.version}`);
        return null;
      },
    };
    const result = await publishRecords(
      { Records: [change('A', 1, 1), change('B', 1, 2), change('A', 2, 3), change('B', 2, 4), change('A', 3, 5), change('B', 3, 6)] },
      client,
      log,
    );
    expect(sent.filter((s) => s.startsWith('A'))).toEqual(['A1']);
    expect(sent.filter((s) => s.startsWith('B'))).toEqual(['B1', 'B2', 'B3']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '3' }]);
  });

  it('reports the failure earliest in the batch when several orders fail', async () => {
    const client: GraphqlIamClient = {
      request: async (_query, variables) => {
        const o = published(variables);
        if ((o.orderId === 'A' && o.version === 2) || (o.orderId === 'B' && o.version === 1)) throw new Error('AppSync unavailable');
        return null;
      },
    };
    const result = await publishRecords({ Records: [change('A', 1, 1), change('A', 2, 2), change('B', 1, 3)] }, client, log);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });

  it('publishes nothing for backend-only changes', async () => {
    const calls: unknown[] = [];
    const client: GraphqlIamClient = {
      request: async (_query, variables) => {
        calls.push(variables);
        return null;
      },
    };
    const tokenStored = (id: string, sequence: number) =>
      streamRecord(order({ orderId: id, storeTaskToken: 't' }), order({ orderId: id }), String(sequence));
    const result = await publishRecords({ Records: [tokenStored('A', 1), tokenStored('B', 2)] }, client, log);
    expect(calls).toEqual([]);
    expect(result.batchItemFailures).toEqual([]);
  });
});

describe('the published mutation', () => {
  it('is the generated PublishOrderUpdate document, with the public order as its variable', async () => {
    const calls: { query: string; variables: Record<string, unknown> }[] = [];
    const client: GraphqlIamClient = {
      request: async (query, variables) => {
        calls.push({ query, variables });
        return null;
      },
    };
    const log = { info: () => undefined, error: () => undefined };
    await publishRecords({ Records: [streamRecord(order({ storeTaskToken: 'secret' }), undefined)] }, client, log);
    expect(calls).toEqual([{ query: PublishOrderUpdateDocument, variables: { order: JSON.stringify(toPublicOrder(order())) } }]);
  });
});

describe('what subscription filters read', () => {
  const log = { info: () => undefined, error: () => undefined };

  it("publishes the fields onOrderUpdated's filter decides on: customerId, storeId, status, driverId", () => {
    const published = orderToPublish(streamRecord(order({ status: 'OUT_FOR_DELIVERY', driverId: 'd1', version: 3 }), order()));
    expect(published).toMatchObject({ customerId: 'c1', storeId: 's1', status: 'OUT_FOR_DELIVERY', driverId: 'd1' });
  });

  it('fails loudly on an item without a customer instead of publishing an order no customer would hear', async () => {
    const calls: unknown[] = [];
    const client: GraphqlIamClient = {
      request: async (_query, variables) => {
        calls.push(variables);
        return null;
      },
    };
    const { customerId: _dropped, ...withoutCustomer } = order();
    const record = streamRecord(withoutCustomer as OrderRecord, undefined, '7');
    const result = await publishRecords({ Records: [record] }, client, log);
    expect(calls).toEqual([]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '7' }]);
  });
});
