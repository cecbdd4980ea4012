/**
 * StartExecution throttling: AWS's token bucket, and the error a throttled call gets over the wire
 * (a real socket on port 0, the real SDK client).
 */
import { ListExecutionsCommand, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../util/aws.js';
import { REGION, startKit, type Kit } from './testkit.js';
import { AWS_START_EXECUTION_RATE, TokenBucket } from './throttle.js';

const PASS = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };

const kits: Kit[] = [];
afterEach(async () => {
  for (const kit of kits.splice(0)) await kit.stop();
});

describe('TokenBucket', () => {
  it('lets a burst of bucketSize through, then refills at refillPerSecond, never above bucketSize', () => {
    let now = 0;
    const bucket = new TokenBucket({ bucketSize: 3, refillPerSecond: 2 }, () => now);
    expect([1, 2, 3, 4].map(() => bucket.tryTake())).toEqual([true, true, true, false]);
    now += 499; // 0.998 of a token
    expect(bucket.tryTake()).toBe(false);
    now += 1;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    now += 60_000; // a minute idle fills it to 3, not 120
    expect([1, 2, 3, 4].map(() => bucket.tryTake())).toEqual([true, true, true, false]);
  });

  it('refuses a rate that could never let a call through', () => {
    expect(() => new TokenBucket({ bucketSize: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ bucketSize: 1, refillPerSecond: 0 })).toThrow(RangeError);
  });

  it("knows AWS's rate (standard workflows, us-east-1, us-west-2, eu-west-1)", () => {
    expect(AWS_START_EXECUTION_RATE).toEqual({ bucketSize: 1300, refillPerSecond: 300 });
  });
});

describe('StartExecution throttling', () => {
  it("answers an empty bucket with AWS's ThrottlingException (HTTP 400, Rate exceeded) and starts nothing", async () => {
    const kit = await startKit({ machines: { M: PASS }, startExecutionRate: { bucketSize: 2, refillPerSecond: 0.001 } });
    kits.push(kit);
    // No SDK retries, so the refusal itself is seen.
    const sfn = new SFNClient({ region: REGION, credentials: LOCAL_CREDENTIALS, endpoint: kit.endpoint.url, maxAttempts: 1 });
    try {
      const start = (name: string) => sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('M'), name, input: '{}' }));
      await start('a');
      await start('b');
      const refused = await start('c').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(SFNServiceException);
      expect(refused).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
      const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: kit.arn('M') }));
      expect(executions.map((e) => e.name).sort()).toEqual(['a', 'b']);
    } finally {
      sfn.destroy();
    }
  });

  it('does not throttle without a rate', async () => {
    const kit = await startKit({ machines: { M: PASS } });
    kits.push(kit);
    const names = Array.from({ length: 50 }, (_, i) => `n${i}`);
    await Promise.all(names.map((name) => kit.sfn.send(new StartExecutionCommand({ stateMachineArn: kit.arn('M'), name }))));
    const { executions = [] } = await kit.sfn.send(new ListExecutionsCommand({ stateMachineArn: kit.arn('M') }));
    expect(executions).toHaveLength(50);
  });
});
