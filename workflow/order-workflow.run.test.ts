/**
 * The order workflow (the real ASL) run by the local Step Functions endpoint with scripted
 * parties: stub awaitParty/awaitDelivery Lambdas and a stub DynamoDB that plays the order's
 * current status. Checks how the workflow reconciles with the guarded writes at its edges.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetItemCommand, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { functionArn, startKit, tokenOf, waitForEnd, type Kit } from '../local/sfn/testkit.js';

const definition: object = JSON.parse(
  readFileSync(join(import.meta.dirname, 'order.asl.json'), 'utf8').replace(/\$\{(\w+)\}/g, (_, name: string) =>
    name.endsWith('FunctionArn') ? functionArn(name) : name,
  ),
);

/** The wait a Lambda call is for: awaitParty's `stage`, or DELIVERY for the awaitDelivery function. */
function stageOf(arn: string, payload: unknown): string {
  if (arn === functionArn('AwaitDeliveryFunctionArn')) return 'DELIVERY';
  if (typeof payload === 'object' && payload !== null && 'stage' in payload && typeof payload.stage === 'string') return payload.stage;
  throw new Error(`unexpected call of ${arn}`);
}

const answers: Record<string, unknown> = { STORE_DECISION: { decision: 'ACCEPT' }, DRIVER_PICKUP: { driverId: 'd1' } };

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.stop();
  kit = undefined;
});

/**
 * Starts one execution. `party` runs for every awaitParty call; by default it answers the store
 * and pickup waits at once and leaves the delivery wait unanswered (it times out after 1 s).
 * `status` is what a reload of the order reads.
 */
async function run(options: { party?: (stage: string, attempt: number, payload: unknown) => void; status: string; cancelStore?: boolean }) {
  const attempts = new Map<string, number>();
  const started = await startKit({
    machines: { Order: definition },
    lambda: async (arn, payload) => {
      const stage = stageOf(arn, payload);
      const attempt = (attempts.get(stage) ?? 0) + 1;
      attempts.set(stage, attempt);
      options.party?.(stage, attempt, payload);
      const answer = answers[stage];
      if (stage === 'STORE_DECISION' && options.cancelStore === true) {
        const token = tokenOf(payload);
        setImmediate(
          () =>
            void started.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'Order.Cancelled', cause: 'CUSTOMER_CANCELLED' })),
        );
      } else if (answer !== undefined) {
        const token = tokenOf(payload);
        setImmediate(() => void started.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(answer) })));
      }
      return {};
    },
    dynamodbSend: async (command) => {
      if (command instanceof GetItemCommand) return { Item: { orderId: { S: 'o1' }, status: { S: options.status } }, $metadata: {} };
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    },
  });
  kit = started;
  const input = {
    orderId: 'o1',
    storeId: 's1',
    deliveryCoordinates: { latitude: 51.05, longitude: -114.07 },
    timeouts: { storeDecisionSeconds: 30, pickupSeconds: 30, deliverySeconds: 1 },
  };
  const { executionArn } = await started.sfn.send(
    new StartExecutionCommand({ stateMachineArn: started.arn('Order'), name: 'o1', input: JSON.stringify(input) }),
  );
  return { done: await waitForEnd(started.sfn, executionArn ?? ''), attempts };
}

describe('order workflow (run)', () => {
  it('ends cleanly when the delivery was confirmed at the moment its wait timed out', async () => {
    const { done } = await run({ status: 'DELIVERED' });

    expect(done.status).toBe('SUCCEEDED');
  });

  it('still fails an overdue delivery that nobody confirmed', async () => {
    const { done } = await run({ status: 'OUT_FOR_DELIVERY' });

    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Order.DeliveryOverdue');
  });

  it('retries the wait when the awaitParty function itself fails (e.g. SNS unavailable)', async () => {
    const { done, attempts } = await run({
      status: 'DELIVERED',
      party: (stage, attempt) => {
        if (stage === 'STORE_DECISION' && attempt === 1)
          throw Object.assign(new Error('SNS is unavailable'), { name: 'InternalErrorException' });
      },
    });

    expect(attempts.get('STORE_DECISION')).toBe(2);
    expect(done.status).toBe('SUCCEEDED');
  }, 15_000);

  it('calls the delivery wait once, with the store and the destination from the execution input', async () => {
    const payloads: unknown[] = [];
    const { done, attempts } = await run({
      status: 'DELIVERED',
      party: (stage, _attempt, payload) => void (stage === 'DELIVERY' && payloads.push(payload)),
    });

    expect(done.status).toBe('SUCCEEDED');
    expect(attempts.get('DELIVERY')).toBe(1);
    expect(payloads).toEqual([
      { orderId: 'o1', storeId: 's1', deliveryCoordinates: { latitude: 51.05, longitude: -114.07 }, taskToken: expect.any(String) },
    ]);
  });

  it('retries the delivery wait when its function fails, rather than failing the execution', async () => {
    const { done, attempts } = await run({
      status: 'DELIVERED',
      party: (stage, attempt) => {
        if (stage === 'DELIVERY' && attempt === 1)
          throw Object.assign(new Error('DynamoDB is unavailable'), { name: 'InternalServerError' });
      },
    });

    expect(attempts.get('DELIVERY')).toBe(2);
    expect(done.status).toBe('SUCCEEDED');
  }, 15_000);

  it('ends a cancelled order at once, without retrying its wait', async () => {
    const { done, attempts } = await run({ status: 'CANCELLED', cancelStore: true });

    expect(done.status).toBe('SUCCEEDED');
    expect(attempts.get('STORE_DECISION')).toBe(1);
    expect(attempts.has('DRIVER_PICKUP')).toBe(false);
  });
});
