/**
 * The messaging journal: fauxqs's SQS/SNS state on disk, so queued messages (ready, delayed and
 * in flight), queues and subscriptions survive a restart and a hard kill, as they do on AWS.
 *
 * fauxqs has its own SQLite persistence (WAL, synchronous=FULL), but it comes only with
 * `startFauxqs()`, which binds 0.0.0.0, and in 2.4.1 it loses messages: ChangeMessageVisibility
 * to 0 fails (it writes NULL into a NOT NULL column) after the message has left the in-memory
 * queue, and TagQueue/UntagQueue re-insert the queue row with INSERT OR REPLACE, whose ON DELETE
 * CASCADE deletes every stored message of that queue. Its stores, though, report every change to
 * a `persistence` object they are given (the hook its SQLite layer plugs into). This class is
 * such an object: it writes each change as one JSON line appended to `journal.jsonl`, and at
 * start it replays the file into fresh stores the way fauxqs's own loader does (an in-flight
 * message whose visibility deadline passed while the stack was down is ready again; its receive
 * count is kept, so the dead-letter count goes on). It needs no `node:sqlite` either.
 *
 * Durability: each change is written and fdatasync'd before fauxqs answers the request that made
 * it (the stores call the hook synchronously), so a message acknowledged to a sender survives a
 * SIGKILL of the whole process group and a power loss. A kill can lose only a change that no
 * client saw acknowledged; a line torn by a crash mid-write is the last one, and is dropped at
 * replay. At each start the journal is compacted: the live state is written to a temp file,
 * fsync'd and renamed over the journal; it is compacted again while running once it holds
 * `COMPACT_AFTER` lines more than the live state needs.
 *
 * This uses fauxqs internals (store fields, the persistence method names of fauxqs 2.4); their
 * types come from fauxqs's own declarations, so a fauxqs upgrade that changes them fails `tsc`.
 */
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildAppOptions } from 'fauxqs';

export type FauxqsStores = NonNullable<BuildAppOptions['stores']>;
type SqsStore = FauxqsStores['sqsStore'];
type SnsStore = FauxqsStores['snsStore'];
type SqsQueue = ReturnType<SqsStore['createQueue']>;
type SqsMessage = SqsQueue['messages'][number];
type SnsTopic = NonNullable<ReturnType<SnsStore['topics']['get']>>;
type SnsSubscription = NonNullable<ReturnType<SnsStore['subscriptions']['get']>>;

const FILE = 'journal.jsonl';
const COMPACT_AFTER = 10_000;

interface QueueRecord {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  sequenceCounter: number;
}

interface MessageRecord {
  readonly queueName: string;
  readonly message: SqsMessage;
  receiptHandle?: string | undefined;
  visibilityDeadline?: number | undefined;
}

interface TopicRecord {
  readonly arn: string;
  readonly name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  subscriptionArns: string[];
}

/** One change, as the stores report it. */
type Entry =
  | { readonly t: 'queue'; readonly queue: QueueRecord }
  | { readonly t: 'queue-delete'; readonly name: string }
  | { readonly t: 'queue-attributes'; readonly name: string; readonly attributes: Record<string, string>; readonly lastModified: number }
  | { readonly t: 'queue-sequence'; readonly name: string; readonly counter: number }
  | { readonly t: 'message'; readonly record: MessageRecord }
  | { readonly t: 'message-delete'; readonly id: string }
  | {
      readonly t: 'message-inflight';
      readonly id: string;
      readonly receiptHandle: string;
      readonly visibilityDeadline: number;
      readonly receiveCount: number;
      readonly firstReceiveTimestamp: number | undefined;
    }
  | { readonly t: 'message-ready'; readonly id: string }
  | { readonly t: 'queue-purge'; readonly name: string }
  | { readonly t: 'messages-purge' }
  | { readonly t: 'topic'; readonly topic: TopicRecord }
  | { readonly t: 'topic-delete'; readonly arn: string }
  | { readonly t: 'topic-attributes'; readonly arn: string; readonly attributes: Record<string, string> }
  | { readonly t: 'topic-subscriptions'; readonly arn: string; readonly arns: string[] }
  | { readonly t: 'subscription'; readonly subscription: SnsSubscription }
  | { readonly t: 'subscription-delete'; readonly arn: string }
  | { readonly t: 'subscription-attributes'; readonly arn: string; readonly attributes: Record<string, string> }
  | { readonly t: 'purge-all' };

/** A journal line that cannot be read back (other than a torn last line). */
export class MessagingJournalError extends Error {
  override readonly name = 'MessagingJournalError';
  constructor(file: string, line: number, detail: string) {
    super(`messaging journal ${file} is unreadable at line ${line} (${detail}); delete it to start with empty queues`);
  }
}

interface State {
  readonly queues: Map<string, QueueRecord>;
  readonly messages: Map<string, MessageRecord>;
  readonly topics: Map<string, TopicRecord>;
  readonly subscriptions: Map<string, SnsSubscription>;
}

export class MessagingJournal {
  private fd: number | undefined;
  private lines = 0;

  private constructor(
    private readonly file: string,
    private readonly state: State,
  ) {}

  /**
   * Reads `<dir>/journal.jsonl` (created if absent), fills `stores` with what it holds, compacts
   * the file, and returns the journal, to be set as the stores' `persistence` (see `attach`).
   */
  static open(dir: string, stores: FauxqsStores, logger: (line: string) => void): MessagingJournal {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, FILE);
    const state = replay(file, logger);
    const journal = new MessagingJournal(file, state);
    restore(state, stores);
    journal.compact();
    return journal;
  }

  /** From now on, every change to `stores` is journaled. */
  attach(stores: FauxqsStores): void {
    stores.sqsStore.persistence = this as unknown as SqsStore['persistence'];
    stores.snsStore.persistence = this as unknown as SnsStore['persistence'];
    for (const queue of stores.sqsStore.allQueues()) queue.persistence = stores.sqsStore.persistence;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  // The persistence methods fauxqs's stores call (its PersistenceManager's SQS/SNS half).
  insertQueue(queue: SqsQueue): void {
    this.write({ t: 'queue', queue: queueRecord(queue) });
  }
  deleteQueue(name: string): void {
    this.write({ t: 'queue-delete', name });
  }
  updateQueueAttributes(name: string, attributes: Record<string, string>, lastModified: number): void {
    this.write({ t: 'queue-attributes', name, attributes: { ...attributes }, lastModified });
  }
  updateQueueSequenceCounter(name: string, counter: number): void {
    this.write({ t: 'queue-sequence', name, counter });
  }
  insertMessage(queueName: string, message: SqsMessage): void {
    this.write({ t: 'message', record: { queueName, message: { ...message } } });
  }
  deleteMessage(id: string): void {
    this.write({ t: 'message-delete', id });
  }
  updateMessageInflight(
    id: string,
    receiptHandle: string,
    visibilityDeadline: number,
    receiveCount: number,
    firstReceiveTimestamp: number | undefined,
  ): void {
    this.write({ t: 'message-inflight', id, receiptHandle, visibilityDeadline, receiveCount, firstReceiveTimestamp });
  }
  updateMessageReady(id: string): void {
    this.write({ t: 'message-ready', id });
  }
  deleteQueueMessages(name: string): void {
    this.write({ t: 'queue-purge', name });
  }
  deleteAllMessages(): void {
    this.write({ t: 'messages-purge' });
  }
  clearMessagesAndObjects(): void {
    this.write({ t: 'messages-purge' });
  }
  purgeAll(): void {
    this.write({ t: 'purge-all' });
  }
  insertTopic(topic: SnsTopic): void {
    this.write({ t: 'topic', topic: topicRecord(topic) });
  }
  deleteTopic(arn: string): void {
    this.write({ t: 'topic-delete', arn });
  }
  updateTopicAttributes(arn: string, attributes: Record<string, string>): void {
    this.write({ t: 'topic-attributes', arn, attributes: { ...attributes } });
  }
  updateTopicSubscriptionArns(arn: string, arns: string[]): void {
    this.write({ t: 'topic-subscriptions', arn, arns: [...arns] });
  }
  insertSubscription(subscription: SnsSubscription): void {
    this.write({ t: 'subscription', subscription: { ...subscription, attributes: { ...subscription.attributes } } });
  }
  deleteSubscription(arn: string): void {
    this.write({ t: 'subscription-delete', arn });
  }
  updateSubscriptionAttributes(arn: string, attributes: Record<string, string>): void {
    this.write({ t: 'subscription-attributes', arn, attributes: { ...attributes } });
  }

  private write(entry: Entry): void {
    apply(this.state, entry);
    if (this.fd === undefined) return; // closed: the stack is stopping
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fdatasyncSync(this.fd);
    this.lines += 1;
    if (this.lines > COMPACT_AFTER + liveLines(this.state)) this.compact();
  }

  /** Replaces the journal with the live state: temp file, fsync, rename, folder fsync. */
  private compact(): void {
    this.close();
    const temp = `${this.file}.tmp`;
    const entries = snapshot(this.state);
    const tempFd = openSync(temp, 'w');
    try {
      writeSync(tempFd, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      fsyncSync(tempFd);
    } finally {
      closeSync(tempFd);
    }
    renameSync(temp, this.file);
    fsyncFolder(join(this.file, '..'));
    this.fd = openSync(this.file, 'a');
    this.lines = entries.length;
  }
}

function replay(file: string, logger: (line: string) => void): State {
  const state: State = { queues: new Map(), messages: new Map(), topics: new Map(), subscriptions: new Map() };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return state;
    throw error;
  }
  const lines = text.split('\n');
  const last = text.endsWith('\n') ? lines.length - 1 : lines.length;
  for (let i = 0; i < last; i += 1) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch (error) {
      if (i === last - 1 && !text.endsWith('\n')) {
        logger(`[fauxqs] dropped a torn last line of ${file} (a write cut short by a crash)`);
        break;
      }
      throw new MessagingJournalError(file, i + 1, (error as Error).message);
    }
    apply(state, entry);
  }
  return state;
}

function apply(state: State, entry: Entry): void {
  switch (entry.t) {
    case 'queue':
      // fauxqs re-inserts a queue when its tags change; its messages stay.
      state.queues.set(entry.queue.name, entry.queue);
      return;
    case 'queue-delete':
      state.queues.delete(entry.name);
      deleteMessages(state, (m) => m.queueName === entry.name);
      return;
    case 'queue-attributes': {
      const queue = state.queues.get(entry.name);
      if (queue === undefined) return;
      queue.attributes = entry.attributes;
      queue.lastModifiedTimestamp = entry.lastModified;
      return;
    }
    case 'queue-sequence': {
      const queue = state.queues.get(entry.name);
      if (queue !== undefined) queue.sequenceCounter = entry.counter;
      return;
    }
    case 'message':
      state.messages.delete(entry.record.message.messageId); // re-inserted last (a move to the DLQ)
      state.messages.set(entry.record.message.messageId, entry.record);
      return;
    case 'message-delete':
      state.messages.delete(entry.id);
      return;
    case 'message-inflight': {
      const record = state.messages.get(entry.id);
      if (record === undefined) return;
      record.receiptHandle = entry.receiptHandle;
      record.visibilityDeadline = entry.visibilityDeadline;
      record.message.approximateReceiveCount = entry.receiveCount;
      record.message.approximateFirstReceiveTimestamp = entry.firstReceiveTimestamp;
      return;
    }
    case 'message-ready': {
      const record = state.messages.get(entry.id);
      if (record === undefined) return;
      record.receiptHandle = undefined;
      record.visibilityDeadline = undefined;
      return;
    }
    case 'queue-purge':
      deleteMessages(state, (m) => m.queueName === entry.name);
      return;
    case 'messages-purge':
      state.messages.clear();
      return;
    case 'topic':
      state.topics.set(entry.topic.arn, entry.topic);
      return;
    case 'topic-delete':
      state.topics.delete(entry.arn);
      return;
    case 'topic-attributes': {
      const topic = state.topics.get(entry.arn);
      if (topic !== undefined) topic.attributes = entry.attributes;
      return;
    }
    case 'topic-subscriptions': {
      const topic = state.topics.get(entry.arn);
      if (topic !== undefined) topic.subscriptionArns = entry.arns;
      return;
    }
    case 'subscription':
      state.subscriptions.set(entry.subscription.arn, entry.subscription);
      return;
    case 'subscription-delete':
      state.subscriptions.delete(entry.arn);
      return;
    case 'subscription-attributes': {
      const subscription = state.subscriptions.get(entry.arn);
      if (subscription !== undefined) subscription.attributes = entry.attributes;
      return;
    }
    case 'purge-all':
      state.queues.clear();
      state.messages.clear();
      state.topics.clear();
      state.subscriptions.clear();
      return;
  }
}

function deleteMessages(state: State, match: (record: MessageRecord) => boolean): void {
  for (const [id, record] of state.messages) if (match(record)) state.messages.delete(id);
}

function liveLines(state: State): number {
  return state.queues.size + state.messages.size + state.topics.size + state.subscriptions.size;
}

function snapshot(state: State): Entry[] {
  return [
    ...[...state.queues.values()].map((queue): Entry => ({ t: 'queue', queue })),
    ...[...state.topics.values()].map((topic): Entry => ({ t: 'topic', topic })),
    ...[...state.subscriptions.values()].map((subscription): Entry => ({ t: 'subscription', subscription })),
    ...[...state.messages.values()]
      .filter((record) => state.queues.has(record.queueName))
      .map((record): Entry => ({ t: 'message', record })),
  ];
}

/** Fills stores that have no persistence yet (so nothing is journaled twice), as fauxqs's loader does. */
function restore(state: State, stores: FauxqsStores): void {
  const now = Date.now();
  const queues = new Map<string, SqsQueue>();
  for (const record of state.queues.values()) {
    const queue = stores.sqsStore.createQueue(record.name, record.url, record.arn, record.attributes, record.tags);
    // createdTimestamp is readonly in fauxqs's types; its own loader restores it the same way.
    Object.assign(queue, {
      createdTimestamp: record.createdTimestamp,
      lastModifiedTimestamp: record.lastModifiedTimestamp,
      sequenceCounter: record.sequenceCounter,
    });
    queues.set(record.name, queue);
  }
  for (const record of state.messages.values()) {
    const queue = queues.get(record.queueName);
    if (queue === undefined) continue;
    const message = { ...record.message };
    if (record.receiptHandle !== undefined && record.visibilityDeadline !== undefined) {
      if (record.visibilityDeadline > now) {
        queue.inflightMessages.set(record.receiptHandle, {
          message,
          receiptHandle: record.receiptHandle,
          visibilityDeadline: record.visibilityDeadline,
        });
        if (message.messageGroupId !== undefined && queue.isFifo()) {
          queue.fifoLockedGroups.set(message.messageGroupId, (queue.fifoLockedGroups.get(message.messageGroupId) ?? 0) + 1);
        }
        continue;
      }
      // Its visibility timed out while the stack was down: ready again.
      record.receiptHandle = undefined;
      record.visibilityDeadline = undefined;
    }
    const delayed = message.delayUntil !== undefined && message.delayUntil > now;
    if (queue.isFifo()) {
      const groups = delayed ? queue.fifoDelayed : queue.fifoMessages;
      const groupId = message.messageGroupId ?? '__default';
      groups.set(groupId, [...(groups.get(groupId) ?? []), message]);
    } else if (delayed) {
      queue.delayedMessages.push(message);
    } else {
      queue.messages.push(message);
    }
  }
  for (const topic of state.topics.values()) {
    stores.snsStore.topics.set(topic.arn, {
      arn: topic.arn,
      name: topic.name,
      attributes: topic.attributes,
      tags: new Map(Object.entries(topic.tags)),
      subscriptionArns: topic.subscriptionArns,
    });
  }
  for (const subscription of state.subscriptions.values()) stores.snsStore.subscriptions.set(subscription.arn, subscription);
}

function queueRecord(queue: SqsQueue): QueueRecord {
  return {
    name: queue.name,
    url: queue.url,
    arn: queue.arn,
    attributes: { ...queue.attributes },
    tags: Object.fromEntries(queue.tags),
    createdTimestamp: queue.createdTimestamp,
    lastModifiedTimestamp: queue.lastModifiedTimestamp,
    sequenceCounter: queue.sequenceCounter,
  };
}

function topicRecord(topic: SnsTopic): TopicRecord {
  return {
    arn: topic.arn,
    name: topic.name,
    attributes: { ...topic.attributes },
    tags: Object.fromEntries(topic.tags),
    subscriptionArns: [...topic.subscriptionArns],
  };
}

function fsyncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
