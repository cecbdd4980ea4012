/**
 * DynamoDB stream consumer (orders table, NEW_AND_OLD_IMAGES): turns each change of an order's
 * public view into one `publishOrderUpdate` mutation, which AppSync fans out to
 * `onOrderUpdated` subscribers (graphql/publisher.graphql: the whole Order, through the shared
 * OrderFields fragment). Backend-only changes (a task token stored) publish nothing.
 *
 * Fan-out: the batch's records are grouped by order (the table's partition key, `orderId`) and
 * the groups are published concurrently, each group strictly in stream order; a failure stops
 * its own group only. The partial batch response names the earliest failed record in batch
 * order: Lambda checkpoints before the lowest sequence number reported and retries from it, so
 * nothing of any order is skipped or reordered. Records of other orders after it that were
 * already published are published again on that retry: delivery is at least once, and a
 * client drops a repeat by its `version` (never lower than the one it holds). Powertools' Batch
 * processor is not used: it reports every failed record and processes the others regardless,
 * where an order's later records must wait behind its failed one (in order, per order).
 *
 * Metrics (functions/lib/order-metrics.ts): this consumer sees every transition, the workflow's
 * own writes included. They are written once the batch's outcome is known, for the records
 * before the reported failure only: those are checkpointed and never redelivered, and the rest
 * are counted when their retry succeeds. So a partial retry counts nothing twice; a whole batch
 * delivered again after its metrics were written (the invocation dies or times out after the
 * write, or Lambda's rare duplicate delivery) does: the counts are at least once, like the stream.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { toPublicOrder, type PublicOrder } from '../domain/order.js';
import { PublishOrderUpdateDocument } from '../generated/operations.js';
import { lazyEnv } from './lib/config.js';
import { graphqlIamClient, type GraphqlIamClient } from './lib/graphql-iam.js';
import { logger, type Logger } from './lib/logger.js';
import { emitOrderMetrics } from './lib/order-metrics.js';
import { parseOrderRecord } from './lib/order-record.js';
import { traced } from './lib/tracer.js';

export const ENV = ['GRAPHQL_URL'] as const;

/**
 * Orders of one batch published at once. A batch holds at most the mapping's batchSize
 * (infra/manifest.ts) records, so 10 lets every order of a full batch go at once while one
 * invocation still holds no more than 10 signed requests to AppSync open.
 */
export const PUBLISH_CONCURRENCY = 10;

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
  // The previous version only decides whether anything changed: one that cannot be read (an item
  // fixed after a stream failure, infra/README.md's runbook) counts as changed.
  let previous: PublicOrder | null;
  try {
    previous = publicView(record.dynamodb?.OldImage as Image | undefined);
  } catch {
    previous = null;
  }
  return previous !== null && JSON.stringify(previous) === JSON.stringify(next) ? null : next;
}

/** The order a record belongs to: its key, else either image; '' when it has none. */
function orderIdOf(record: DynamoDBRecord): string {
  const d = record.dynamodb;
  return d?.Keys?.['orderId']?.S ?? d?.NewImage?.['orderId']?.S ?? d?.OldImage?.['orderId']?.S ?? '';
}

interface Indexed {
  readonly index: number;
  readonly record: DynamoDBRecord;
}

/** The batch's records by order, each order's records in batch order. */
function groupByOrder(records: readonly DynamoDBRecord[]): Indexed[][] {
  const groups = new Map<string, Indexed[]>();
  records.forEach((record, index) => {
    const id = orderIdOf(record);
    const group = groups.get(id) ?? [];
    group.push({ index, record });
    groups.set(id, group);
  });
  return [...groups.values()];
}

/** Runs `task` on every item, at most `limit` at a time. */
async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function publishRecords(
  event: DynamoDBStreamEvent,
  client: GraphqlIamClient,
  log: Logger = logger('publishOrderUpdate'),
  emitMetrics: (records: readonly DynamoDBRecord[]) => void = emitOrderMetrics,
): Promise<DynamoDBBatchResponse> {
  /** Batch position of the first failed record of each group that failed. */
  const failedAt: number[] = [];
  await forEachBounded(groupByOrder(event.Records), PUBLISH_CONCURRENCY, async (group) => {
    for (const { index, record } of group) {
      try {
        const order = orderToPublish(record);
        if (order === null) continue;
        await client.request(PublishOrderUpdateDocument, { order: JSON.stringify(order) });
        log.info('order update published', { orderId: order.orderId, status: order.status, version: order.version });
      } catch (error) {
        log.error('publishing failed', { eventID: record.eventID, error: error instanceof Error ? error.message : String(error) });
        // The order's later records wait for the retry, which starts at or before this one.
        failedAt.push(index);
        return;
      }
    }
  });
  const firstFailed = Math.min(event.Records.length, ...failedAt);
  emitMetrics(event.Records.slice(0, firstFailed));
  if (failedAt.length === 0) return { batchItemFailures: [] };
  const first = event.Records[firstFailed];
  return { batchItemFailures: [{ itemIdentifier: first?.dynamodb?.SequenceNumber ?? first?.eventID ?? '' }] };
}

// AWS_REGION is set by the Lambda runtime itself, so it is not part of the manifest.
const env = lazyEnv([...ENV, 'AWS_REGION']);
let client: GraphqlIamClient | undefined;

export const handler = traced('publishOrderUpdate', async (event: DynamoDBStreamEvent, log): Promise<DynamoDBBatchResponse> => {
  const e = env();
  client ??= graphqlIamClient(e.GRAPHQL_URL, e.AWS_REGION);
  return publishRecords(event, client, log);
});
