import { PublishCommand, SNSClient, ListSubscriptionsByTopicCommand, GetSubscriptionAttributesCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueSpec, TopicSpec } from '../../infra/manifest-types.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../util/aws.js';
import { startMessaging, UnknownMessagingResourceError, UnsupportedAccountIdError, type Messaging } from './messaging.js';

const region = LOCAL_REGION;
const credentials = LOCAL_CREDENTIALS;
const topics: TopicSpec[] = [{ name: 'store-alerts' }];
const queues: QueueSpec[] = [
  { name: 'store-a', topic: 'store-alerts', filterPolicy: { storeId: ['A'] } },
  { name: 'store-b', topic: 'store-alerts', filterPolicy: { storeId: ['B'] }, maxReceiveCount: 1 },
  { name: 'everything', topic: 'store-alerts' },
];

describe('startMessaging', { timeout: 20_000 }, () => {
  let messaging: Messaging;
  let sns: SNSClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    messaging = await startMessaging({ region, accountId: '000000000000', topics, queues });
    sns = new SNSClient({ endpoint: messaging.endpoint, region, credentials });
    sqs = new SQSClient({ endpoint: messaging.endpoint, region, credentials });
  });
  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    await messaging?.stop();
  });

  const receive = async (queueUrl: string, waitSeconds = 0) =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSeconds,
          MessageAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];

  it('listens on loopback and names resources like AWS does', () => {
    expect(messaging.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(messaging.topicArn('store-alerts')).toBe('arn:aws:sns:us-east-1:000000000000:store-alerts');
    expect(messaging.queueUrl('store-a')).toBe(`${messaging.endpoint}/000000000000/store-a`);
    expect(messaging.dlqUrl('store-a')).toBe(`${messaging.endpoint}/000000000000/store-a-dlq`);
  });

  it('fans a message out only to the queues whose filter policy matches, raw', async () => {
    const body = JSON.stringify({ orderId: 'o-1', type: 'Order.Placed' });
    await sns.send(
      new PublishCommand({
        TopicArn: messaging.topicArn('store-alerts'),
        Message: body,
        MessageAttributes: { storeId: { DataType: 'String', StringValue: 'A' } },
      }),
    );

    const forA = await receive(messaging.queueUrl('store-a'), 1);
    const forAll = await receive(messaging.queueUrl('everything'), 1);
    const forB = await receive(messaging.queueUrl('store-b'));

    expect(forA.map((m) => m.Body)).toEqual([body]);
    expect(forA[0]?.MessageAttributes?.storeId?.StringValue).toBe('A');
    expect(forAll.map((m) => m.Body)).toEqual([body]);
    expect(forB).toEqual([]);
  });

  it('subscribes each queue once with raw delivery and its filter policy', async () => {
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: messaging.topicArn('store-alerts') }));
    expect(Subscriptions).toHaveLength(3);
    const forA = Subscriptions?.find((s) => s.Endpoint?.endsWith(':store-a'));
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: forA?.SubscriptionArn }));
    expect(Attributes?.RawMessageDelivery).toBe('true');
    expect(JSON.parse(Attributes?.FilterPolicy ?? 'null')).toEqual({ storeId: ['A'] });
  });

  it('gives each queue a dead-letter queue with the manifest maxReceiveCount (default 5)', async () => {
    const attributesOf = async (url: string) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
    const dlqA = await attributesOf(messaging.dlqUrl('store-a'));
    const a = await attributesOf(messaging.queueUrl('store-a'));
    const b = await attributesOf(messaging.queueUrl('store-b'));

    expect(JSON.parse(a.RedrivePolicy ?? 'null')).toEqual({ deadLetterTargetArn: dlqA.QueueArn, maxReceiveCount: 5 });
    expect(JSON.parse(b.RedrivePolicy ?? 'null')).toMatchObject({ maxReceiveCount: 1 });
  });

  it('moves a message received more than maxReceiveCount times to the dead-letter queue', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: messaging.queueUrl('store-b'), MessageBody: 'never handled' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: messaging.queueUrl('store-b'), VisibilityTimeout: 0 }));
    expect(first.Messages?.map((m) => m.Body)).toEqual(['never handled']);

    const second = await receive(messaging.queueUrl('store-b'));
    const dead = await receive(messaging.dlqUrl('store-b'), 1);

    expect(second).toEqual([]);
    expect(dead.map((m) => m.Body)).toEqual(['never handled']);
  });

  it('serves queue URLs that a client configured only by AWS_ENDPOINT_URL_SQS can use', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SQS: messaging.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    // Without an explicit endpoint the SDK sends to the QueueUrl's origin when it differs.
    const envOnly = new SQSClient({ region });
    try {
      const { QueueUrl } = await envOnly.send(new GetQueueUrlCommand({ QueueName: 'everything' }));
      expect(QueueUrl).toBe(messaging.queueUrl('everything'));
      const sent = await envOnly.send(new SendMessageCommand({ QueueUrl, MessageBody: 'via env' }));
      expect(sent.MessageId).toBeTypeOf('string');
      expect((await receive(messaging.queueUrl('everything'), 1)).map((m) => m.Body)).toEqual(['via env']);
    } finally {
      envOnly.destroy();
      process.env = saved;
    }
  });

  it('throws a named error for a name the manifest does not declare', () => {
    expect(() => messaging.queueUrl('nope')).toThrow(UnknownMessagingResourceError);
    expect(() => messaging.topicArn('nope')).toThrow(/unknown topic "nope"; the manifest declares: store-alerts/);
  });
});

describe('startMessaging set-up', () => {
  it('gives the same names the same ARNs and URL paths on every start', async () => {
    const first = await startMessaging({ region, topics, queues });
    const firstNames = [first.topicArn('store-alerts'), new URL(first.queueUrl('store-a')).pathname];
    await first.stop();
    const second = await startMessaging({ region, topics, queues });
    const secondNames = [second.topicArn('store-alerts'), new URL(second.queueUrl('store-a')).pathname];
    await second.stop();
    expect(secondNames).toEqual(firstNames);
  });

  it('refuses an account id fauxqs cannot use', async () => {
    await expect(startMessaging({ region, accountId: '123456789012', topics, queues })).rejects.toThrow(UnsupportedAccountIdError);
  });
});
