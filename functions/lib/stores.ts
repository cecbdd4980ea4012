/**
 * Stores: their rows in DynamoDB (id, display name, coordinates where drivers pick up, open or
 * closed) and what a store needs to receive its order alerts, created when it is onboarded.
 *
 * Onboarding (`StoreOnboarding.onboard`) is the one code path for every store, the seeded ones
 * too (local start-up and `npm run seed`): the store's SQS queue `<prefix><storeId>` (SSE-SQS, 14
 * days' retention, redrive after 5 failed receives: the settings the CDK stack gives its own
 * queues) redriving into the stores' one dead-letter queue `<prefix>dlq`, a queue policy that lets
 * the StoreAlerts topic deliver (and refuses requests without TLS), a raw-delivery subscription
 * filtered on the `storeId` message attribute, and the staff group `store:<storeId>`. Every step
 * is idempotent: running it again for the same store changes nothing, so a failed onboarding is
 * simply run again.
 *
 * Why one dead-letter queue for every store, not one each: these queues are created at run time,
 * so the stack cannot declare an alarm per store, and CloudWatch cannot alarm on "every queue named
 * `<prefix>*-dlq`": Metrics Insights filters dimensions only by `=` and `!=` (no prefix match), and
 * a metric-math `SEARCH` cannot alarm. A dead-letter queue with a fixed name gets one ordinary alarm
 * in the stack (infra/cdk/monitoring.ts), with no CloudWatch call at onboarding. A dead letter still
 * names its store (the `storeId` message attribute and body field), and SQS's redrive
 * (StartMessageMoveTask without a destination) returns each message to the queue it came from.
 */
import { SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { CoordinatesValue } from '../../domain/order.js';
import { ROLE_GROUPS, storeGroup } from '../../domain/party.js';
import type { WritePrecondition } from './orders.js';
import type { UserPoolAdmin } from './user-pool.js';

export interface StoreRecord {
  readonly storeId: string;
  readonly name: string;
  readonly coordinates: CoordinatesValue;
  /** Whether it takes new orders. A row without the attribute (seeded before stores could close) is open. */
  readonly open: boolean;
}

/** A store as seeded or created: everything but its open/closed state. */
export type StoreDetails = Omit<StoreRecord, 'open'>;

export function parseStoreItem(item: Record<string, unknown>): StoreRecord {
  const storeId = item.storeId;
  if (typeof storeId !== 'string') throw new Error('store row has no storeId');
  const c: unknown = item.coordinates;
  if (typeof c !== 'object' || c === null) throw new Error(`store ${storeId} has no coordinates`);
  const { latitude, longitude } = c as Record<string, unknown>;
  if (typeof latitude !== 'number' || typeof longitude !== 'number') throw new Error(`store ${storeId} has malformed coordinates`);
  return {
    storeId,
    name: typeof item.name === 'string' ? item.name : storeId,
    coordinates: { latitude, longitude },
    open: item.open !== false,
  };
}

export class StoreRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(storeId: string): Promise<StoreRecord | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { storeId }, ConsistentRead: true }));
    return out.Item === undefined ? null : parseStoreItem(out.Item);
  }

  /**
   * The condition "this store exists and takes orders", for a transaction that writes elsewhere
   * (OrderRepository.createIdempotent): an order is only written while its store is open, with
   * no read before the write. A row without `open` is open (see StoreRecord).
   */
  takesOrders(storeId: string): WritePrecondition {
    return {
      TableName: this.table,
      Key: { storeId },
      ConditionExpression: 'attribute_exists(storeId) AND (attribute_not_exists(#open) OR #open = :open)',
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: { ':open': true },
    };
  }

  /** Writes a new store; false (and nothing written) when its id is taken. */
  async create(store: StoreRecord): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: store, ConditionExpression: 'attribute_not_exists(storeId)' }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Opens or closes an existing store; null (and nothing written) when there is none. */
  async setOpen(storeId: string, open: boolean): Promise<StoreRecord | null> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { storeId },
          UpdateExpression: 'SET #open = :open',
          ConditionExpression: 'attribute_exists(storeId)',
          ExpressionAttributeNames: { '#open': 'open' },
          ExpressionAttributeValues: { ':open': open },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes === undefined ? null : parseStoreItem(out.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  /**
   * Seeding: writes the store's name and coordinates and leaves `open` as it is (an operator may
   * have closed a seeded store; a restart or a second `npm run seed` does not reopen it).
   */
  async upsertDetails(store: StoreDetails): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { storeId: store.storeId },
        UpdateExpression: 'SET #name = :name, coordinates = :coordinates',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':name': store.name, ':coordinates': store.coordinates },
      }),
    );
  }
}

/** Messages kept in a store's queue and its dead-letter queue: 14 days, SQS's maximum (the CDK queues' too). */
export const STORE_QUEUE_RETENTION_SECONDS = 14 * 24 * 60 * 60;
/** Receives of a message before it moves to the dead-letter queue (the manifest's default for its queues). */
export const STORE_QUEUE_MAX_RECEIVE_COUNT = 5;
/** SQS queue names: at most 80 characters. */
const MAX_QUEUE_NAME_LENGTH = 80;

/** Where a store's alerts go: the StoreAlerts topic and the name prefix of the store queues. */
export interface StoreAlertsConfig {
  readonly topicArn: string;
  /** Physical prefix: `<stack>-store-` on AWS, `store-` locally. The queue of store `x` is `<prefix>x`. */
  readonly queuePrefix: string;
}

/** The name of a store's alert queue. */
export function storeQueueName(queuePrefix: string, storeId: string): string {
  return `${queuePrefix}${storeId}`;
}

/** The id no store may have: under the prefix, its queue name is the stores' dead-letter queue's. */
export const DEAD_LETTER_STORE_ID = 'dlq';

/** The stores' one dead-letter queue, `<prefix>dlq` (see the module comment for why one). */
export function storeDeadLetterQueueName(queuePrefix: string): string {
  return storeQueueName(queuePrefix, DEAD_LETTER_STORE_ID);
}

/**
 * Whether a store with this id can have its alert queue under this prefix: within SQS's
 * 80-character limit, and not the name of the stores' dead-letter queue.
 */
export function fitsQueueName(queuePrefix: string, storeId: string): boolean {
  return storeId !== DEAD_LETTER_STORE_ID && storeQueueName(queuePrefix, storeId).length <= MAX_QUEUE_NAME_LENGTH;
}

/** The subscription filter that keeps other stores' alerts out (awaitParty sets `storeId` on each message). */
export function storeFilterPolicy(storeId: string): Record<string, string[]> {
  return { storeId: [storeId] };
}

/** The queue policy: the topic may deliver; nobody may call without TLS (CDK's `enforceSSL`). */
export function storeQueuePolicy(queueArn: string, topicArn: string | null): string {
  const statements: object[] = [
    {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Resource: queueArn,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ];
  if (topicArn !== null) {
    statements.push({
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export interface OnboardedStore {
  readonly queueUrl: string;
  /** The stores' one dead-letter queue, which this store's queue redrives into. */
  readonly dlqUrl: string;
  readonly groupName: string;
}

/** Creates (or finds) what a store needs to receive alerts; see the module comment. */
export class StoreOnboarding {
  constructor(
    private readonly clients: { readonly sqs: SQSClient; readonly sns: SNSClient; readonly userPool: UserPoolAdmin },
    private readonly config: StoreAlertsConfig,
  ) {}

  async onboard(storeId: string): Promise<OnboardedStore> {
    const dlq = await this.ensureQueue(storeDeadLetterQueueName(this.config.queuePrefix), (arn) => ({
      Policy: storeQueuePolicy(arn, null),
    }));
    const queue = await this.ensureQueue(storeQueueName(this.config.queuePrefix, storeId), (arn) => ({
      Policy: storeQueuePolicy(arn, this.config.topicArn),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: STORE_QUEUE_MAX_RECEIVE_COUNT }),
    }));
    // Same topic, endpoint and attributes: SNS answers with the existing subscription.
    await this.clients.sns.send(
      new SubscribeCommand({
        TopicArn: this.config.topicArn,
        Protocol: 'sqs',
        Endpoint: queue.arn,
        Attributes: {
          RawMessageDelivery: 'true',
          FilterPolicy: JSON.stringify(storeFilterPolicy(storeId)),
          FilterPolicyScope: 'MessageAttributes',
        },
        ReturnSubscriptionArn: true,
      }),
    );
    const groupName = storeGroup(storeId);
    await this.clients.userPool.ensureGroup(groupName, `Staff of store ${storeId} (also in ${ROLE_GROUPS.store})`);
    return { queueUrl: queue.url, dlqUrl: dlq.url, groupName };
  }

  /**
   * CreateQueue with the name alone (it answers the existing queue's URL; with attributes it would
   * refuse an existing queue whose attributes differ), then the attributes set to what they must be.
   */
  private async ensureQueue(name: string, more: (arn: string) => Record<string, string>): Promise<{ url: string; arn: string }> {
    const created = await this.clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const url = created.QueueUrl;
    if (url === undefined) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
    const described = await this.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    const arn = described.Attributes?.QueueArn;
    if (arn === undefined) throw new Error(`queue ${name} has no QueueArn`);
    await this.clients.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: { SqsManagedSseEnabled: 'true', MessageRetentionPeriod: String(STORE_QUEUE_RETENTION_SECONDS), ...more(arn) },
      }),
    );
    return { url, arn };
  }
}

/**
 * Onboards each store and writes its details (keeping whether it is open): the seeding of
 * `npm start` and `npm run seed`, by the code path createStore takes. Idempotent.
 */
export async function seedStores(
  onboarding: Pick<StoreOnboarding, 'onboard'>,
  stores: Pick<StoreRepository, 'upsertDetails'>,
  seeds: readonly StoreDetails[],
): Promise<number> {
  for (const store of seeds) {
    await onboarding.onboard(store.storeId);
    await stores.upsertDetails(store);
  }
  return seeds.length;
}
