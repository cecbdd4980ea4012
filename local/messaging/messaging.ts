/**
 * SNS topics and SQS queues on loopback, served by `fauxqs` (an SNS/SQS emulator that speaks
 * the AWS wire protocols), set up from the manifest the way the CDK stack sets up the cloud:
 * each queue gets a `<name>-dlq` dead-letter queue (RedrivePolicy, maxReceiveCount
 * @default 5) and a raw-delivery SNS subscription with the queue's filter policy (on message
 * attributes).
 *
 * Everything is created through the real AWS SDK clients against the emulator, never through
 * fauxqs internals (persistence aside), so this also proves that the emulator answers what the
 * SDK sends.
 * Creation is idempotent: the same names give the same ARNs and URLs, and an existing
 * subscription has its attributes brought in line.
 *
 * The server is fauxqs's `buildApp()` listening on `host` (loopback) rather than its
 * `startFauxqs()`, which always binds 0.0.0.0 (fauxqs 2.4.1: `listen({ port, host: "0.0.0.0" })`,
 * whatever `host` says). fauxqs always uses account id 000000000000.
 *
 * State: in memory without `dataDir` (queued messages are lost when the stack stops). With
 * `dataDir`, every change is journaled there (see journal.ts) before fauxqs answers, and read
 * back at start: queues, subscriptions and messages (ready, delayed, in flight) survive a restart
 * and a SIGKILL of the process group; a hard kill loses no acknowledged SendMessage, Publish or
 * DeleteMessage, only requests that were never answered; a message received but not deleted
 * before the kill is delivered again once its visibility timeout ends (at least once, as on AWS).
 * fauxqs's own SQLite persistence is not used: it comes only with `startFauxqs()` and loses
 * messages in 2.4.1 (see journal.ts). At start the set-up below finds the restored queues and
 * subscriptions and brings them in line (no second subscription, so no duplicate deliveries).
 *
 * Queue URLs: fauxqs answers `http://sqs.<region>.localhost:<port>/<account>/<name>`. The SQS
 * SDK sends a request to its QueueUrl's origin whenever that differs from the endpoint and the
 * client was not given an explicit `endpoint` (so with AWS_ENDPOINT_URL_SQS alone), and
 * `*.localhost` names do not resolve everywhere. So every URL fauxqs sends is rewritten to the
 * endpoint's origin (`http://127.0.0.1:<port>/<account>/<name>`), the same shape as AWS, where
 * the queue URL's origin is the endpoint, whatever port is in it (a restored queue keeps the URL
 * of the run that created it). fauxqs then finds queues by name, so one region only.
 */
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';
import type { QueueSpec, TopicSpec } from '../../infra/manifest-types.js';
import { LOCAL_CREDENTIALS } from '../util/aws.js';
import { assertPortFree } from '../util/ports.js';
import { MessagingJournal, type FauxqsStores } from './journal.js';

/** fauxqs's fixed account id. */
export const FAUXQS_ACCOUNT_ID = '000000000000';
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

export interface MessagingOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 (or absent) = a free port. @default 0 */
  readonly port?: number;
  readonly region: string;
  /** Must be fauxqs's 000000000000 when given. */
  readonly accountId?: string;
  readonly topics: readonly TopicSpec[];
  readonly queues: readonly QueueSpec[];
  /** Folder that keeps queues, subscriptions and messages across restarts; absent = in memory. */
  readonly dataDir?: string;
  readonly logger?: (line: string) => void;
}

export interface Messaging {
  /** One endpoint for both SNS and SQS, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  topicArn(name: string): string;
  queueUrl(name: string): string;
  /** The URL of `<name>-dlq`, the dead-letter queue of queue `name`. */
  dlqUrl(name: string): string;
  stop(): Promise<void>;
}

export class UnsupportedAccountIdError extends Error {
  override readonly name = 'UnsupportedAccountIdError';
  constructor(accountId: string) {
    super(`fauxqs always uses account id ${FAUXQS_ACCOUNT_ID}; ${accountId} was asked for`);
  }
}

export class UnknownMessagingResourceError extends Error {
  override readonly name = 'UnknownMessagingResourceError';
  constructor(kind: 'topic' | 'queue', name: string, known: readonly string[]) {
    super(`unknown ${kind} "${name}"; the manifest declares: ${known.join(', ') || '(none)'}`);
  }
}

export class QueueTopicMissingError extends Error {
  override readonly name = 'QueueTopicMissingError';
  constructor(queue: string, topic: string) {
    super(`queue ${queue} subscribes to topic ${topic}, which the manifest does not declare`);
  }
}

export async function startMessaging(options: MessagingOptions): Promise<Messaging> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? (() => undefined);
  if (options.accountId !== undefined && options.accountId !== FAUXQS_ACCOUNT_ID) throw new UnsupportedAccountIdError(options.accountId);
  for (const queue of options.queues) {
    if (!options.topics.some((t) => t.name === queue.topic)) throw new QueueTopicMissingError(queue.name, queue.topic);
  }
  if (options.port !== undefined && options.port !== 0) await assertPortFree(host, options.port);

  let stores: FauxqsStores | undefined;
  let journal: MessagingJournal | undefined;
  if (options.dataDir !== undefined) {
    stores = await newFauxqsStores();
    journal = MessagingJournal.open(options.dataDir, stores, log);
    journal.attach(stores);
  }
  const app = buildApp({ logger: false, defaultRegion: options.region, ...(stores === undefined ? {} : { stores }) });
  // onClose runs once the server has stopped answering: nothing acknowledged goes unjournaled.
  app.addHook('onClose', async () => journal?.close());
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    sns.destroy();
    sqs.destroy();
    await app.close();
  };
  let rewriteQueueUrls = (payload: string) => payload;
  app.addHook('onSend', async (_request, _reply, payload) => (typeof payload === 'string' ? rewriteQueueUrls(payload) : payload));
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) {
    await app.close();
    throw new Error('fauxqs did not report its address');
  }
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const fauxqsOrigin = /http:\/\/sqs\.[a-z0-9-]+\.localhost:\d+(?=\/)/g;
  rewriteQueueUrls = (payload) => payload.replace(fauxqsOrigin, endpoint);
  const clientConfig = { endpoint, region: options.region, credentials: LOCAL_CREDENTIALS };
  const sns = new SNSClient(clientConfig);
  const sqs = new SQSClient(clientConfig);

  const topicArns = new Map<string, string>();
  const queueUrls = new Map<string, string>();
  const dlqUrls = new Map<string, string>();
  try {
    for (const topic of options.topics) {
      const out = await sns.send(new CreateTopicCommand({ Name: topic.name }));
      topicArns.set(topic.name, required(out.TopicArn, `TopicArn of ${topic.name}`));
    }
    for (const queue of options.queues) {
      const dlq = await createQueue(sqs, `${queue.name}-dlq`);
      const main = await createQueue(sqs, queue.name);
      const redrivePolicy = JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: queue.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      });
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: main.url, Attributes: { RedrivePolicy: redrivePolicy } }));
      const topicArn = required(topicArns.get(queue.topic), `topic ${queue.topic}`);
      await subscribeQueue(sns, topicArn, main.arn, queue.filterPolicy);
      queueUrls.set(queue.name, main.url);
      dlqUrls.set(queue.name, dlq.url);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const where = options.dataDir === undefined ? 'in memory' : `kept in ${options.dataDir}`;
  log(`[fauxqs] ${topicArns.size} topic(s), ${queueUrls.size} queue(s) (+ DLQs) on ${endpoint}, ${where}`);

  const lookup = (kind: 'topic' | 'queue', map: ReadonlyMap<string, string>, name: string) => {
    const value = map.get(name);
    if (value === undefined) throw new UnknownMessagingResourceError(kind, name, [...map.keys()]);
    return value;
  };
  return {
    endpoint,
    topicArn: (name) => lookup('topic', topicArns, name),
    queueUrl: (name) => lookup('queue', queueUrls, name),
    dlqUrl: (name) => lookup('queue', dlqUrls, name),
    stop,
  };
}

async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  // No attributes here: CreateQueue is idempotent only when attributes match, so they are set after.
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = required(created.QueueUrl, `QueueUrl of ${name}`);
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: required(attributes.Attributes?.QueueArn, `QueueArn of ${name}`) };
}

async function subscribeQueue(sns: SNSClient, topicArn: string, queueArn: string, filterPolicy: QueueSpec['filterPolicy']): Promise<void> {
  const wanted: Record<string, string> = { RawMessageDelivery: 'true' };
  if (filterPolicy !== undefined) {
    wanted.FilterPolicy = JSON.stringify(filterPolicy);
    wanted.FilterPolicyScope = 'MessageAttributes';
  }
  const existing = await findSubscription(sns, topicArn, queueArn);
  if (existing === undefined) {
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: wanted, ReturnSubscriptionArn: true }),
    );
    return;
  }
  for (const [AttributeName, AttributeValue] of Object.entries(wanted)) {
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: existing, AttributeName, AttributeValue }));
  }
}

async function findSubscription(sns: SNSClient, topicArn: string, queueArn: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }));
    const match = page.Subscriptions?.find((s) => s.Protocol === 'sqs' && s.Endpoint === queueArn);
    if (match?.SubscriptionArn !== undefined) return match.SubscriptionArn;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return undefined;
}

/**
 * Fresh fauxqs stores, for `buildApp({ stores })`. The package exports only `buildApp` and
 * `startFauxqs`, so the store classes are imported from its `dist` folder by file URL.
 */
async function newFauxqsStores(): Promise<FauxqsStores> {
  const packageDir = createRequire(import.meta.url)
    .resolve.paths('fauxqs')
    ?.map((dir) => join(dir, 'fauxqs'))
    .find((dir) => existsSync(join(dir, 'dist', 'app.js')));
  if (packageDir === undefined) throw new Error('fauxqs is not installed');
  const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(packageDir, 'dist', path)).href)) as T;
  const [{ SqsStore }, { SnsStore }, { S3Store }] = await Promise.all([
    load<{ SqsStore: new () => FauxqsStores['sqsStore'] }>('sqs/sqsStore.js'),
    load<{ SnsStore: new () => FauxqsStores['snsStore'] }>('sns/snsStore.js'),
    load<{ S3Store: new () => FauxqsStores['s3Store'] }>('s3/s3Store.js'),
  ]);
  return { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`fauxqs returned no ${what}`);
  return value;
}
