/**
 * DynamoDB stream consumer (orders table, new orders only: the mapping's filter passes INSERT
 * records and nothing else, infra/manifest.ts): starts each new order's workflow. Placing an order
 * only writes it (functions/place-order.ts), so a burst of placements never fails on Step
 * Functions' StartExecution throttling: the orders wait in the stream and start as fast as the
 * StartExecution bucket allows.
 *
 * The execution name is the order id, so a record delivered twice starts one execution (same name
 * and input while it runs: the same execution; once it has ended, or with other input:
 * ExecutionAlreadyExists, which counts as started). A record whose start fails (throttled, Step
 * Functions unavailable, an unreadable item) is reported in the partial batch response; Lambda
 * retries from the earliest one reported, so the records after it are started again, harmlessly.
 * After the mapping's retries the record's location goes to the on-failure queue
 * (`startWorkflow-stream-failures`).
 *
 * Powertools' Batch processor would fit this consumer (records independent, every failure
 * reported; with `throwOnFullBatchFailure: false`, since a throttled burst is expected here and
 * must not become a function error that bisects the batch and raises the errors alarm). It is not
 * a dependency, and this loop is the whole of it; the orders-stream publisher is where its
 * semantics would be wrong (functions/publish-order-update.ts).
 */
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { parseCoordinates } from '../domain/validation.js';
import { sfnClient } from './lib/clients.js';
import { lazyEnv, positiveInt } from './lib/config.js';
import type { Logger } from './lib/logger.js';
import { traced } from './lib/tracer.js';
import type { WorkflowInput } from './lib/workflow.js';

export const ENV = ['ORDER_WORKFLOW_ARN', 'STORE_DECISION_TIMEOUT_SECONDS', 'PICKUP_TIMEOUT_SECONDS', 'DELIVERY_TIMEOUT_SECONDS'] as const;

export interface StartWorkflowDeps {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly workflowArn: string;
  readonly timeouts: WorkflowInput['timeouts'];
  readonly log: Logger;
}

/** A new order's record without the fields its workflow needs. */
export class UnreadableOrderRecordError extends Error {
  override readonly name = 'UnreadableOrderRecordError';
}

/**
 * The workflow input for an INSERT record of an order; throws UnreadableOrderRecordError without
 * an orderId, a storeId or the delivery address's coordinates.
 */
export function workflowInputOf(record: DynamoDBRecord, timeouts: WorkflowInput['timeouts']): WorkflowInput {
  const image = record.dynamodb?.NewImage;
  const orderId = image?.['orderId']?.S;
  const storeId = image?.['storeId']?.S;
  const coordinates = image?.['deliveryAddress']?.M?.['coordinates']?.M;
  const unreadable = () =>
    new UnreadableOrderRecordError(`stream record ${record.eventID ?? '?'} has no order with an orderId, a storeId and coordinates`);
  if (orderId === undefined || orderId === '' || storeId === undefined || storeId === '') throw unreadable();
  let deliveryCoordinates: WorkflowInput['deliveryCoordinates'];
  try {
    deliveryCoordinates = parseCoordinates({
      latitude: Number(coordinates?.['latitude']?.N),
      longitude: Number(coordinates?.['longitude']?.N),
    });
  } catch {
    throw unreadable();
  }
  return { orderId, storeId, deliveryCoordinates, timeouts };
}

/**
 * Starts a workflow for every INSERT of the batch, all at once: the batch size (and on AWS the
 * mapping's parallelization factor) bounds how many starts are under way per shard. Anything
 * that is not an INSERT is left alone (the mapping's filter already keeps those out).
 */
export async function startWorkflows(event: DynamoDBStreamEvent, deps: StartWorkflowDeps): Promise<DynamoDBBatchResponse> {
  const failed = await Promise.all(
    event.Records.map(async (record): Promise<string | null> => {
      if (record.eventName !== 'INSERT') return null;
      try {
        const input = workflowInputOf(record, deps.timeouts);
        try {
          await deps.sfn.send(
            new StartExecutionCommand({ stateMachineArn: deps.workflowArn, name: input.orderId, input: JSON.stringify(input) }),
          );
          deps.log.info('workflow started', { orderId: input.orderId });
        } catch (error) {
          if (!(error instanceof ExecutionAlreadyExists)) throw error;
          deps.log.info('workflow already started', { orderId: input.orderId });
        }
        return null;
      } catch (error) {
        deps.log.error('starting the workflow failed; the record is retried', {
          eventID: record.eventID,
          orderId: record.dynamodb?.Keys?.['orderId']?.S,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        return record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
      }
    }),
  );
  return { batchItemFailures: failed.flatMap((id) => (id === null ? [] : [{ itemIdentifier: id }])) };
}

const env = lazyEnv(ENV);
let deps: Omit<StartWorkflowDeps, 'log'> | undefined;

function defaultDeps(): Omit<StartWorkflowDeps, 'log'> {
  const e = env();
  return {
    sfn: sfnClient(),
    workflowArn: e.ORDER_WORKFLOW_ARN,
    timeouts: {
      storeDecisionSeconds: positiveInt(e.STORE_DECISION_TIMEOUT_SECONDS, 'STORE_DECISION_TIMEOUT_SECONDS'),
      pickupSeconds: positiveInt(e.PICKUP_TIMEOUT_SECONDS, 'PICKUP_TIMEOUT_SECONDS'),
      deliverySeconds: positiveInt(e.DELIVERY_TIMEOUT_SECONDS, 'DELIVERY_TIMEOUT_SECONDS'),
    },
  };
}

export const handler = traced('startWorkflow', async (event: DynamoDBStreamEvent, log): Promise<DynamoDBBatchResponse> =>
  startWorkflows(event, { ...(deps ??= defaultDeps()), log }),
);
