import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkpointFile, memoryCheckpoints } from './checkpoints.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import {
  BatchItemFailuresError,
  startStreamPoller,
  type StreamHandlerResult,
  type StreamPoller,
  type StreamPollerOptions,
} from './stream-poller.js';
import type { StreamFailureRecord } from './stream-failure.js';
import { ensureTables } from './tables.js';
import { LOCAL_CREDENTIALS } from '../util/aws.js';

const credentials = LOCAL_CREDENTIALS;

describe('startStreamPoller', { timeout: 30_000 }, () => {
  let dynamo: DynamoDbLocal;
  let client: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  const pollers: StreamPoller[] = [];
  let tableCount = 0;

  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({});
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    streams = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  }, 90_000);
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    client?.destroy();
    streams?.destroy();
    await dynamo?.stop();
  });

  /** A fresh table (so a fresh stream) per test. */
  async function freshTable(): Promise<{ tableName: string; streamArn: string }> {
    const name = `T${++tableCount}`;
    const tables = await ensureTables(
      client,
      [{ name, partitionKey: { name: 'id', type: 'S' }, stream: 'NEW_AND_OLD_IMAGES' }],
      (n) => `poller-${n}`,
    );
    const table = tables.get(name);
    if (table?.streamArn === undefined) throw new Error('no stream');
    return { tableName: table.tableName, streamArn: table.streamArn };
  }

  async function poll(
    streamArn: string,
    handler: (event: DynamoDBStreamEvent) => Promise<StreamHandlerResult>,
    extra: Partial<StreamPollerOptions> = {},
  ): Promise<StreamPoller> {
    const poller = await startStreamPoller({ streams, streamArn, handler, pollIntervalMs: 50, retryDelayMs: 10, ...extra });
    pollers.push(poller);
    return poller;
  }

  const put = (tableName: string, id: string, status: string) =>
    client.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: id }, status: { S: status } } }));

  it('delivers INSERT, MODIFY and REMOVE in order as Lambda-shaped records', async () => {
    const { tableName, streamArn } = await freshTable();
    const seen: DynamoDBRecord[] = [];
    const poller = await poll(streamArn, async (event) => {
      seen.push(...event.Records);
    });

    await put(tableName, 'o-1', 'PLACED');
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: 'o-1' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'ACCEPTED' } },
      }),
    );
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: { id: { S: 'o-1' } } }));
    await poller.drained();

    expect(seen.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = seen;
    expect(insert).toMatchObject({
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: streamArn,
      dynamodb: {
        Keys: { id: { S: 'o-1' } },
        NewImage: { id: { S: 'o-1' }, status: { S: 'PLACED' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof insert?.eventID).toBe('string');
    expect(typeof insert?.dynamodb?.ApproximateCreationDateTime).toBe('number');
    expect(typeof insert?.dynamodb?.SizeBytes).toBe('number');
    expect(modify?.dynamodb?.OldImage?.status).toEqual({ S: 'PLACED' });
    expect(modify?.dynamodb?.NewImage?.status).toEqual({ S: 'ACCEPTED' });
    expect(remove?.dynamodb?.OldImage?.status).toEqual({ S: 'ACCEPTED' });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
    const sequence = seen.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0'));
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
  });

  it('hands over one batch at a time, in order, at most batchSize records each', async () => {
    const { tableName, streamArn } = await freshTable();
    const statuses: string[] = [];
    const batchSizes: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    // The handler holds every batch until all records are written, so a poller that did not wait
    // for it would have more records to hand over meanwhile.
    let releaseHandler!: () => void;
    const allWritten = new Promise<void>((resolve) => (releaseHandler = resolve));
    const poller = await poll(
      streamArn,
      async (event) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        batchSizes.push(event.Records.length);
        await allWritten;
        for (const r of event.Records) statuses.push(r.dynamodb?.NewImage?.status?.S ?? '?');
        inFlight--;
      },
      { batchSize: 4 },
    );

    const expected = Array.from({ length: 15 }, (_, i) => `v${i}`);
    for (const status of expected) await put(tableName, 'o-1', status);
    releaseHandler();
    await poller.drained();

    expect(statuses).toEqual(expected);
    expect(maxInFlight).toBe(1);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(4);
  });

  it('retries a partially failed batch from the first failed record', async () => {
    const { tableName, streamArn } = await freshTable();
    const calls: string[][] = [];
    let failedOnce = false;
    // Written before the poller starts, so that its first batch holds all three.
    for (const id of ['a', 'b', 'c']) await put(tableName, id, 'PLACED');
    const poller = await poll(
      streamArn,
      async (event) => {
        calls.push(event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'));
        const second = event.Records[1];
        if (!failedOnce && second !== undefined) {
          failedOnce = true;
          // Reported out of order on purpose: the retry must start at the earliest one.
          const third = event.Records[2];
          const failures = [third, second].flatMap((r) =>
            r?.dynamodb?.SequenceNumber === undefined ? [] : [{ itemIdentifier: r.dynamodb.SequenceNumber }],
          );
          return { batchItemFailures: failures };
        }
        return { batchItemFailures: [] };
      },
      { startingPosition: 'TRIM_HORIZON' },
    );
    await poller.drained();

    const flat = calls.flat();
    expect(flat.filter((id) => id === 'a')).toHaveLength(1);
    expect(calls.at(-1)).toEqual(['b', 'c']);
    expect(calls[0]).toEqual(['a', 'b', 'c']);
  });

  it('gives up after maxRetries, reports the records to onFailure, and moves on', async () => {
    const { tableName, streamArn } = await freshTable();
    const attempts: string[] = [];
    const delivered: string[] = [];
    const failures: { ids: string[]; error: unknown }[] = [];
    const logs: string[] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        const ids = event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?');
        if (ids.includes('poison')) {
          attempts.push(ids.join(','));
          throw new Error('handler exploded');
        }
        delivered.push(...ids);
      },
      {
        batchSize: 1,
        maxRetries: 2,
        onFailure: (records, error) => failures.push({ ids: records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'), error }),
        logger: (line) => logs.push(line),
      },
    );

    await put(tableName, 'poison', 'PLACED');
    await put(tableName, 'after', 'PLACED');
    await poller.drained();

    expect(attempts).toEqual(['poison', 'poison', 'poison']);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.ids).toEqual(['poison']);
    expect(failures[0]?.error).toBeInstanceOf(Error);
    expect(delivered).toEqual(['after']);
    expect(logs.some((l) => l.includes('skipping 1 record(s)') && l.includes('handler exploded'))).toBe(true);
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch', async () => {
    const { tableName, streamArn } = await freshTable();
    const calls: number[] = [];
    const failures: unknown[] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        calls.push(event.Records.length);
        return { batchItemFailures: [{ itemIdentifier: 'not-a-sequence-number' }] };
      },
      { maxRetries: 1, onFailure: (_records, error) => failures.push(error) },
    );

    await put(tableName, 'x', 'PLACED');
    await poller.drained();

    expect(calls).toEqual([1, 1]);
    expect(failures[0]).toBeInstanceOf(BatchItemFailuresError);
  });

  /** The ids of a batch's records, comma-separated. */
  const joinedIds = (records: readonly DynamoDBRecord[]) => records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?').join(',');
  const sequenceOf = (records: readonly DynamoDBRecord[], id: string) =>
    records.find((r) => r.dynamodb?.Keys?.id?.S === id)?.dynamodb?.SequenceNumber;

  it('bisects a batch the handler throws on until the poison record is alone; splits do not use up retries', async () => {
    const { tableName, streamArn } = await freshTable();
    // Written before the poller starts, so that its first batch holds all five.
    for (const id of ['a', 'b', 'c', 'd', 'e']) await put(tableName, id, 'PLACED');
    const calls: string[] = [];
    const handled: string[] = [];
    const seen: DynamoDBRecord[] = [];
    const failures: { ids: string; error: unknown; failure: StreamFailureRecord }[] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        calls.push(joinedIds(event.Records));
        seen.push(...event.Records);
        if (event.Records.some((r) => r.dynamodb?.Keys?.id?.S === 'b')) throw new Error('poison');
        handled.push(...event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'));
      },
      {
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnError: true,
        maxRetries: 2,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer',
        onFailure: (records, error, failure) => failures.push({ ids: joinedIds(records), error, failure }),
      },
    );
    await poller.drained();

    // Halves, larger first, in stream order; only the lone poison record is retried (1 + 2 calls).
    expect(calls).toEqual(['a,b,c,d,e', 'a,b,c', 'a,b', 'a', 'b', 'b', 'b', 'c', 'd,e']);
    expect(handled).toEqual(['a', 'c', 'd', 'e']);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.ids).toBe('b');
    expect((failures[0]?.error as Error).message).toBe('poison');

    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const poison = sequenceOf(seen, 'b');
    expect(failures[0]?.failure).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      DDBStreamBatchInfo: {
        shardId: StreamDescription?.Shards?.[0]?.ShardId,
        startSequenceNumber: poison,
        endSequenceNumber: poison,
        approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        batchSize: 1,
        streamArn,
      },
    });
  });

  it('without bisectBatchOnError retries and discards a batch it threw on whole', async () => {
    const { tableName, streamArn } = await freshTable();
    for (const id of ['a', 'b']) await put(tableName, id, 'PLACED');
    const calls: string[] = [];
    const failures: StreamFailureRecord[] = [];
    const seen: DynamoDBRecord[] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        calls.push(joinedIds(event.Records));
        seen.push(...event.Records);
        throw new Error('always');
      },
      { startingPosition: 'TRIM_HORIZON', maxRetries: 1, onFailure: (_records, _error, failure) => failures.push(failure) },
    );
    await poller.drained();

    expect(calls).toEqual(['a,b', 'a,b']);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.requestContext.approximateInvokeCount).toBe(2);
    expect(failures[0]?.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: sequenceOf(seen, 'a'),
      endSequenceNumber: sequenceOf(seen, 'b'),
      batchSize: 2,
    });
  });

  it('retries reported item failures from the first one (no bisection), then discards what remains', async () => {
    const { tableName, streamArn } = await freshTable();
    for (const id of ['a', 'b', 'c']) await put(tableName, id, 'PLACED');
    const calls: string[] = [];
    const seen: DynamoDBRecord[] = [];
    const failures: { ids: string; error: unknown; failure: StreamFailureRecord }[] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        calls.push(joinedIds(event.Records));
        seen.push(...event.Records);
        const b = sequenceOf(event.Records, 'b');
        return { batchItemFailures: b === undefined ? [] : [{ itemIdentifier: b }] };
      },
      {
        startingPosition: 'TRIM_HORIZON',
        bisectBatchOnError: true,
        maxRetries: 2,
        onFailure: (records, error, failure) => failures.push({ ids: joinedIds(records), error, failure }),
      },
    );
    await poller.drained();

    expect(calls).toEqual(['a,b,c', 'b,c', 'b,c']);
    expect(failures.map((f) => f.ids)).toEqual(['b,c']);
    expect(failures[0]?.error).toBeInstanceOf(BatchItemFailuresError);
    // The function returned normally: no functionError.
    expect(failures[0]?.failure.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(failures[0]?.failure.requestContext.approximateInvokeCount).toBe(3);
    expect(failures[0]?.failure.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: sequenceOf(seen, 'b'),
      endSequenceNumber: sequenceOf(seen, 'c'),
      batchSize: 2,
    });
  });

  it('moves on when onFailure rejects, and logs it', async () => {
    const { tableName, streamArn } = await freshTable();
    const delivered: string[] = [];
    const logs: string[] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        if (joinedIds(event.Records).includes('poison')) throw new Error('handler exploded');
        delivered.push(joinedIds(event.Records));
      },
      {
        batchSize: 1,
        maxRetries: 0,
        onFailure: async () => Promise.reject(new Error('queue unreachable')),
        logger: (line) => logs.push(line),
      },
    );

    await put(tableName, 'poison', 'PLACED');
    await put(tableName, 'after', 'PLACED');
    await poller.drained();

    expect(delivered).toEqual(['after']);
    expect(logs.some((l) => l.includes('onFailure threw') && l.includes('queue unreachable'))).toBe(true);
  });

  it('starts at LATEST: changes made before it started are not delivered', async () => {
    const { tableName, streamArn } = await freshTable();
    await put(tableName, 'old', 'PLACED');
    const seen: string[] = [];
    const poller = await poll(streamArn, async (event) => {
      seen.push(...event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'));
    });

    await put(tableName, 'new', 'PLACED');
    await poller.drained();

    expect(seen).toEqual(['new']);
  });

  it('reads from the start with TRIM_HORIZON', async () => {
    const { tableName, streamArn } = await freshTable();
    await put(tableName, 'old', 'PLACED');
    const seen: string[] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        seen.push(...event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'));
      },
      { startingPosition: 'TRIM_HORIZON' },
    );

    await poller.drained();

    expect(seen).toEqual(['old']);
  });

  const idsOf = (event: DynamoDBStreamEvent) => event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?');

  it('saves its checkpoints to a file, and a restarted poller resumes right after them (even at LATEST)', async () => {
    const { tableName, streamArn } = await freshTable();
    const dir = await mkdtemp(join(tmpdir(), 'poller-checkpoints-'));
    try {
      const file = join(dir, 'stream-checkpoints.json');
      const seen: string[] = [];
      const sequenceNumbers: string[] = [];
      const handler = async (event: DynamoDBStreamEvent) => {
        seen.push(...idsOf(event));
        sequenceNumbers.push(...event.Records.map((r) => r.dynamodb?.SequenceNumber ?? '?'));
      };
      const first = await poll(streamArn, handler, { startingPosition: 'TRIM_HORIZON', checkpoints: checkpointFile(file).scope('m') });
      await put(tableName, 'a', 'PLACED');
      await put(tableName, 'b', 'PLACED');
      await first.drained();
      await first.stop();
      const [shard] = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
      expect([...(await checkpointFile(file).scope('m').load())]).toEqual([[shard?.ShardId, sequenceNumbers.at(-1)]]);

      // Written while no poller ran: LATEST would skip it, the checkpoint does not.
      await put(tableName, 'while-down', 'PLACED');
      const second = await poll(streamArn, handler, { startingPosition: 'LATEST', checkpoints: checkpointFile(file).scope('m') });
      await second.drained();

      expect(seen).toEqual(['a', 'b', 'while-down']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps checkpoints in memory by default: a new poller without a store starts over', async () => {
    const { tableName, streamArn } = await freshTable();
    await put(tableName, 'a', 'PLACED');
    const seen: string[] = [];
    const handler = async (event: DynamoDBStreamEvent) => void seen.push(...idsOf(event));
    const first = await poll(streamArn, handler, { startingPosition: 'TRIM_HORIZON' });
    await first.drained();
    await first.stop();
    const second = await poll(streamArn, handler, { startingPosition: 'TRIM_HORIZON' });
    await second.drained();

    expect(seen).toEqual(['a', 'a']);
  });

  it('falls back to TRIM_HORIZON with a warning when its checkpoint has been trimmed from the shard', async () => {
    const { tableName, streamArn } = await freshTable();
    await put(tableName, 'a', 'PLACED');
    await put(tableName, 'b', 'PLACED');
    const [shard] = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
    const checkpoints = memoryCheckpoints();
    await checkpoints.save(new Map([[shard?.ShardId ?? '?', '000000000000000000001']]));
    // As on AWS once the 24-hour retention passed the checkpoint.
    const trimmed = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    const realSend = trimmed.send.bind(trimmed);
    Object.defineProperty(trimmed, 'send', {
      value: async (command: GetShardIteratorCommand) => {
        if (command instanceof GetShardIteratorCommand && command.input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER') {
          throw new TrimmedDataAccessException({ message: 'trimmed', $metadata: { httpStatusCode: 400 } });
        }
        return realSend(command);
      },
    });
    const seen: string[] = [];
    const logs: string[] = [];
    const poller = await poll(streamArn, async (event) => void seen.push(...idsOf(event)), {
      streams: trimmed,
      checkpoints,
      logger: (line) => logs.push(line),
    });
    await poller.drained();
    await poller.stop();
    trimmed.destroy();

    expect(seen).toEqual(['a', 'b']);
    expect(logs.join('\n')).toMatch(/warning: shard .* checkpoint 000000000000000000001 is no longer readable .*TRIM_HORIZON/);
  });

  it('keeps its place through a failed poll: no record is lost when GetRecords fails once', async () => {
    const { tableName, streamArn } = await freshTable();
    // A streams client whose next GetRecords fails (like a dropped connection) once the write is in.
    const flaky = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const realSend = flaky.send.bind(flaky);
    let failAfter: Promise<unknown> | undefined;
    Object.defineProperty(flaky, 'send', {
      value: async (command: GetRecordsCommand) => {
        const gate = failAfter;
        if (command instanceof GetRecordsCommand && gate !== undefined) {
          failAfter = undefined;
          await gate;
          throw new Error('socket hang up');
        }
        return realSend(command);
      },
    });
    const seen: string[] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        seen.push(...event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'));
      },
      { streams: flaky },
    );

    const written = put(tableName, 'kept', 'PLACED');
    failAfter = written;
    await written;
    await poller.drained();
    await poller.stop();
    flaky.destroy();

    expect(seen).toEqual(['kept']);
  });

  describe('with a parallelization factor above 1', () => {
    const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f'];
    /** `<id>:<status>` of each record. */
    const changesOf = (records: readonly DynamoDBRecord[]) =>
      records.map((r) => `${r.dynamodb?.Keys?.id?.S ?? '?'}:${r.dynamodb?.NewImage?.status?.S ?? '?'}`);

    /** Writes v1 of every item, then v2 of every item: each item's changes interleaved with the others'. */
    async function writeInterleaved(tableName: string): Promise<string[]> {
      const written: string[] = [];
      for (const status of ['v1', 'v2']) {
        for (const id of ITEMS) {
          await put(tableName, id, status);
          written.push(`${id}:${status}`);
        }
      }
      return written;
    }

    /** The stream's records, oldest first, read straight from its (only) shard. */
    async function streamRecords(streamArn: string): Promise<{ change: string; sequenceNumber: string }[]> {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: StreamDescription?.Shards?.[0]?.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }));
      return Records.map((r) => ({
        change: `${r.dynamodb?.Keys?.id?.S ?? '?'}:${r.dynamodb?.NewImage?.status?.S ?? '?'}`,
        sequenceNumber: r.dynamodb?.SequenceNumber ?? '?',
      }));
    }

    /** A handler that holds every batch until the test releases it, and what it saw. */
    function heldHandler() {
      const open: { changes: string[]; release: () => void }[] = [];
      const handled: string[] = [];
      const itemsInTwoBatches: string[] = [];
      let mostOpen = 0;
      let holding = true;
      const handler = async (event: DynamoDBStreamEvent) => {
        const changes = changesOf(event.Records);
        const items = new Set(changes.map((c) => c.split(':')[0]));
        for (const other of open) itemsInTwoBatches.push(...other.changes.filter((c) => items.has(c.split(':')[0])));
        if (!holding) return;
        await new Promise<void>((resolve) => {
          const batch = {
            changes,
            release: () => {
              open.splice(open.indexOf(batch), 1);
              handled.push(...changes);
              resolve();
            },
          };
          open.push(batch);
          mostOpen = Math.max(mostOpen, open.length);
        });
      };
      /** Lets every batch go, now and later (so that a failed test does not leave stop() waiting). */
      const releaseAll = () => {
        holding = false;
        for (const batch of [...open]) batch.release();
      };
      return { handler, open, handled, itemsInTwoBatches, mostOpen: () => mostOpen, releaseAll };
    }

    it('runs batches of different items at once, never one item in two, each item in order; the checkpoint waits for the earliest batch', async () => {
      const { tableName, streamArn } = await freshTable();
      const written = await writeInterleaved(tableName);
      const stream = await streamRecords(streamArn);
      const held = heldHandler();
      // Every save must cover only records already handled: never one still in a batch in flight,
      // even when batches after it finished first.
      const saves: string[] = [];
      const uncovered: string[] = [];
      const checkpoints = memoryCheckpoints();
      const poller = await poll(streamArn, held.handler, {
        startingPosition: 'TRIM_HORIZON',
        batchSize: 2,
        parallelizationFactor: 3,
        checkpoints: {
          load: () => checkpoints.load(),
          save: async (snapshot) => {
            const saved = [...snapshot.values()][0] ?? '';
            saves.push(saved);
            const covered = stream.filter((r) => BigInt(r.sequenceNumber) <= BigInt(saved));
            uncovered.push(...covered.filter((r) => !held.handled.includes(r.change)).map((r) => r.change));
            await checkpoints.save(snapshot);
          },
        },
      });

      try {
        const openBatches = () => held.open.map((b) => b.changes.join(','));
        const release = (changes: string) => held.open.find((b) => b.changes.join(',') === changes)?.release();
        // Three batches of two items each (reads of two records), all with the handler at once.
        await vi.waitFor(() => expect(openBatches()).toEqual(['a:v1,b:v1', 'c:v1,d:v1', 'e:v1,f:v1']));
        // The newest finishes first: only its own items' next changes may go; a to d wait for theirs.
        release('e:v1,f:v1');
        await vi.waitFor(() => expect(openBatches()).toEqual(['a:v1,b:v1', 'c:v1,d:v1', 'e:v2,f:v2']));
        release('e:v2,f:v2');
        release('c:v1,d:v1');
        await vi.waitFor(() => expect(openBatches()).toEqual(['a:v1,b:v1', 'c:v2,d:v2']));
        // Batches after a:v1 finished; a:v1 did not: nothing may be checkpointed yet.
        expect(saves).toEqual([]);
        release('a:v1,b:v1');
        await vi.waitFor(() => expect(openBatches()).toEqual(['c:v2,d:v2', 'a:v2,b:v2']));
        release('a:v2,b:v2');
        release('c:v2,d:v2');
      } finally {
        held.releaseAll();
      }
      await poller.drained();
      await poller.stop();

      expect(held.mostOpen()).toBe(3);
      expect(held.itemsInTwoBatches).toEqual([]);
      expect([...held.handled].sort()).toEqual([...written].sort());
      for (const id of ITEMS) expect(held.handled.filter((c) => c.startsWith(`${id}:`))).toEqual([`${id}:v1`, `${id}:v2`]);
      expect(uncovered).toEqual([]);
      expect(saves.length).toBeGreaterThan(0);
      expect([...(await checkpoints.load()).values()]).toEqual([stream.at(-1)?.sequenceNumber]);
    });

    it('after a crash, replays from the earliest record a batch still held, never skipping it', async () => {
      const { tableName, streamArn } = await freshTable();
      const written = await writeInterleaved(tableName);
      const stream = await streamRecords(streamArn);
      const checkpoints = memoryCheckpoints();
      // The first poller's handler never finishes item c; every other batch succeeds at once.
      let releaseC!: () => void;
      const cHeld = new Promise<void>((resolve) => (releaseC = resolve));
      const firstHandled: string[] = [];
      await poll(
        streamArn,
        async (event) => {
          const changes = changesOf(event.Records);
          if (changes.some((c) => c.startsWith('c:'))) await cHeld;
          else firstHandled.push(...changes);
        },
        // One record a batch, and reading ahead far enough (2 × 10 × 1 records) to reach the last.
        { startingPosition: 'TRIM_HORIZON', batchSize: 1, parallelizationFactor: 10, checkpoints },
      );
      try {
        // Everything but c's two changes is handled; c:v2 waits behind c:v1.
        await vi.waitFor(() => expect([...firstHandled].sort()).toEqual(written.filter((c) => !c.startsWith('c:')).sort()));
        // The process dies now: what a restart would load is the checkpoint saved so far.
        const atCrash = memoryCheckpoints();
        await atCrash.save(await checkpoints.load());
        expect([...(await atCrash.load()).values()]).toEqual([stream.find((r) => r.change === 'b:v1')?.sequenceNumber]);

        const replayed: string[] = [];
        const second = await poll(streamArn, async (event) => void replayed.push(...changesOf(event.Records)), {
          startingPosition: 'TRIM_HORIZON',
          parallelizationFactor: 3,
          checkpoints: atCrash,
        });
        await second.drained();

        // Everything after b:v1: c's changes, never handled, and the later ones again (at least once).
        expect([...replayed].sort()).toEqual(written.slice(written.indexOf('c:v1')).sort());
      } finally {
        releaseC();
      }
    });

    it('bisects and discards within the failing batch while another batch of the shard goes through', async () => {
      const { tableName, streamArn } = await freshTable();
      for (const id of ITEMS) await put(tableName, id, 'v1');
      const stream = await streamRecords(streamArn);
      const calls: string[] = [];
      const failures: { ids: string; failure: StreamFailureRecord }[] = [];
      const checkpoints = memoryCheckpoints();
      const poller = await poll(
        streamArn,
        async (event) => {
          calls.push(joinedIds(event.Records));
          if (event.Records.some((r) => r.dynamodb?.Keys?.id?.S === 'b')) throw new Error('poison');
        },
        {
          startingPosition: 'TRIM_HORIZON',
          batchSize: 3,
          parallelizationFactor: 2,
          bisectBatchOnError: true,
          maxRetries: 1,
          checkpoints,
          onFailure: (records, _error, failure) => failures.push({ ids: joinedIds(records), failure }),
        },
      );
      await poller.drained();
      await poller.stop();

      // Two batches of three (reads of three records): the first halves down to b, the second is untouched.
      expect(calls.filter((c) => /[abc]/.test(c))).toEqual(['a,b,c', 'a,b', 'a', 'b', 'b', 'c']);
      expect(calls.filter((c) => /[def]/.test(c))).toEqual(['d,e,f']);
      expect(failures.map((f) => f.ids)).toEqual(['b']);
      expect(failures[0]?.failure.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, startSequenceNumber: stream[1]?.sequenceNumber });
      expect([...(await checkpoints.load()).values()]).toEqual([stream.at(-1)?.sequenceNumber]);
    });

    it('refuses a factor Lambda does not accept', async () => {
      const { streamArn } = await freshTable();
      for (const parallelizationFactor of [0, 11, 1.5]) {
        await expect(poll(streamArn, async () => undefined, { parallelizationFactor })).rejects.toThrow(
          /parallelizationFactor must be an integer from 1 to 10/,
        );
      }
    });
  });

  /** A streams client that counts the calls it sends and the GetRecords answers it receives. */
  function countingStreams(): { client: DynamoDBStreamsClient; sent: () => number; answeredGetRecords: () => number } {
    const counted = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    const realSend = counted.send.bind(counted);
    let sent = 0;
    let answered = 0;
    Object.defineProperty(counted, 'send', {
      value: async (command: GetRecordsCommand) => {
        sent++;
        const out = await realSend(command);
        if (command instanceof GetRecordsCommand) answered++;
        return out;
      },
    });
    return { client: counted, sent: () => sent, answeredGetRecords: () => answered };
  }

  it('reads as far ahead as the factor allows in one GetRecords, and still hands over batchSize records at a time, in order', async () => {
    const { tableName, streamArn } = await freshTable();
    const written: string[] = [];
    for (let i = 0; i < 20; i++) {
      await put(tableName, `item-${String(i).padStart(2, '0')}`, 'PLACED');
      written.push(`item-${String(i).padStart(2, '0')}`);
    }
    const limits: (number | undefined)[] = [];
    const recording = new DynamoDBStreamsClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    const realSend = recording.send.bind(recording);
    Object.defineProperty(recording, 'send', {
      value: (command: GetRecordsCommand) => {
        if (command instanceof GetRecordsCommand) limits.push(command.input.Limit);
        return realSend(command);
      },
    });
    const batches: string[][] = [];
    const poller = await poll(
      streamArn,
      async (event) => {
        batches.push(event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'));
      },
      { streams: recording, startingPosition: 'TRIM_HORIZON', batchSize: 3, parallelizationFactor: 2 },
    );
    await poller.drained();
    await poller.stop();
    recording.destroy();

    // Read-ahead 2 × factor × batchSize = 12: the first read asks for 12 records, not 3.
    expect(limits[0]).toBe(12);
    expect(limits.every((l) => l !== undefined && l >= 3 && l <= 12)).toBe(true);
    expect(batches.every((b) => b.length >= 1 && b.length <= 3)).toBe(true);
    expect(batches.flat().sort()).toEqual(written);
  });

  it('stop() cuts its waits short: it returns while every loop is idle for an hour', async () => {
    const { streamArn } = await freshTable();
    const counted = countingStreams();
    const poller = await poll(streamArn, async () => undefined, {
      streams: counted.client,
      pollIntervalMs: 3_600_000,
      shardDiscoveryIntervalMs: 3_600_000,
    });
    // Once its first (empty) GetRecords is answered, the shard loop waits an hour before the next.
    await vi.waitFor(() => expect(counted.answeredGetRecords()).toBe(1));

    await expect(poller.stop()).resolves.toBeUndefined();
    counted.client.destroy();
  });

  it('reads nothing and delivers nothing once stop() has returned', async () => {
    const { tableName, streamArn } = await freshTable();
    const counted = countingStreams();
    const seen: string[] = [];
    // Polling every millisecond, a poller still running would read many times in the window below.
    const poller = await poll(
      streamArn,
      async (event) => {
        seen.push(...event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'));
      },
      { streams: counted.client, pollIntervalMs: 1 },
    );
    await poller.drained();
    await poller.stop();
    const sentAtStop = counted.sent();

    await put(tableName, 'late', 'PLACED');
    const witness: string[] = [];
    const live = await poll(
      streamArn,
      async (event) => {
        witness.push(...event.Records.map((r) => r.dynamodb?.Keys?.id?.S ?? '?'));
      },
      { startingPosition: 'TRIM_HORIZON' },
    );
    await live.drained();
    counted.client.destroy();

    expect(witness).toEqual(['late']);
    expect(seen).toEqual([]);
    expect(counted.sent()).toBe(sentAtStop);
  });
});
