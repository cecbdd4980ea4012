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
    dynamodb: { NewImage: image(newImage), OldImage: image(oldImage), SequenceNumber: sequence, StreamViewType: 'NEW_AND_OLD_IMAGES' },
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
