/**
 * Executions kept in a folder across restarts: over real sockets on port 0, an endpoint is
 * stopped (or its folder copied while it runs, as a kill would leave it) and a new endpoint on the
 * same folder finds the executions, keeps their names, and continues the running ones.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { PersistedExecutionError } from './index.js';
import { functionArn, parseOutput, startPersistentNode, tokenOf, waitForEnd, type LambdaCalls, type PersistentNode } from './testkit.js';

/** A Lambda stub whose calls a test can await one by one. */
const nodes: PersistentNode[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const node of nodes.splice(0)) await node.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sfn-persist-'));
  dirs.push(dir);
  return dir;
}

/** A persistent endpoint (testkit) that this file stops after each test. */
async function startNode(...args: Parameters<typeof startPersistentNode>): Promise<PersistentNode> {
  const node = await startPersistentNode(...args);
  nodes.push(node);
  return node;
}

/** Waits for a callback (the order workflow's awaitParty, in short), then says what came back. */
function callbackMachine(extra: { TimeoutSeconds?: number } = {}): object {
  return {
    StartAt: 'AwaitParty',
    States: {
      AwaitParty: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: functionArn('awaitParty'), Payload: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' } },
        ...extra,
        ResultPath: '$.decision',
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' }],
        Next: 'Estimate',
      },
      Estimate: { Type: 'Task', Resource: functionArn('estimate'), ResultPath: '$.eta', End: true },
      TimedOut: { Type: 'Pass', End: true },
    },
  };
}

const WAIT_MACHINE = {
  StartAt: 'Pause',
  States: { Pause: { Type: 'Wait', Seconds: 1, Next: 'Done' }, Done: { Type: 'Pass', Result: 'waited', End: true } },
};

const MACHINES = { Callback: callbackMachine(), TimedCallback: callbackMachine({ TimeoutSeconds: 1 }), Wait: WAIT_MACHINE };

async function start(node: PersistentNode, machine: string, name: string, input: object): Promise<string> {
  const started = await node.sfn.send(
    new StartExecutionCommand({ stateMachineArn: node.arn(machine), name, input: JSON.stringify(input) }),
  );
  if (started.executionArn === undefined) throw new Error('no executionArn');
  return started.executionArn;
}

async function historyTypes(node: PersistentNode, executionArn: string): Promise<string[]> {
  const history = await node.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  return (history.events ?? []).map((e) => e.type ?? '');
}

/** The estimate Lambda answers; awaitParty only records its token (the test completes it). */
const answer = async (arn: string): Promise<unknown> => (arn === functionArn('estimate') ? { minutes: 25 } : {});

describe('startStepFunctionsEndpoint with persistDir', () => {
  it('keeps executions across a stop: listed, names reserved, the old task token completes the resumed task', async () => {
    const dir = await tempDir();
    const first = await startNode(dir, MACHINES, answer);
    const waiting = await start(first, 'Callback', 'order-1', { orderId: 'o1' });
    const oldToken = tokenOf(await first.calls.next());
    const finished = await start(first, 'Wait', 'short-wait', {});
    await waitForEnd(first.sfn, finished);
    await first.stop();

    const second = await startNode(dir, MACHINES, answer);
    const described = await second.sfn.send(new DescribeExecutionCommand({ executionArn: waiting }));
    expect(described).toMatchObject({ status: 'RUNNING', name: 'order-1', input: JSON.stringify({ orderId: 'o1' }) });
    const listed = await second.sfn.send(new ListExecutionsCommand({ stateMachineArn: second.arn('Wait') }));
    expect(listed.executions).toEqual([expect.objectContaining({ executionArn: finished, status: 'SUCCEEDED' })]);
    expect(await historyTypes(second, finished)).toContain('ExecutionSucceeded');
    // As on AWS: the same input while RUNNING is the same execution; anything else is taken.
    await expect(start(second, 'Callback', 'order-1', { orderId: 'o1' })).resolves.toBe(waiting);
    await expect(start(second, 'Callback', 'order-1', { orderId: 'other' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(start(second, 'Wait', 'short-wait', {})).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });

    second.endpoint.resumeExecutions();
    // The callback request is sent again, with a fresh token; the old one is still accepted.
    const newToken = tokenOf(await second.calls.next());
    expect(newToken).not.toBe(oldToken);
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: JSON.stringify({ decision: 'ACCEPT' }) }));
    const ended = await waitForEnd(second.sfn, waiting);
    expect(ended.status).toBe('SUCCEEDED');
    expect(parseOutput(ended.output)).toEqual({ orderId: 'o1', decision: { decision: 'ACCEPT' }, eta: { minutes: 25 } });
    await expect(second.sfn.send(new SendTaskSuccessCommand({ taskToken: newToken, output: '{}' }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    const types = await historyTypes(second, waiting);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
    expect(types.at(-1)).toBe('ExecutionSucceeded');
  });

  it('continues from files left as a kill leaves them (no clean stop, a stray temp file)', async () => {
    const dir = await tempDir();
    let estimateAnswers = false;
    const hangingEstimate = async (arn: string): Promise<unknown> =>
      arn === functionArn('estimate') && !estimateAnswers ? new Promise(() => {}) : answer(arn);
    const first = await startNode(dir, MACHINES, hangingEstimate);
    const waiting = await start(first, 'Callback', 'order-2', { orderId: 'o2' });
    await first.calls.next();
    const estimating = await start(first, 'Callback', 'order-3', { orderId: 'o3' });
    const token3 = tokenOf(await first.calls.next());
    await first.sfn.send(new SendTaskSuccessCommand({ taskToken: token3, output: JSON.stringify({ decision: 'ACCEPT' }) }));
    expect(await first.calls.next()).toEqual({ orderId: 'o3', decision: { decision: 'ACCEPT' } });
    await first.endpoint.persisted();
    // What a kill leaves: the files as they are now, plus a write cut short.
    const crashed = await tempDir();
    await cp(dir, crashed, { recursive: true });
    await writeFile(join(crashed, 'cut-short.json.tmp'), '{"format":1,"exec');

    estimateAnswers = true;
    const second = await startNode(crashed, MACHINES, hangingEstimate);
    expect((await readdir(crashed)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    second.endpoint.resumeExecutions();
    // The Lambda task that was under way runs again (at-least-once, as Lambda retries).
    const ended3 = await waitForEnd(second.sfn, estimating);
    expect(ended3.status).toBe('SUCCEEDED');
    expect(parseOutput(ended3.output)).toMatchObject({ eta: { minutes: 25 } });
    // The waiting task re-sends its request; the new token completes it.
    const token2 = tokenOf(await waitForCall(second.calls, 'o2'));
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token2, output: JSON.stringify({ decision: 'DECLINE' }) }));
    expect((await waitForEnd(second.sfn, waiting)).status).toBe('SUCCEEDED');
  });

  it('fires a task timeout and ends a Wait that fell due while the endpoint was down', async () => {
    const dir = await tempDir();
    const first = await startNode(dir, MACHINES, answer);
    const timed = await start(first, 'TimedCallback', 'order-4', { orderId: 'o4' });
    await first.calls.next();
    const waiting = await start(first, 'Wait', 'pause-1', {});
    await first.endpoint.persisted();
    await first.stop();
    // Downtime longer than both the task's TimeoutSeconds and the Wait's Seconds (1 s each).
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const second = await startNode(dir, MACHINES, answer);
    second.endpoint.resumeExecutions();
    const timedOut = await waitForEnd(second.sfn, timed);
    expect(timedOut.status).toBe('SUCCEEDED');
    expect(parseOutput(timedOut.output)).toMatchObject({ orderId: 'o4', error: { Error: 'States.Timeout' } });
    expect(await historyTypes(second, timed)).toContain('TaskTimedOut');
    // Overdue: the callback request is not sent again.
    expect(second.calls.all).toEqual([]);
    const waited = await waitForEnd(second.sfn, waiting);
    expect(waited).toMatchObject({ status: 'SUCCEEDED', output: '"waited"' });
  });

  it('keeps deadlines as absolute times: an hour-long timeout and Wait end at once when their hour has passed', async () => {
    const hour = {
      TimedCallback: callbackMachine({ TimeoutSeconds: 3600 }),
      Wait: { ...WAIT_MACHINE, States: { ...WAIT_MACHINE.States, Pause: { Type: 'Wait', Seconds: 3600, Next: 'Done' } } },
    };
    const dir = await tempDir();
    const first = await startNode(dir, hour, answer);
    const timed = await start(first, 'TimedCallback', 'order-6', { orderId: 'o6' });
    await first.calls.next();
    const waiting = await start(first, 'Wait', 'pause-2', {});
    await first.endpoint.persisted();
    await first.stop();
    // The hour passes while the endpoint is down: every saved deadline is moved into the past.
    let moved = 0;
    for (const file of await readdir(dir)) {
      const path = join(dir, file);
      const text = await readFile(path, 'utf8');
      const past = String(Date.now() - 1000);
      moved += text.match(/"(timeoutDeadline|waitDeadline)":\d+/g)?.length ?? 0;
      await writeFile(path, text.replace(/"(timeoutDeadline|waitDeadline)":\d+/g, `"$1":${past}`));
    }
    expect(moved).toBe(2);

    const second = await startNode(dir, hour, answer);
    second.endpoint.resumeExecutions();
    expect(parseOutput((await waitForEnd(second.sfn, timed)).output)).toMatchObject({ error: { Error: 'States.Timeout' } });
    expect((await waitForEnd(second.sfn, waiting)).status).toBe('SUCCEEDED');
  });

  it('stops an execution read back but not resumed yet, for good', async () => {
    const dir = await tempDir();
    const first = await startNode(dir, MACHINES);
    const toStop = await start(first, 'Callback', 'order-5', { orderId: 'o5' });
    await first.calls.next();
    await first.stop();

    const second = await startNode(dir, MACHINES);
    await second.sfn.send(new StopExecutionCommand({ executionArn: toStop, cause: 'by test' }));
    second.endpoint.resumeExecutions();
    await second.stop();

    const third = await startNode(dir, MACHINES);
    third.endpoint.resumeExecutions();
    expect(await third.sfn.send(new DescribeExecutionCommand({ executionArn: toStop }))).toMatchObject({
      status: 'ABORTED',
      cause: 'by test',
    });
    expect((await historyTypes(third, toStop)).at(-1)).toBe('ExecutionAborted');
    expect([...second.calls.all, ...third.calls.all]).toEqual([]);
  });

  it('keeps the names of executions forgotten under maxClosedExecutions', async () => {
    const dir = await tempDir();
    const first = await startNode(dir, MACHINES, answer, 1);
    const older = await start(first, 'Wait', 'first', {});
    await waitForEnd(first.sfn, older);
    const newer = await start(first, 'Wait', 'second', {});
    await waitForEnd(first.sfn, newer);
    await first.stop();

    const second = await startNode(dir, MACHINES, answer, 1);
    await expect(second.sfn.send(new DescribeExecutionCommand({ executionArn: older }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    await expect(start(second, 'Wait', 'first', {})).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(await second.sfn.send(new DescribeExecutionCommand({ executionArn: newer }))).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('refuses a malformed execution file, naming it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'broken.json'), '{"format":1,"execution":{"status":"SLEEPING"}}');
    await expect(startNode(dir, MACHINES)).rejects.toThrow(PersistedExecutionError);
    await expect(startNode(dir, MACHINES)).rejects.toThrow(/broken\.json/);
  });
});

/** The next call for `orderId`, skipping others. */
async function waitForCall(calls: LambdaCalls, orderId: string): Promise<unknown> {
  for (;;) {
    const payload = await calls.next();
    if (typeof payload === 'object' && payload !== null && 'orderId' in payload && payload.orderId === orderId && 'taskToken' in payload)
      return payload;
  }
}
