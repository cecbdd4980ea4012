/**
 * The default, persistent `npm start` as a user runs it: a child process on a temp data folder.
 * It prints its URLs and writes a working amplify-config.json and demo-users.json (the parties
 * sign in from them); the first order on a fresh folder is published; a second stack on the same
 * folder is refused; a change acknowledged right before a hard kill of the whole process group is
 * published after the restart, a store alert waiting in its SQS queue at the hard kill is still
 * there, and new changes reach a subscriber again; Ctrl-C stops it with its JVM.
 * (persistent-recovery.test.ts: orders left at every stage by a hard kill; cli.test.ts: the
 * options and the start-up errors. Separate files, so the two workers run them side by side.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { subscribe } from './harness.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/util/aws.js';
import { waitFor } from '../../local/util/wait.js';
import {
  cleanUpStacks,
  getOrder,
  jvmsFor,
  killGroup,
  partiesOf,
  placeOrder,
  publishedVersions,
  ready,
  sqsClient,
  start,
  storeQueueUrl,
  tempDir,
  until,
} from './npm-start.js';

cleanUpStacks();

describe('npm start with its data folder', { timeout: 240_000 }, () => {
  it('prints its URLs and writes a working config, publishes the first order, refuses a second stack there, publishes after a hard kill what was acknowledged before it, and stops on Ctrl-C with its JVM', async () => {
    const tmp = await tempDir();
    const dataDir = join(tmp, 'data');
    const first = start(tmp);
    await ready(first);
    expect(first.output()).toMatch(/GraphQL\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(first.output()).toMatch(/API key\s+da2-/);
    expect(first.output()).toMatch(/customer1@pizza\.example\s+\S+\s+customer/);

    // A second stack on the same folder is refused before it starts anything.
    const second = start(tmp);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`is in use by another local stack (pid ${first.pid}`);
    expect(jvmsFor(dataDir)).toHaveLength(1);

    const { customer1: customer, store1: store } = await partiesOf(tmp, 'customer1', 'store1');
    const live = await subscribe(store, { storeId: SEED_STORE_ID });
    const order = await placeOrder(customer);
    await live.waitFor((e) => e.orderId === order.orderId, `onOrderUpdated for the first order ${order.orderId}`, 20_000);
    live.unsubscribe();
    // The subscriber can hear of it before the publisher has finished: wait for its checkpoint.
    await until(() => existsSync(join(dataDir, 'stream-checkpoints.json')), 'the first stream checkpoint');

    // The store's Order.Placed alert waits in its queue (nothing in the local stack reads it).
    const queuedBefore = storeQueueUrl(first.output());
    const sqsBefore = sqsClient(queuedBefore);
    try {
      await waitFor(
        async () => {
          const { Attributes } = await sqsBefore.send(
            new GetQueueAttributesCommand({ QueueUrl: queuedBefore, AttributeNames: ['ApproximateNumberOfMessages'] }),
          );
          return Number(Attributes?.ApproximateNumberOfMessages ?? 0) > 0;
        },
        { what: 'the store alert to be queued', timeoutMs: 20_000 },
      );
    } finally {
      sqsBefore.destroy();
    }

    // A change DynamoDB acknowledged while Node could not see it (stopped), then a hard kill.
    const endpoint = /DynamoDB Local ready on (http:\/\/\S+)/.exec(first.output())?.[1];
    if (endpoint === undefined) throw new Error(`no DynamoDB endpoint in:\n${first.output()}`);
    process.kill(first.pid, 'SIGSTOP');
    const dynamodb = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    try {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: 'serverless-pizza-Orders',
          Key: { orderId: { S: order.orderId } },
          UpdateExpression: 'SET version = version + :one',
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':one': { N: '1' }, ':v': { N: '1' } },
        }),
      );
    } finally {
      dynamodb.destroy();
    }
    const killedAt = Date.now();
    killGroup(first.pid, 'SIGKILL');
    await first.exited;
    await until(() => jvmsFor(dataDir).length === 0, 'the JVM to die with its group');

    const restarted = start(tmp);
    await ready(restarted);
    expect(restarted.output()).toContain('stale lock');
    await until(() => publishedVersions(restarted.output(), order.orderId).includes(2), `version 2 of ${order.orderId} to be published`);
    // What was published before the kill is not published again.
    expect(publishedVersions(restarted.output(), order.orderId)).toEqual([2]);

    // The alert queued before the kill (sent before it: the resumed workflow may alert again).
    const queuedAfter = storeQueueUrl(restarted.output());
    const sqsAfter = sqsClient(queuedAfter);
    try {
      const { Messages } = await sqsAfter.send(
        new ReceiveMessageCommand({ QueueUrl: queuedAfter, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['SentTimestamp'] }),
      );
      const sentBefore = (Messages ?? []).filter((m) => Number(m.Attributes?.SentTimestamp) < killedAt);
      expect(sentBefore.some((m) => m.Body?.includes(order.orderId))).toBe(true);
    } finally {
      sqsAfter.destroy();
    }

    // The same accounts sign in again (the pool kept them), find the order and hear new changes.
    const { customer1: customerAgain, store1: storeAgain } = await partiesOf(tmp, 'customer1', 'store1');
    expect(customerAgain.sub).toBe(customer.sub);
    expect((await getOrder(customerAgain, order.orderId)).createdAt).toBe(order.createdAt);
    const liveAgain = await subscribe(storeAgain, { storeId: SEED_STORE_ID });
    const next = await placeOrder(customerAgain);
    await liveAgain.waitFor((e) => e.orderId === next.orderId, 'onOrderUpdated for an order placed after the restart', 20_000);
    liveAgain.unsubscribe();

    restarted.child.kill('SIGINT');
    expect(await restarted.exited).toBe(0);
    expect(restarted.output()).toContain('Stopped.');
    expect(jvmsFor(dataDir)).toEqual([]);
  });
});
