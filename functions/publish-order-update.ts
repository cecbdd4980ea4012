/**
 * DynamoDB stream consumer (orders table, NEW_AND_OLD_IMAGES): turns each change of an order's
 * public view into one `publishOrderUpdate` mutation, which AppSync fans out to
 * `onOrderUpdated` subscribers (graphql/publisher.graphql: the whole Order, through the shared
 * OrderFields fragment). Backend-only changes (a task token stored) publish nothing.
 * Records are handled in order; on a failure the batch reports it and every later record as
 * failed (partial batch response), so nothing is skipped or reordered.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { toPublicOrder, type PublicOrder } from '../domain/order.js';
import { PublishOrderUpdateDocument } from '../generated/operations.js';
import { lazyEnv } from './lib/config.js';
import { graphqlIamClient, type GraphqlIamClient } from './lib/graphql-iam.js';
import { logger } from './lib/logger.js';
import { parseOrderRecord } from './lib/order-record.js';

export const ENV = ['GRAPHQL_URL'] as const;

type Image = Record<string, AttributeValue>;

function publicView(image: Image | undefined): PublicOrder | null {
  if (image === undefined) return null;
  return toPublicOrder(parseOrderRecord(unmarshall(image)));
}

/** The order to publish for a record, or null when its public view did not change. */
export function orderToPublish(record: DynamoDBRecord): PublicOrder | null {
  // aws-lambda's AttributeValue type and the SDK's differ only nominally.
  const next = publicView(record.dynamodb?.NewImage as Image | undefined);
  if (next === null) return null;
  const previous = publicView(record.dynamodb?.OldImage as Image | undefined);
  return previous !== null && JSON.stringify(previous) === JSON.stringify(next) ? null : next;
}

export async function publishRecords(
  event: DynamoDBStreamEvent,
  client: GraphqlIamClient,
  log = logger('publishOrderUpdate'),
): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records) {
    try {
      const order = orderToPublish(record);
      if (order === null) continue;
      await client.request(PublishOrderUpdateDocument, { order: JSON.stringify(order) });
      log.info('order update published', { orderId: order.orderId, status: order.status, version: order.version });
    } catch (error) {
      log.error('publishing failed', { eventID: record.eventID, error: error instanceof Error ? error.message : String(error) });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

// AWS_REGION is set by the Lambda runtime itself, so it is not part of the manifest.
const env = lazyEnv([...ENV, 'AWS_REGION']);
let client: GraphqlIamClient | undefined;

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const e = env();
  client ??= graphqlIamClient(e.GRAPHQL_URL, e.AWS_REGION);
  return publishRecords(event, client);
};
