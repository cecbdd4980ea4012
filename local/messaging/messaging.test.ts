import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PublishCommand, SNSClient, ListSubscriptionsByTopicCommand, GetSubscriptionAttributesCommand } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../util/aws.js';
import { queues, topics } from './fixtures/specs.js';
import { MessagingJournalError } from './journal.js';
import { startMessaging, UnknownMessagingResourceError, UnsupportedAccountIdError, type Messaging } from './messaging.js';

const region = LOCAL_REGION;
const credentials = LOCAL_CREDENTIALS;

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

describe('startMessaging with a dataDir', { timeout: 30_000 }, () => {
  let dataDir: string;
  const running: Messaging[] = [];
  const clients: { destroy(): void }[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'messaging-'));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const messaging of running.splice(0)) await messaging.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const messaging = await startMessaging({ region, topics, queues, dataDir });
    running.push(messaging);
    return messaging;
  };
  const clientsFor = (endpoint: string) => {
    const sns = new SNSClient({ endpoint, region, credentials });
    const sqs = new SQSClient({ endpoint, region, credentials });
    clients.push(sns, sqs);
    return { sns, sqs };
  };
  const receive = async (sqs: SQSClient, queueUrl: string, options: { wait?: number; visibility?: number } = {}) =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: options.wait ?? 0,
          VisibilityTimeout: options.visibility,
          MessageAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];
  const publishTo = (sns: SNSClient, messaging: Messaging, storeId: string, body: string) =>
    sns.send(
      new PublishCommand({
        TopicArn: messaging.topicArn('store-alerts'),
        Message: body,
        MessageAttributes: { storeId: { DataType: 'String', StringValue: storeId } },
      }),
    );

  it('keeps queued messages across a stop and a start, and forgets deleted ones', async () => {
    const first = await start();
    const before = clientsFor(first.endpoint);
    await before.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl('everything'), MessageBody: 'handled' }));
    const [handled] = await receive(before.sqs, first.queueUrl('everything'));
    await before.sqs.send(new DeleteMessageCommand({ QueueUrl: first.queueUrl('everything'), ReceiptHandle: handled?.ReceiptHandle }));
    await before.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl('store-a'), MessageBody: 'sent' }));
    await publishTo(before.sns, first, 'A', 'published');
    await first.stop();

    const second = await start();
    const after = clientsFor(second.endpoint);
    const forA = await receive(after.sqs, second.queueUrl('store-a'));
    const forAll = await receive(after.sqs, second.queueUrl('everything'));

    expect(forA.map((m) => m.Body)).toEqual(['sent', 'published']);
    expect(forA[1]?.MessageAttributes?.storeId?.StringValue).toBe('A');
    expect(forAll.map((m) => m.Body)).toEqual(['published']);
  });

  it('subscribes each queue once after a restart, so a message is delivered exactly once', async () => {
    await (await start()).stop();
    const second = await start();
    const { sns, sqs } = clientsFor(second.endpoint);

    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: second.topicArn('store-alerts') }));
    await publishTo(sns, second, 'A', 'once');
    const forA = await receive(sqs, second.queueUrl('store-a'), { wait: 1 });
    const again = await receive(sqs, second.queueUrl('store-a'));

    expect(Subscriptions?.map((s) => s.Endpoint).sort()).toEqual(
      ['everything', 'store-a', 'store-b'].map((name) => `arn:aws:sqs:${region}:000000000000:${name}`),
    );
    expect(forA.map((m) => m.Body)).toEqual(['once']);
    expect(again).toEqual([]);
  });

  it('keeps the dead-letter redrive after a restart, and the receive count of a message in flight', async () => {
    const first = await start();
    const before = clientsFor(first.endpoint);
    await before.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl('store-b'), MessageBody: 'failing' }));
    expect((await receive(before.sqs, first.queueUrl('store-b'), { visibility: 1 })).map((m) => m.Body)).toEqual(['failing']);
    await first.stop();

    const second = await start();
    const { sqs } = clientsFor(second.endpoint);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: second.queueUrl('store-b'), AttributeNames: ['All'] }));
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: second.dlqUrl('store-b'), AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn;
    // Received once already (maxReceiveCount 1): once its visibility ends, the next receive moves it to the DLQ.
    const again = await receive(sqs, second.queueUrl('store-b'), { wait: 3 });
    const dead = await receive(sqs, second.dlqUrl('store-b'));

    expect(JSON.parse(Attributes?.RedrivePolicy ?? 'null')).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 });
    expect(again).toEqual([]);
    expect(dead.map((m) => m.Body)).toEqual(['failing']);
  });

  it('keeps a message made visible again and the messages of a tagged queue (fauxqs SQLite loses both)', async () => {
    const first = await start();
    const { sqs } = clientsFor(first.endpoint);
    await sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl('store-a'), MessageBody: 'released' }));
    const [received] = await receive(sqs, first.queueUrl('store-a'), { visibility: 60 });
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: first.queueUrl('store-a'),
        ReceiptHandle: received?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    await sqs.send(new TagQueueCommand({ QueueUrl: first.queueUrl('store-a'), Tags: { team: 'pizza' } }));
    await first.stop();

    const second = await start();
    const forA = await receive(clientsFor(second.endpoint).sqs, second.queueUrl('store-a'));
    expect(forA.map((m) => m.Body)).toEqual(['released']);
  });

  it('keeps acknowledged messages when the process is killed with SIGKILL', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'fixtures', 'messaging-child.ts'), dataDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const { endpoint } = JSON.parse(line) as { endpoint: string };
      const before = clientsFor(endpoint);
      const queueUrl = `${endpoint}/000000000000/store-a`;
      await before.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'sent before the kill' }));
      await before.sns.send(
        new PublishCommand({
          TopicArn: `arn:aws:sns:${region}:000000000000:store-alerts`,
          Message: 'published before the kill',
          MessageAttributes: { storeId: { DataType: 'String', StringValue: 'A' } },
        }),
      );
    } finally {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }

    const second = await start();
    const { sqs } = clientsFor(second.endpoint);
    const forA = await receive(sqs, second.queueUrl('store-a'));
    expect(forA.map((m) => m.Body)).toEqual(['sent before the kill', 'published before the kill']);
  });

  it('drops a torn last journal line and refuses a corrupt one before it', async () => {
    const first = await start();
    const { sqs } = clientsFor(first.endpoint);
    await sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl('store-a'), MessageBody: 'kept' }));
    await first.stop();
    const journal = join(dataDir, 'journal.jsonl');
    await appendFile(journal, '{"t":"message","rec');

    const second = await start();
    expect((await receive(clientsFor(second.endpoint).sqs, second.queueUrl('store-a'))).map((m) => m.Body)).toEqual(['kept']);
    await second.stop();

    await writeFile(journal, 'not json\n{"t":"messages-purge"}\n');
    await expect(start()).rejects.toThrow(MessagingJournalError);
  });
});
