import { readFile } from 'node:fs/promises';
import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { DefinitionError, startStepFunctionsEndpoint } from './index.js';
import { ACCOUNT, REGION, deferred, functionArn, parseOutput, startKit, tokenOf, waitForEnd, type Kit } from './testkit.js';

/** One callback task, then a Choice on the store's answer; every way out is a labelled Pass. */
function callbackMachine(taskFields: object = {}): object {
  const outcome = (label: string) => ({ Type: 'Pass', Result: label, ResultPath: '$.outcome', End: true });
  return {
    StartAt: 'AwaitDecision',
    States: {
      AwaitDecision: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: functionArn('await'), Payload: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' } },
        ResultPath: '$.decision',
        Catch: [
          { ErrorEquals: ['Order.Cancelled'], ResultPath: '$.error', Next: 'Cancelled' },
          // Listed before States.Timeout on purpose: it must not match a timeout.
          { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Failed' },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' },
        ],
        Next: 'WasAccepted',
        ...taskFields,
      },
      WasAccepted: {
        Type: 'Choice',
        Choices: [{ Variable: '$.decision.decision', StringEquals: 'ACCEPT', Next: 'Accepted' }],
        Default: 'Declined',
      },
      Accepted: outcome('ACCEPTED'),
      Declined: outcome('DECLINED'),
      Cancelled: outcome('CANCELLED'),
      Failed: outcome('FAILED'),
      TimedOut: outcome('TIMED_OUT'),
    },
  };
}

/** A kit whose `await` Lambda hands each task token it receives to the test, in order. */
async function callbackKit(taskFields: object = {}): Promise<{ kit: Kit; nextToken: () => Promise<string> }> {
  const tokens: string[] = [];
  let waiting = deferred<void>();
  const kit = await startKit({
    machines: { Orders: callbackMachine(taskFields) },
    lambda: async (_arn, payload) => {
      tokens.push(tokenOf(payload));
      waiting.resolve();
      return { ok: true };
    },
  });
  const nextToken = async (): Promise<string> => {
    while (tokens.length === 0) {
      await waiting.promise;
      waiting = deferred<void>();
    }
    const token = tokens.shift();
    if (token === undefined) throw new Error('no token');
    return token;
  };
  return { kit, nextToken };
}

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.stop();
  kit = undefined;
});

describe('StartExecution', () => {
  it('returns the running execution for the same name and input, and runs it once', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const request = { stateMachineArn: kit.arn('Orders'), name: 'order-1', input: JSON.stringify({ orderId: 'o1' }) };

    const first = await kit.sfn.send(new StartExecutionCommand(request));
    const second = await kit.sfn.send(new StartExecutionCommand(request));
    await started.nextToken();

    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate?.getTime()).toBe(first.startDate?.getTime());
    expect(first.executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:Orders:order-1`);
    expect(kit.lambdaCalls).toHaveLength(1);
  });

  it('refuses the same name with a different input', async () => {
    const started = await callbackKit();
    kit = started.kit;
    await kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), name: 'order-1', input: '{"orderId":"o1"}' }));

    const again = kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), name: 'order-1', input: '{"orderId":"other"}' }),
    );

    await expect(again).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('refuses a name whose execution is closed, even with the same input (as AWS Standard)', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const request = { stateMachineArn: kit.arn('Orders'), name: 'order-1', input: '{"orderId":"o1"}' };
    const { executionArn } = await kit.sfn.send(new StartExecutionCommand(request));
    await kit.sfn.send(new StopExecutionCommand({ executionArn }));

    await expect(kit.sfn.send(new StartExecutionCommand(request))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('names an execution with a UUID when no name is given', async () => {
    const started = await callbackKit();
    kit = started.kit;

    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );

    expect(executionArn).toMatch(/:execution:Orders:[0-9a-f-]{36}$/);
  });

  it('rejects unknown machines, malformed ARNs and invalid names with the SDK exceptions', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const sfn = kit.sfn;

    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Nope') }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: 'not-an-arn' }))).rejects.toBeInstanceOf(InvalidArn);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), name: 'bad name' }))).rejects.toBeInstanceOf(
      InvalidName,
    );
  });
});

describe('waitForTaskToken', () => {
  it('resumes with the SendTaskSuccess output and follows the Choice', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );
    const token = await started.nextToken();

    await kit.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'ACCEPT' }) }));
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(done.status).toBe('SUCCEEDED');
    expect(parseOutput(done.output)).toEqual({ orderId: 'o1', decision: { decision: 'ACCEPT' }, outcome: 'ACCEPTED' });
    expect(kit.lambdaCalls[0]?.payload).toEqual({ orderId: 'o1', taskToken: token });
    expect(token.length).toBeGreaterThanOrEqual(100);
  });

  it('takes the Choice default branch for another answer', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );

    await kit.sfn.send(new SendTaskSuccessCommand({ taskToken: await started.nextToken(), output: '{"decision":"DECLINE"}' }));
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toMatchObject({ outcome: 'DECLINED' });
  });

  it('fails the task with the SendTaskFailure error name, which Catch matches', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );

    await kit.sfn.send(
      new SendTaskFailureCommand({ taskToken: await started.nextToken(), error: 'Order.Cancelled', cause: 'customer cancelled' }),
    );
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toMatchObject({
      outcome: 'CANCELLED',
      error: { Error: 'Order.Cancelled', Cause: 'customer cancelled' },
    });
  });

  it('refuses a token that was already used (TaskTimedOut) and one never issued (InvalidToken)', async () => {
    const started = await callbackKit();
    kit = started.kit;
    await kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }));
    const token = await started.nextToken();
    await kit.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"ACCEPT"}' }));

    const reuse = kit.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"DECLINE"}' }));
    const forged = kit.sfn.send(new SendTaskSuccessCommand({ taskToken: 'forged-token', output: '{}' }));

    await expect(reuse).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(forged).rejects.toBeInstanceOf(InvalidToken);
  });

  it('gives each attempt a fresh token', async () => {
    const started = await callbackKit({ Retry: [{ ErrorEquals: ['Store.Busy'], IntervalSeconds: 1, MaxAttempts: 1 }] });
    kit = started.kit;
    await kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }));
    const first = await started.nextToken();

    await kit.sfn.send(new SendTaskFailureCommand({ taskToken: first, error: 'Store.Busy' }));
    const second = await started.nextToken();

    expect(second).not.toBe(first);
  });
});

describe('task timeouts', () => {
  it('times out a wait after TimeoutSecondsPath seconds with States.Timeout, which Catch takes (not States.TaskFailed)', async () => {
    const started = await callbackKit({ TimeoutSecondsPath: '$.timeouts.decisionSeconds' });
    kit = started.kit;
    const input = JSON.stringify({ orderId: 'o1', timeouts: { decisionSeconds: 1 } });
    const { executionArn } = await kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input }));
    const token = await started.nextToken();

    const done = await waitForEnd(kit.sfn, executionArn ?? '');
    const late = kit.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));

    expect(parseOutput(done.output)).toMatchObject({ outcome: 'TIMED_OUT', error: { Error: 'States.Timeout' } });
    await expect(late).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('times out a wait with no heartbeat within HeartbeatSeconds', async () => {
    const started = await callbackKit({ TimeoutSeconds: 60, HeartbeatSeconds: 1 });
    kit = started.kit;
    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );
    await started.nextToken();

    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toMatchObject({ outcome: 'TIMED_OUT', error: { Error: 'States.Timeout' } });
  });

  it('keeps a wait alive while heartbeats arrive', async () => {
    const started = await callbackKit({ TimeoutSeconds: 60, HeartbeatSeconds: 1 });
    kit = started.kit;
    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );
    const token = await started.nextToken();

    for (let beat = 0; beat < 5; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await kit.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    await kit.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"ACCEPT"}' }));
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toMatchObject({ outcome: 'ACCEPTED' });
  });
});

describe('executions', () => {
  it('accepts SendTaskSuccess from inside the Lambda invoke, before the invoke returns', async () => {
    const holder: { sfn?: Kit['sfn'] } = {};
    kit = await startKit({
      machines: { Orders: callbackMachine() },
      lambda: async (_arn, payload) => {
        await holder.sfn?.send(new SendTaskSuccessCommand({ taskToken: tokenOf(payload), output: '{"decision":"ACCEPT"}' }));
        return {};
      },
    });
    holder.sfn = kit.sfn;

    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toMatchObject({ outcome: 'ACCEPTED' });
  });

  it('waitForIdle resolves once the execution is parked on its task token', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );

    await kit.endpoint.waitForIdle();
    const described = await kit.sfn.send(new DescribeExecutionCommand({ executionArn }));

    expect(kit.lambdaCalls).toHaveLength(1);
    expect(described.status).toBe('RUNNING');
  });

  it('times out the whole execution after the top-level TimeoutSeconds', async () => {
    const machine = { ...callbackMachine(), TimeoutSeconds: 1 };
    kit = await startKit({ machines: { Orders: machine } });

    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );
    const done = await waitForEnd(kit.sfn, executionArn ?? '');
    const history = await kit.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));

    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(history.events?.map((e) => e.type)).toEqual(['ExecutionTimedOut']);
  });
});

describe('closed-execution retention', () => {
  it('keeps the most recent closed executions only, yet still refuses a forgotten name', async () => {
    kit = await startKit({
      machines: { Quick: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } } },
      maxClosedExecutions: 2,
    });
    const arns: string[] = [];
    for (const name of ['e1', 'e2', 'e3']) {
      const { executionArn } = await kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Quick'), name, input: '{}' }));
      if (executionArn === undefined) throw new Error('no executionArn');
      await waitForEnd(kit.sfn, executionArn);
      arns.push(executionArn);
    }

    const listed = await kit.sfn.send(new ListExecutionsCommand({ stateMachineArn: kit.arn('Quick') }));
    const oldest = kit.sfn.send(new DescribeExecutionCommand({ executionArn: arns[0] }));
    const again = kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Quick'), name: 'e1', input: '{}' }));

    expect(listed.executions?.map((e) => e.name)).toEqual(['e3', 'e2']);
    await expect(oldest).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(again).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });
});

describe('StopExecution', () => {
  it('aborts the execution and invalidates its pending token', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );
    const token = await started.nextToken();

    const stopped = await kit.sfn.send(new StopExecutionCommand({ executionArn, error: 'Admin.Stop', cause: 'test' }));
    const described = await kit.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const late = await kit.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })).catch((error: unknown) => error);
    const history = await kit.sfn.send(new GetExecutionHistoryCommand({ executionArn }));

    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Admin.Stop', cause: 'test' });
    expect(late).toBeInstanceOf(TaskTimedOut);
    expect(history.events?.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Admin.Stop', cause: 'test' },
    });
  });
});

describe('Lambda integrations', () => {
  const invokeMachine = {
    StartAt: 'Estimate',
    States: {
      Estimate: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: functionArn('estimate'), 'Payload.$': '$' },
        ResultSelector: { 'estimate.$': '$.Payload', 'status.$': '$.StatusCode' },
        ResultPath: '$.delivery',
        Retry: [{ ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
        Catch: [{ ErrorEquals: ['OrderNotFound'], ResultPath: '$.error', Next: 'NotFound' }],
        End: true,
      },
      NotFound: { Type: 'Pass', Result: 'NOT_FOUND', ResultPath: '$.outcome', End: true },
    },
  };

  it('retries a transient Lambda service error, then succeeds with the AWS result shape', async () => {
    let calls = 0;
    kit = await startKit({
      machines: { Estimate: invokeMachine },
      lambda: async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error('try again'), { name: 'Lambda.ServiceException' });
        return { minutes: 25 };
      },
    });

    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Estimate'), input: '{"orderId":"o1"}' }),
    );
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(done.status).toBe('SUCCEEDED');
    expect(parseOutput(done.output)).toEqual({ orderId: 'o1', delivery: { estimate: { minutes: 25 }, status: 200 } });
    expect(kit.lambdaCalls).toHaveLength(2);
    expect(kit.lambdaCalls[0]).toEqual({ functionArn: functionArn('estimate'), payload: { orderId: 'o1' } });
  });

  it('surfaces a function error under its errorType, which Catch matches', async () => {
    kit = await startKit({
      machines: { Estimate: invokeMachine },
      lambda: async () => {
        throw Object.assign(new Error('no order o1'), { name: 'OrderNotFound' });
      },
    });

    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Estimate'), input: '{"orderId":"o1"}' }),
    );
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toMatchObject({
      outcome: 'NOT_FOUND',
      error: { Error: 'OrderNotFound', Cause: expect.stringContaining('"errorMessage":"no order o1"') },
    });
  });

  it('fails the execution with the error and cause when nothing catches it', async () => {
    kit = await startKit({
      machines: { Direct: { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: functionArn('thrower'), End: true } } } },
      lambda: async () => {
        throw Object.assign(new Error('boom'), { name: 'Kaboom' });
      },
    });

    const { executionArn } = await kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Direct'), input: '{}' }));
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Kaboom');
    expect(done.cause).toContain('boom');
  });

  it('invokes a plain function ARN with the state input and returns its result', async () => {
    kit = await startKit({
      machines: { Direct: { StartAt: 'Call', States: { Call: { Type: 'Task', Resource: functionArn('double'), End: true } } } },
      lambda: async (_arn, payload) => {
        const n = typeof payload === 'object' && payload !== null && 'n' in payload ? payload.n : undefined;
        return { doubled: typeof n === 'number' ? n * 2 : null };
      },
    });

    const { executionArn } = await kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Direct'), input: '{"n":21}' }));
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toEqual({ doubled: 42 });
  });
});

describe('DynamoDB and SNS integrations', () => {
  const guardedUpdate = {
    StartAt: 'Cancel',
    States: {
      Cancel: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:updateItem',
        Parameters: {
          TableName: 'Orders',
          Key: { orderId: { 'S.$': '$.orderId' } },
          UpdateExpression: 'SET #s = :cancelled, #at = :now',
          ConditionExpression: '#s = :placed',
          ExpressionAttributeNames: { '#s': 'status', '#at': 'cancelledAt' },
          ExpressionAttributeValues: {
            ':cancelled': { S: 'CANCELLED' },
            ':placed': { S: 'PLACED' },
            ':now': { 'S.$': '$$.State.EnteredTime' },
          },
        },
        ResultPath: null,
        Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.error', Next: 'Reload' }],
        Next: 'Alert',
      },
      Reload: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:getItem',
        Parameters: { TableName: 'Orders', Key: { orderId: { 'S.$': '$.orderId' } }, ConsistentRead: true },
        ResultSelector: { 'status.$': '$.Item.status.S' },
        ResultPath: '$.reloaded',
        End: true,
      },
      Alert: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sns:publish',
        Parameters: { TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`, Message: { 'orderId.$': '$.orderId', kind: 'CANCELLED' } },
        ResultSelector: { 'messageId.$': '$.MessageId' },
        ResultPath: '$.alert',
        End: true,
      },
    },
  };

  it('sends updateItem with the evaluated parameters, then publishes to SNS', async () => {
    const dynamoCommands: unknown[] = [];
    const snsCommands: unknown[] = [];
    kit = await startKit({
      machines: { Cancel: guardedUpdate },
      dynamodbSend: async (command) => {
        dynamoCommands.push(command);
        return { $metadata: {} };
      },
      snsSend: async (command) => {
        snsCommands.push(command);
        return { MessageId: 'm-1', $metadata: {} };
      },
    });

    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Cancel'), input: '{"orderId":"o1"}' }),
    );
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toEqual({ orderId: 'o1', alert: { messageId: 'm-1' } });
    const [update] = dynamoCommands;
    const [publish] = snsCommands;
    if (!(update instanceof UpdateItemCommand) || !(publish instanceof PublishCommand)) throw new Error('unexpected commands');
    expect(update.input).toMatchObject({ TableName: 'Orders', Key: { orderId: { S: 'o1' } }, ConditionExpression: '#s = :placed' });
    expect(update.input.ExpressionAttributeValues?.[':now']?.S).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(JSON.parse(publish.input.Message ?? '')).toEqual({ orderId: 'o1', kind: 'CANCELLED' });
  });

  it('names a failed condition DynamoDB.ConditionalCheckFailedException, so Catch can reload the item', async () => {
    kit = await startKit({
      machines: { Cancel: guardedUpdate },
      dynamodbSend: async (command) => {
        if (command instanceof GetItemCommand) return { Item: { orderId: { S: 'o1' }, status: { S: 'ACCEPTED' } }, $metadata: {} };
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      },
    });

    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Cancel'), input: '{"orderId":"o1"}' }),
    );
    const done = await waitForEnd(kit.sfn, executionArn ?? '');

    expect(parseOutput(done.output)).toMatchObject({
      error: { Error: 'DynamoDB.ConditionalCheckFailedException' },
      reloaded: { status: 'ACCEPTED' },
    });
  });
});

describe('queries', () => {
  it('lists executions by status and state machines, and describes a machine', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const running = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), name: 'running', input: '{"orderId":"a"}' }),
    );
    const stopped = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), name: 'stopped', input: '{"orderId":"b"}' }),
    );
    await kit.sfn.send(new StopExecutionCommand({ executionArn: stopped.executionArn }));

    const listed = await kit.sfn.send(new ListExecutionsCommand({ stateMachineArn: kit.arn('Orders'), statusFilter: 'RUNNING' }));
    const machines = await kit.sfn.send(new ListStateMachinesCommand({}));
    const machine = await kit.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: kit.arn('Orders') }));

    expect(listed.executions?.map((e) => e.executionArn)).toEqual([running.executionArn]);
    expect(machines.stateMachines?.map((m) => m.name)).toEqual(['Orders']);
    expect(JSON.parse(machine.definition ?? '')).toEqual(callbackMachine());
  });

  it('answers ExecutionDoesNotExist for an unknown execution', async () => {
    const started = await callbackKit();
    kit = started.kit;

    const described = kit.sfn.send(
      new DescribeExecutionCommand({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:Orders:nope` }),
    );

    await expect(described).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('records the history of a callback task in order', async () => {
    const started = await callbackKit();
    kit = started.kit;
    const { executionArn } = await kit.sfn.send(
      new StartExecutionCommand({ stateMachineArn: kit.arn('Orders'), input: '{"orderId":"o1"}' }),
    );
    await kit.sfn.send(new SendTaskSuccessCommand({ taskToken: await started.nextToken(), output: '{"decision":"ACCEPT"}' }));
    await waitForEnd(kit.sfn, executionArn ?? '');

    const history = await kit.sfn.send(new GetExecutionHistoryCommand({ executionArn }));

    expect(history.events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events?.[2]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      region: REGION,
    });
    expect(history.events?.map((e) => e.id)).toEqual(history.events?.map((_, i) => i + 1));
  });
});

describe('startStepFunctionsEndpoint', () => {
  const base = { region: REGION, accountId: ACCOUNT, invokeLambda: async () => ({}) };
  const clients = async () => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { SNSClient } = await import('@aws-sdk/client-sns');
    return { dynamodb: new DynamoDBClient({ region: REGION }), sns: new SNSClient({ region: REGION }) };
  };

  it('refuses an unsupported Resource, naming the state and the resource', async () => {
    const definition = JSON.stringify({
      StartAt: 'Run',
      States: { Run: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', Parameters: { Cluster: 'x' }, End: true } },
    });

    const start = startStepFunctionsEndpoint({ ...base, ...(await clients()), stateMachines: [{ name: 'Bad', definition }] });

    await expect(start).rejects.toThrow(DefinitionError);
    await expect(start).rejects.toThrow(/state Run: Resource arn:aws:states:::ecs:runTask\.sync/);
  });

  it('refuses an invalid ASL definition with the validator’s reasons', async () => {
    const definition = JSON.stringify({ StartAt: 'Missing', States: { Only: { Type: 'Pass', End: true } } });

    const start = startStepFunctionsEndpoint({ ...base, ...(await clients()), stateMachines: [{ name: 'Bad', definition }] });

    await expect(start).rejects.toThrow(/invalid ASL definition/);
  });

  it('loads the order workflow once its placeholders are substituted', async () => {
    const text = await readFile(new URL('../../workflow/order.asl.json', import.meta.url), 'utf8');
    const definition = text.replace(/\$\{(\w+)\}/g, (_, name: string) => (name.endsWith('FunctionArn') ? functionArn(name) : name));

    const endpoint = await startStepFunctionsEndpoint({ ...base, ...(await clients()), stateMachines: [{ name: 'Order', definition }] });
    await endpoint.stop();

    expect(endpoint.stateMachineArn('Order')).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Order`);
  });
});
