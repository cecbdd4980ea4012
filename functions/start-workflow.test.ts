import { ExecutionAlreadyExists, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../domain/order.js';
import { orderRecord } from '../test/factories.js';
import { startWorkflows, type StartWorkflowDeps } from './start-workflow.js';

const TIMEOUTS = { storeDecisionSeconds: 600, pickupSeconds: 1800, deliverySeconds: 7200 };
const quiet = { info: () => undefined, error: () => undefined };

// An event factory in the shape Lambda's DynamoDB event source mapping delivers.
function streamRecord(order: OrderRecord, sequence: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord {
  const image = marshall(order, { removeUndefinedValues: true }) as never;
  return {
    eventID: `e${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { orderId: { S: order.orderId } },
      ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
      ...(eventName === 'INSERT' ? {} : { OldImage: image }),
      SequenceNumber: sequence,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** Step Functions as the SDK answers: `reply` decides per order id (undefined = started). */
function fakeSfn(reply: (orderId: string) => Error | undefined = () => undefined) {
  const started: StartExecutionCommand['input'][] = [];
  const sfn = {
    send: async (command: unknown) => {
      if (!(command instanceof StartExecutionCommand)) throw new Error('unexpected command');
      started.push(command.input);
      const error = reply(command.input.name ?? '');
      if (error !== undefined) throw error;
      return { executionArn: `arn:execution:${command.input.name}`, startDate: new Date() };
    },
  };
  const deps: StartWorkflowDeps = { sfn: sfn as never, workflowArn: 'arn:workflow', timeouts: TIMEOUTS, log: quiet };
  return { deps, started };
}

const throttled = () =>
  new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

describe('startWorkflow', () => {
  it("starts each new order's workflow, named by the order id, with the order's store and destination and the timeouts", async () => {
    const { deps, started } = fakeSfn();
    const order = orderRecord({ orderId: 'o1', storeId: 's1' });
    const deliveryAddress = { ...order.deliveryAddress, coordinates: { latitude: 51.05, longitude: -114.07 } };
    const result = await startWorkflows({ Records: [streamRecord({ ...order, deliveryAddress }, '1')] }, deps);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([
      {
        stateMachineArn: 'arn:workflow',
        name: 'o1',
        input: JSON.stringify({
          orderId: 'o1',
          storeId: 's1',
          deliveryCoordinates: { latitude: 51.05, longitude: -114.07 },
          timeouts: TIMEOUTS,
        }),
      },
    ]);
  });

  it('reports a throttled start as a batch item failure, so the mapping retries it; the others start', async () => {
    const { deps, started } = fakeSfn((orderId) => (orderId === 'o2' || orderId === 'o3' ? throttled() : undefined));
    const records = ['o1', 'o2', 'o3', 'o4'].map((id, i) => streamRecord(orderRecord({ orderId: id }), String(i + 1)));
    const result = await startWorkflows({ Records: records }, deps);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '3' }] });
    expect(started.map((s) => s.name)).toEqual(['o1', 'o2', 'o3', 'o4']);
  });

  it('counts ExecutionAlreadyExists as started (a redelivered record, or an execution that already ended)', async () => {
    const { deps } = fakeSfn(() => new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const result = await startWorkflows({ Records: [streamRecord(orderRecord(), '7')] }, deps);
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('reports any other failure too (it goes to the on-failure queue once the retries run out)', async () => {
    const { deps } = fakeSfn(
      () => new SFNServiceException({ name: 'StateMachineDoesNotExist', $fault: 'client', message: 'gone', $metadata: {} }),
    );
    expect(await startWorkflows({ Records: [streamRecord(orderRecord(), '9')] }, deps)).toEqual({
      batchItemFailures: [{ itemIdentifier: '9' }],
    });
  });

  it('reports an INSERT whose item has no store id or no delivery coordinates, and calls nothing for it', async () => {
    const { deps, started } = fakeSfn();
    const noStore = streamRecord(orderRecord(), '5');
    delete noStore.dynamodb?.NewImage?.['storeId'];
    const noLatitude = streamRecord(orderRecord({ orderId: 'o6' }), '6');
    delete noLatitude.dynamodb?.NewImage?.['deliveryAddress']?.M?.['coordinates']?.M?.['latitude'];
    expect(await startWorkflows({ Records: [noStore, noLatitude] }, deps)).toEqual({
      batchItemFailures: [{ itemIdentifier: '5' }, { itemIdentifier: '6' }],
    });
    expect(started).toEqual([]);
  });

  it('leaves changes and removals alone (the mapping filter keeps them out; none starts a workflow)', async () => {
    const { deps, started } = fakeSfn();
    const records = [streamRecord(orderRecord({ status: 'ACCEPTED' }), '1', 'MODIFY'), streamRecord(orderRecord(), '2', 'REMOVE')];
    expect(await startWorkflows({ Records: records }, deps)).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([]);
  });
});
