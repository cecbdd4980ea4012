/**
 * `npm run order`'s report, from history-event and inspection factories: where an execution is,
 * the compact history, the text. No network (test/integration/cli.test.ts runs the command
 * against a stack).
 */
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { apiOrder } from '../../test/factories.js';
import { backendBanner } from '../banner.js';
import {
  compactHistory,
  describePosition,
  formatInspection,
  lastStateOf,
  maskTokens,
  positionOf,
  relative,
  summariseOutput,
  type Inspection,
} from './report.js';
import { parseStackFile } from './stack-file.js';

const T0 = Date.parse('2026-12-02T18:00:00.000Z');
const TOKEN = `AAAA${'a+b/'.repeat(127)}==`;
const WAIT = { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' };

/** A history event `ms` after T0 (ids and links do not matter to the report). */
function event(ms: number, type: HistoryEventType, details: Partial<HistoryEvent> = {}): HistoryEvent {
  return { id: 0, timestamp: new Date(T0 + ms), type, ...details };
}

function entered(ms: number, name: string, type = 'Task'): HistoryEvent {
  return event(ms, `${type}StateEntered` as HistoryEventType, { stateEnteredEventDetails: { name, input: '{}' } });
}

function exited(ms: number, name: string, type = 'Task'): HistoryEvent {
  return event(ms, `${type}StateExited` as HistoryEventType, { stateExitedEventDetails: { name, output: '{}' } });
}

function scheduled(ms: number, timeoutInSeconds?: number): HistoryEvent {
  return event(ms, 'TaskScheduled', {
    taskScheduledEventDetails: {
      ...WAIT,
      region: 'us-east-1',
      parameters: JSON.stringify({ Payload: { taskToken: TOKEN } }),
      ...(timeoutInSeconds === undefined ? {} : { timeoutInSeconds }),
    },
  });
}

function submitted(ms: number): HistoryEvent {
  return event(ms, 'TaskSubmitted', {
    taskSubmittedEventDetails: { ...WAIT, output: JSON.stringify({ Payload: { alerted: true }, StatusCode: 200 }) },
  });
}

/** An order placed at T0 whose workflow waits for the store (token out at +1.2 s, 600 s timeout). */
const waitingForStore: HistoryEvent[] = [
  event(0, 'ExecutionStarted'),
  entered(10, 'AwaitStoreDecision'),
  scheduled(20, 600),
  event(21, 'TaskStarted', { taskStartedEventDetails: WAIT }),
  submitted(1200),
];

describe('positionOf', () => {
  it('finds the Task a running execution waits in, with its token and deadline', () => {
    expect(positionOf(waitingForStore)).toEqual({
      state: 'AwaitStoreDecision',
      type: 'Task',
      enteredAt: '2026-12-02T18:00:00.010Z',
      task: {
        resource: 'lambda:invoke.waitForTaskToken',
        scheduledAt: '2026-12-02T18:00:00.020Z',
        attempt: 1,
        timesOutAt: '2026-12-02T18:10:00.020Z',
        tokenIssuedAt: '2026-12-02T18:00:01.200Z',
        waitsForTaskToken: true,
      },
    });
  });

  it('counts a retried attempt and forgets the token of the failed one', () => {
    const retried = [
      ...waitingForStore,
      event(2000, 'TaskFailed', { taskFailedEventDetails: { ...WAIT, error: 'States.TaskFailed' } }),
      scheduled(4000, 600),
    ];

    const position = positionOf(retried);

    expect(position?.task).toMatchObject({ attempt: 2, tokenIssuedAt: null, timesOutAt: '2026-12-02T18:10:04.000Z' });
  });

  it('follows the execution into the next state and is null between states', () => {
    const accepted = [
      ...waitingForStore,
      event(5000, 'TaskSucceeded', { taskSucceededEventDetails: { ...WAIT, output: '{"decision":"ACCEPT"}' } }),
      exited(5001, 'AwaitStoreDecision'),
    ];
    expect(positionOf(accepted)).toBeNull();

    const position = positionOf([
      ...accepted,
      entered(5002, 'WasAccepted', 'Choice'),
      exited(5003, 'WasAccepted', 'Choice'),
      entered(5004, 'AwaitPickup'),
    ]);

    expect(position).toMatchObject({ state: 'AwaitPickup', task: null });
    expect(lastStateOf([...accepted, entered(5002, 'WasAccepted', 'Choice')])).toBe('WasAccepted');
  });
});

describe('compactHistory', () => {
  it('writes one line per step, never the task parameters (they carry the token)', () => {
    const lines = compactHistory([
      ...waitingForStore,
      event(5000, 'TaskSucceeded', { taskSucceededEventDetails: { ...WAIT, output: '{"decision":"DECLINE"}' } }),
      exited(5001, 'AwaitStoreDecision'),
      entered(5002, 'Declined', 'Succeed'),
      exited(5003, 'Declined', 'Succeed'),
      event(5004, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } }),
    ]);

    expect(lines.map((l) => [l.state, l.what])).toEqual([
      [null, 'execution started'],
      ['AwaitStoreDecision', 'entered (Task)'],
      ['AwaitStoreDecision', 'task scheduled: lambda:invoke.waitForTaskToken, times out after 600 s'],
      ['AwaitStoreDecision', 'task token issued, waiting for SendTaskSuccess/Failure; request answered {"alerted":true}'],
      ['AwaitStoreDecision', 'succeeded {"decision":"DECLINE"}'],
      ['Declined', 'entered (Succeed)'],
      [null, 'execution succeeded'],
    ]);
    expect(lines[0]?.at).toBe('2026-12-02T18:00:00.000Z');
    expect(JSON.stringify(lines)).not.toContain('a+b/');
  });

  it('names the error of a timed-out task and of a failed execution', () => {
    const lines = compactHistory([
      event(0, 'TaskTimedOut', { taskTimedOutEventDetails: { ...WAIT, error: 'States.Timeout', cause: 'Task timed out after 600 s' } }),
      event(1, 'ExecutionFailed', { executionFailedEventDetails: { error: 'Order.DeliveryOverdue' } }),
    ]);

    expect(lines.map((l) => l.what)).toEqual([
      'timed out: States.Timeout (Task timed out after 600 s)',
      'execution failed: Order.DeliveryOverdue',
    ]);
  });
});

describe('summariseOutput and maskTokens', () => {
  it("shows an invoke result's Payload, nothing of a DynamoDB result, and masks anything token-shaped", () => {
    expect(summariseOutput(JSON.stringify({ Payload: { eta: 'soon' }, StatusCode: 200 }))).toBe('{"eta":"soon"}');
    expect(summariseOutput(JSON.stringify({ Attributes: {}, SdkHttpMetadata: {} }))).toBe('');
    expect(summariseOutput(JSON.stringify({ token: TOKEN }))).toBe('{"token":"[task token]"}');
    expect(maskTokens(`arn:aws:states:us-east-1:000000000000:execution:OrderWorkflow:${'f'.repeat(36)}`)).not.toContain('[task token]');
  });
});

describe('describePosition', () => {
  it('says where the order waits and when that wait times out', () => {
    const now = new Date(T0 + 2000);
    const position = positionOf(waitingForStore);
    if (position === null) throw new Error('no position');

    expect(describePosition(position, now)).toBe(
      'AwaitStoreDecision (Task): waiting for its task token (issued 2026-12-02T18:00:01.200Z); ' +
        'times out at 2026-12-02T18:10:00.020Z (in 9 min 58 s)',
    );
    expect(relative('2026-12-02T17:59:00.000Z', now)).toBe('1 min 2 s ago');
  });
});

describe('formatInspection', () => {
  const inspection: Inspection = {
    orderId: 'o1',
    order: { order: { ...apiOrder(), deliverySteps: null }, storedBackendFields: ['storeTaskToken', 'idempotencyKey'] },
    workflow: {
      execution: {
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:OrderWorkflow:o1',
        status: 'RUNNING',
        startDate: '2026-12-02T18:00:00.000Z',
        stopDate: null,
        error: null,
        cause: null,
      },
      position: positionOf(waitingForStore),
      lastState: 'AwaitStoreDecision',
      history: compactHistory(waitingForStore),
    },
    alerts: [
      {
        queue: 'store-s1',
        state: 'ready',
        deadLettered: false,
        sentAt: '2026-12-02T18:00:01.100Z',
        receiveCount: 0,
        type: 'Order.Placed',
        body: { type: 'Order.Placed', orderId: 'o1' },
      },
    ],
  };

  it('prints the order, where its workflow waits, the history and the queued alert, and no token', () => {
    const text = formatInspection(inspection, new Date(T0 + 2000));

    expect(text).toContain('Order o1\n');
    expect(text).toMatch(/\n {2}status +PLACED\n/);
    expect(text).toContain('SMALL pie, LARGE cheese: OLIVE');
    expect(text).toContain('storeTaskToken, idempotencyKey stored (values not shown)');
    expect(text).toContain('now at  AwaitStoreDecision (Task): waiting for its task token');
    expect(text).toContain('History (4 steps)');
    expect(text).toMatch(/2026-12-02T18:00:01\.100Z {2}store-s1 {2}Order\.Placed {2}ready, never received/);
    expect(text).not.toContain('a+b/');
  });

  it('says where a closed execution ended, and that no alert is queued', () => {
    const ended: Inspection = {
      ...inspection,
      workflow: inspection.workflow && {
        ...inspection.workflow,
        execution: { ...inspection.workflow.execution, status: 'SUCCEEDED', stopDate: '2026-12-02T18:10:00.050Z' },
        position: null,
        lastState: 'TimedOut',
      },
      alerts: [],
    };

    const text = formatInspection(ended, new Date(T0));

    expect(text).toContain('SUCCEEDED in TimedOut at 2026-12-02T18:10:00.050Z');
    expect(text).toContain('Alerts    none in the queues');
  });

  it('says when the order has no execution yet', () => {
    expect(formatInspection({ ...inspection, workflow: null }, new Date(T0))).toContain('Workflow  no execution yet');
  });
});

describe('parseStackFile', () => {
  it('refuses a file it does not understand, naming the field', () => {
    expect(() => parseStackFile({ pid: 1 }, 'x/stack.json')).toThrow(/x\/stack\.json is not a stack file .*startedAt/);
  });
});

describe('backendBanner', () => {
  it('lists the seeded stores and each backend emulator by role', () => {
    const text = backendBanner({
      stores: [{ storeId: 's1', name: 'Store One', coordinates: { latitude: 0, longitude: 0 } }],
      endpoints: { dynamodb: 'http://127.0.0.1:1', sfn: 'http://127.0.0.1:2', sqs: 'http://127.0.0.1:3', ssm: 'http://127.0.0.1:4' },
      tables: ['serverless-pizza-Orders'],
      queues: ['store-s1', 'drivers'],
      orderWorkflowArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:OrderWorkflow',
      inspectCommand: 'npm run order -- <orderId>',
    });

    expect(text).toContain('    s1  Store One\n');
    expect(text).toMatch(/Step Functions +http:\/\/127\.0\.0\.1:2 +workflow OrderWorkflow/);
    expect(text).toMatch(/SNS\/SQS +http:\/\/127\.0\.0\.1:3 +store and driver alerts, queues store-s1, drivers/);
    expect(text).toMatch(/DynamoDB Local +http:\/\/127\.0\.0\.1:1 +tables serverless-pizza-Orders/);
    expect(text).toMatch(/SSM +http:\/\/127\.0\.0\.1:4/);
    expect(text).toContain('Inspect order   npm run order -- <orderId>');
  });
});
