/**
 * AWS's size limits and task-token shape, over real sockets on port 0: what AWS refuses, this
 * endpoint refuses with AWS's error type, and nothing changes (no execution, no history event, the
 * task still waits). Sources of each limit: README.md, "Limits".
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deferred,
  functionArn,
  parseOutput,
  startKit,
  startPersistentNode,
  tokenOf,
  waitForEnd,
  type Kit,
  type PersistentNode,
} from './testkit.js';

const KIB_256 = 262_144;
/** Standard base64, as AWS's tokens are; never base64url's `-` and `_`. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const kits: Kit[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const kit of kits.splice(0)) await kit.stop();
  // Last in, first out: the endpoints stop before their folder goes.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Waits on a callback; a caught failure or its answer ends it. */
const CALLBACK = {
  StartAt: 'AwaitParty',
  States: {
    AwaitParty: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: functionArn('awaitParty'), Payload: { 'taskToken.$': '$$.Task.Token' } },
      ResultPath: '$.decision',
      Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Failed' }],
      End: true,
    },
    Failed: { Type: 'Pass', End: true },
  },
};

/** A Lambda task whose result goes to `$.result`, with the given Retry/Catch (a catcher goes to `Caught`). */
function resultMachine(handling: { Retry?: object[]; Catch?: object[] }): object {
  const fetch = { Type: 'Task', Resource: functionArn('fetch'), ResultPath: '$.result', End: true, ...handling };
  return { StartAt: 'Fetch', States: handling.Catch ? { Fetch: fetch, Caught: { Type: 'Pass', End: true } } : { Fetch: fetch } };
}

/** A Pass state doubling its input, then a Lambda task. */
const DOUBLING = {
  StartAt: 'Double',
  States: {
    Double: { Type: 'Pass', Parameters: { 'first.$': '$.blob', 'second.$': '$.blob' }, Next: 'Notify' },
    Notify: { Type: 'Task', Resource: functionArn('notify'), End: true },
  },
};

/** A kit whose awaitParty Lambda hands its first task token to the test; `fetch` answers `fetch()`. */
async function kitWith(fetch: () => unknown = () => ({})): Promise<{ kit: Kit; token: Promise<string> }> {
  const token = deferred<string>();
  const kit = await startKit({
    machines: {
      Callback: CALLBACK,
      Doubling: DOUBLING,
      CatchNamed: resultMachine({ Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], ResultPath: '$.error', Next: 'Caught' }] }),
      CatchAll: resultMachine({ Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }] }),
      RetryNamed: resultMachine({ Retry: [{ ErrorEquals: ['States.DataLimitExceeded'], IntervalSeconds: 1, MaxAttempts: 1 }] }),
    },
    lambda: async (arn, payload) => {
      if (arn === functionArn('awaitParty')) token.resolve(tokenOf(payload));
      return arn === functionArn('fetch') ? fetch() : {};
    },
  });
  kits.push(kit);
  return { kit, token: token.promise };
}

async function start(sfn: SFNClient, stateMachineArn: string, input: object = {}): Promise<string> {
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  if (started.executionArn === undefined) throw new Error('no executionArn');
  return started.executionArn;
}

async function historyTypes(sfn: SFNClient, executionArn: string): Promise<string[]> {
  const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  return (history.events ?? []).map((e) => e.type ?? '');
}

describe('payload limits (256 KiB of UTF-8)', () => {
  it('refuses a SendTaskSuccess output over 256 KiB with InvalidOutput, counting UTF-8 bytes; the task still waits', async () => {
    const { kit, token } = await kitWith();
    const executionArn = await start(kit.sfn, kit.arn('Callback'));
    const taskToken = await token;
    await kit.endpoint.waitForIdle();
    const before = await historyTypes(kit.sfn, executionArn);

    const ascii = JSON.stringify({ blob: 'x'.repeat(300_000) });
    // 100,000 characters, 300,000 bytes: the limit is on bytes.
    const euros = JSON.stringify({ blob: '€'.repeat(100_000) });
    for (const output of [ascii, euros]) {
      await expect(kit.sfn.send(new SendTaskSuccessCommand({ taskToken, output }))).rejects.toMatchObject({
        name: 'InvalidOutput',
        message: expect.stringContaining(String(KIB_256)),
      });
    }

    expect(await kit.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'RUNNING' });
    expect(await historyTypes(kit.sfn, executionArn)).toEqual(before);
    // The same token still completes the task.
    await kit.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ decision: 'ACCEPT' }) }));
    const ended = await waitForEnd(kit.sfn, executionArn);
    expect(ended.status).toBe('SUCCEEDED');
    expect(parseOutput(ended.output)).toEqual({ decision: { decision: 'ACCEPT' } });
  });

  it('refuses StartExecution input over 256 KiB with InvalidExecutionInput and creates no execution', async () => {
    const { kit } = await kitWith();
    const input = JSON.stringify({ blob: 'x'.repeat(KIB_256) });

    await expect(
      kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Callback'), name: 'too-big', input })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput', message: expect.stringContaining(String(KIB_256)) });

    const listed = await kit.sfn.send(new ListExecutionsCommand({ stateMachineArn: kit.arn('Callback') }));
    expect(listed.executions).toEqual([]);
    expect(kit.lambdaCalls).toEqual([]);
    // The name was not taken either.
    await expect(
      kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('Callback'), name: 'too-big', input: '{}' })),
    ).resolves.toMatchObject({ executionArn: expect.stringContaining(':too-big') });
  });

  it('fails the execution with States.DataLimitExceeded when a Pass state outputs more than 256 KiB; the next state never runs', async () => {
    const { kit } = await kitWith();
    const executionArn = await start(kit.sfn, kit.arn('Doubling'), { blob: 'x'.repeat(200_000) });

    const ended = await waitForEnd(kit.sfn, executionArn);

    expect(ended).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded', cause: expect.stringContaining("'Double'") });
    expect(kit.lambdaCalls).toEqual([]);
    const types = await historyTypes(kit.sfn, executionArn);
    expect(types).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
  });

  it('fails a Task whose result is over 256 KiB with States.DataLimitExceeded, which a Catch naming it takes', async () => {
    const { kit } = await kitWith(() => ({ blob: 'x'.repeat(300_000) }));
    const executionArn = await start(kit.sfn, kit.arn('CatchNamed'));

    const ended = await waitForEnd(kit.sfn, executionArn);

    expect(ended.status).toBe('SUCCEEDED');
    expect(parseOutput(ended.output)).toEqual({
      error: { Error: 'States.DataLimitExceeded', Cause: expect.stringContaining("'Fetch'") },
    });
  });

  it('leaves States.DataLimitExceeded to States.ALL uncaught: the execution fails, as AWS documents for this terminal error', async () => {
    const { kit } = await kitWith(() => ({ blob: 'x'.repeat(300_000) }));
    const executionArn = await start(kit.sfn, kit.arn('CatchAll'));

    const ended = await waitForEnd(kit.sfn, executionArn);

    expect(ended).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(await historyTypes(kit.sfn, executionArn)).not.toContain('PassStateEntered');
  });

  it('retries States.DataLimitExceeded with a retrier naming it', async () => {
    let calls = 0;
    const { kit } = await kitWith(() => (++calls === 1 ? { blob: 'x'.repeat(300_000) } : { small: true }));
    const executionArn = await start(kit.sfn, kit.arn('RetryNamed'));

    const ended = await waitForEnd(kit.sfn, executionArn);

    expect(ended.status).toBe('SUCCEEDED');
    expect(parseOutput(ended.output)).toEqual({ result: { small: true } });
    expect(calls).toBe(2);
  });
});

describe('error and cause lengths', () => {
  it('refuses a SendTaskFailure error over 256 characters or a cause over 32,768 with ValidationException; the task still waits', async () => {
    const { kit, token } = await kitWith();
    const executionArn = await start(kit.sfn, kit.arn('Callback'));
    const taskToken = await token;

    await expect(kit.sfn.send(new SendTaskFailureCommand({ taskToken, error: 'E'.repeat(257) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'error' failed to satisfy constraint: Member must have length less than or equal to 256"),
    });
    await expect(kit.sfn.send(new SendTaskFailureCommand({ taskToken, error: 'E', cause: 'c'.repeat(32_769) }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'cause' failed to satisfy constraint: Member must have length less than or equal to 32768"),
    });
    expect(await kit.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'RUNNING' });

    // At the limits, the failure goes through and the Catch takes it.
    const error = 'E'.repeat(256);
    await kit.sfn.send(new SendTaskFailureCommand({ taskToken, error, cause: 'c'.repeat(32_768) }));
    const ended = await waitForEnd(kit.sfn, executionArn);
    expect(ended.status).toBe('SUCCEEDED');
    expect(parseOutput(ended.output)).toMatchObject({ error: { Error: error } });
  });

  it('refuses a StopExecution error over 256 characters; the execution keeps running', async () => {
    const { kit, token } = await kitWith();
    const executionArn = await start(kit.sfn, kit.arn('Callback'));
    await token;

    await expect(kit.sfn.send(new StopExecutionCommand({ executionArn, error: 'E'.repeat(257) }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect(await kit.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'RUNNING' });
  });
});

describe('task tokens', () => {
  it("are standard base64 with '+' and '/', at most 1024 characters, and work as issued", async () => {
    const { kit, token } = await kitWith();
    const executionArn = await start(kit.sfn, kit.arn('Callback'));
    const taskToken = await token;

    expect(taskToken).toMatch(BASE64);
    expect(taskToken).toContain('+');
    expect(taskToken).toContain('/');
    expect(taskToken.length).toBeLessThanOrEqual(1024);
    // A client that puts the token in a query string unencoded turns '+' into a space: refused, as on AWS.
    await expect(kit.sfn.send(new SendTaskHeartbeatCommand({ taskToken: taskToken.replaceAll('+', ' ') }))).rejects.toMatchObject({
      name: 'InvalidToken',
    });

    await kit.sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
    await kit.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    expect((await waitForEnd(kit.sfn, executionArn)).status).toBe('SUCCEEDED');
  });

  it('round-trip through a restart with a folder: the token issued before completes the resumed task', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sfn-limits-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await persistentNode(dir);
    const executionArn = await start(first.sfn, first.endpoint.stateMachineArn('Callback'));
    const oldToken = await first.tokens.next();
    await first.stop();

    const second = await persistentNode(dir);
    second.endpoint.resumeExecutions();
    const newToken = await second.tokens.next();
    expect([oldToken, newToken]).toEqual([expect.stringMatching(BASE64), expect.stringMatching(BASE64)]);
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: oldToken, output: JSON.stringify({ decision: 'ACCEPT' }) }));

    const ended = await waitForEnd(second.sfn, executionArn);
    expect(ended.status).toBe('SUCCEEDED');
    await expect(second.sfn.send(new SendTaskHeartbeatCommand({ taskToken: newToken }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
  });
});

/** A persistent endpoint running CALLBACK; `tokens.next()` is the next token awaitParty got. */
async function persistentNode(persistDir: string): Promise<PersistentNode & { tokens: { next(): Promise<string> } }> {
  const node = await startPersistentNode(persistDir, { Callback: CALLBACK });
  cleanups.push(() => node.stop());
  return { ...node, tokens: { next: async () => tokenOf(await node.calls.next()) } };
}
