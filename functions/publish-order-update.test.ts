import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { buildSchema, getNamedType, isObjectType, parse, type GraphQLObjectType, type SelectionSetNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../domain/order.js';
import { orderRecord } from '../test/factories.js';
import type { GraphqlIamClient } from './lib/graphql-iam.js';
import { PUBLISH_ORDER_UPDATE } from './lib/order-selection.js';
import { orderToPublish, publishRecords } from './publish-order-update.js';

const root = join(import.meta.dirname, '..');

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

describe('PUBLISH_ORDER_UPDATE', () => {
  it('selects every field of Order, so subscribers can ask for any of them', () => {
    const prelude = readFileSync(join(root, 'infra/appsync-prelude.graphql'), 'utf8');
    const schema = buildSchema(`${prelude}\n${readFileSync(join(root, 'schema.graphql'), 'utf8')}`);
    const missing: string[] = [];
    const walk = (type: GraphQLObjectType, selection: SelectionSetNode | undefined, path: string) => {
      const selected = new Map((selection?.selections ?? []).flatMap((s) => (s.kind === 'Field' ? [[s.name.value, s] as const] : [])));
      for (const [name, field] of Object.entries(type.getFields())) {
        const node = selected.get(name);
        if (node === undefined) {
          missing.push(`${path}${name}`);
          continue;
        }
        const named = getNamedType(field.type);
        if (isObjectType(named)) walk(named, node.selectionSet, `${path}${name}.`);
      }
    };
    const op = parse(PUBLISH_ORDER_UPDATE).definitions[0];
    const top = op?.kind === 'OperationDefinition' ? op.selectionSet.selections[0] : undefined;
    const orderType = schema.getType('Order');
    if (top?.kind !== 'Field' || !isObjectType(orderType)) throw new Error('unexpected document');
    walk(orderType, top.selectionSet, '');
    expect(missing).toEqual([]);
  });
});
