/**
 * The on-failure record Lambda sends to a stream mapping's on-failure destination when it discards
 * a DynamoDB stream batch, in the shape AWS documents ("Retain discarded records for a DynamoDB
 * event source in Lambda", services-dynamodb-errors: its "Example invocation record"). It holds no
 * record data, only where the discarded records are in the stream: read them back with
 * GetShardIterator (AT_SEQUENCE_NUMBER `startSequenceNumber`) + GetRecords before the stream's 24 h
 * retention trims them.
 *
 * The documented example's timestamps: `timestamp` with milliseconds ("2019-11-14T00:13:49.717Z"),
 * the record arrivals in whole seconds ("2019-11-14T00:13:19Z"), as DynamoDB's
 * ApproximateCreationDateTime has no finer precision. `responseContext.functionError` is
 * "Unhandled" when the function threw; a batch whose function returned item failures ended without
 * a function error, so the field is left out.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord } from './stream-event.js';

export interface DDBStreamBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  /** ISO 8601 in whole seconds (UTC). */
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
  /** Records discarded (from startSequenceNumber to endSequenceNumber). */
  readonly batchSize: number;
  readonly streamArn: string;
}

export interface StreamFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    /** The only condition a mapping without a maximum record age reaches. */
    readonly condition: 'RetryAttemptsExhausted';
    /** Invocations with these records in their last form (the first one and its retries). */
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: { readonly statusCode: number; readonly executedVersion: string; readonly functionError?: 'Unhandled' };
  readonly version: '1.0';
  /** ISO 8601 with milliseconds: when the batch was discarded. */
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: DDBStreamBatchInfo;
}

export interface DiscardedBatch {
  readonly functionArn: string;
  readonly streamArn: string;
  readonly shardId: string;
  /** The discarded records, in stream order (at least one). */
  readonly records: readonly DynamoDBRecord[];
  readonly invokeCount: number;
  /** The last invocation threw (rather than returning item failures). */
  readonly functionError: boolean;
  readonly now?: Date;
}

export function streamFailureRecord(batch: DiscardedBatch): StreamFailureRecord {
  const first = batch.records[0];
  const last = batch.records.at(-1);
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: batch.functionArn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: batch.invokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(batch.functionError ? { functionError: 'Unhandled' as const } : {}),
    },
    version: '1.0',
    timestamp: (batch.now ?? new Date()).toISOString(),
    DDBStreamBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: last?.dynamodb?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
  };
}

/** A record's ApproximateCreationDateTime (epoch seconds) as `2019-11-14T00:13:19Z`. */
function arrival(record: DynamoDBRecord | undefined): string {
  const seconds = record?.dynamodb?.ApproximateCreationDateTime ?? 0;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
