/**
 * A DynamoDB stream delivered to a handler the way Lambda's event source mapping does it.
 *
 * Contract (matching Lambda where it matters to handlers):
 * - Of the mapping's settings it honours `batchSize`, `parallelizationFactor` and a batching
 *   window of 0 (a batch is handed over as soon as it is read; a longer window is AWS-only).
 * - `parallelizationFactor` (Lambda's ParallelizationFactor, 1 to 10): up to that many batches of
 *   one shard are with the handler at once; different shards run concurrently. Lambda's guide
 *   (with-ddb, "Polling and batching streams"): "When you increase the number of concurrent
 *   batches per shard, Lambda still ensures in-order processing at the item (partition and sort
 *   key) level." So here: a batch takes the shard's oldest records not yet handed over, in stream
 *   order, skipping every item (all its key attributes) that a batch in flight holds; an item's
 *   later records wait until that batch has settled (handled, or discarded after its retries),
 *   and one batch may hold several records of an item, in order. Each item's records thus reach
 *   the handler in stream order, and two batches in flight never share an item. How Lambda
 *   itself cuts batches with a factor above 1 is undocumented; this is the reading. With factor
 *   1 (the default) a shard has one batch at a time, in stream order, as Lambda's default.
 *   Records are read ahead of the handler by at most 2 × factor × batchSize per shard, in reads
 *   of up to that many records (GetRecords' Limit; 1,000 at most, as on DynamoDB).
 * - A child shard is read only after its parent shard has been read to its end, so the
 *   changes of one item stay in order when DynamoDB (Local) rolls over to new shards.
 * - New shards are discovered every `shardDiscoveryIntervalMs`.
 * - Polling: a read that comes back full is followed by the next at once; one that reached the
 *   end of what the shard has (fewer records than asked for) by a pause of `busyPollIntervalMs`
 *   before the next; an empty one by `pollIntervalMs` (Lambda polls a shard four times a second
 *   at its base rate). Without the middle pause a shard with steady traffic was read back to back,
 *   a GetRecords per handful of records, which under load cost DynamoDB Local more CPU than the
 *   writes themselves.
 * - The handler may return `{ batchItemFailures: [{ itemIdentifier: <SequenceNumber> }] }`
 *   (ReportBatchItemFailures): records before the first failed one are checkpointed and the
 *   batch is retried from it (Lambda: "bisected at the returned sequence number", only the
 *   remaining records retried); that retry counts. An identifier not in the batch (or an empty
 *   one) fails the whole batch, as on Lambda.
 * - A thrown error (a function error) retries the whole batch, or with `bisectBatchOnError`
 *   (BisectBatchOnFunctionError) splits a batch of two or more records in two (the first half
 *   the larger) and delivers each half as its own batch, first half first, each with its own
 *   retries: "splitting a batch does not count towards the retry quota" (AWS's Lambda guide,
 *   DynamoDB error handling). So a batch halves until the failing record is alone, and only a
 *   single record, or the remainder after item failures, uses up retries. How Lambda splits an
 *   odd batch and when it counts retries after item failures are undocumented; this is the reading.
 * - After `maxRetries` retries the remaining records are discarded: logged, skipped, and handed to
 *   `onFailure` with Lambda's on-failure record (stream-failure.ts), as an on-failure
 *   destination receives it after MaximumRetryAttempts. The shard moves on once `onFailure`
 *   has settled (a failing `onFailure` is logged, and the records are skipped all the same).
 * - The checkpoint of each shard is the sequence number of its last record such that it and
 *   every earlier record were handled or skipped: it never passes a record still in a batch in
 *   flight (nor one not yet handed over), whichever batch finished first. It is saved to
 *   `checkpoints` after every batch, before that batch's items can be handed over again; a new
 *   poller on the same store resumes each shard right after its checkpoint. Delivery is at least
 *   once: records handled but not yet checkpointed when the process died (a batch finished
 *   while an earlier one was still running, or whose save had not happened) are delivered again.
 * - A checkpoint the stream no longer has (trimmed, or the shard is unreadable from it) is
 *   dropped with a warning and its shard is read from its oldest record (TRIM_HORIZON).
 *
 * Starting position of a shard without a checkpoint: with `TRIM_HORIZON` every shard is read
 * from its oldest record. With `LATEST` (the default, as on Lambda), shards that exist at start
 * are read from their tip (closed ones skipped) and shards that appear later from their oldest
 * record (everything in them is new to us). The local stack uses TRIM_HORIZON and relies on
 * checkpoints not to republish what subscribers already saw: with LATEST, on a fresh DynamoDB
 * Local database, the iterator opened at start never returned the first order's records.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsServiceException,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type Shard,
  type _Record as SdkRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { describeError } from '../util/errors.js';
import { memoryCheckpoints, type CheckpointStore } from './checkpoints.js';
import { toLambdaRecord, type DynamoDBRecord, type DynamoDBStreamEvent } from './stream-event.js';
import { streamFailureRecord, type StreamFailureRecord } from './stream-failure.js';

export type StreamHandlerResult = void | { batchItemFailures: { itemIdentifier: string }[] };

export interface StreamPollerOptions {
  readonly streams: DynamoDBStreamsClient;
  readonly streamArn: string;
  readonly handler: (event: DynamoDBStreamEvent) => Promise<StreamHandlerResult>;
  /** Most records per handler call. @default 10 */
  readonly batchSize?: number | undefined;
  /**
   * Batches of one shard with the handler at once, never two holding the same item (Lambda's
   * ParallelizationFactor; see the module comment). An integer from 1 to 10. @default 1
   */
  readonly parallelizationFactor?: number | undefined;
  /** Retries of a failing batch before it is skipped (so at most 1 + maxRetries calls). @default 3 */
  readonly maxRetries?: number | undefined;
  /** Pause between polls of a shard that had nothing new. @default 200 (ms) */
  readonly pollIntervalMs?: number | undefined;
  /**
   * Pause after a poll that found records but fewer than it asked for (the shard's end reached),
   * at most `pollIntervalMs`. @default 50 (ms)
   */
  readonly busyPollIntervalMs?: number | undefined;
  /** Pause before retrying a failed batch; doubles per retry, capped at 2 s. @default 100 (ms) */
  readonly retryDelayMs?: number | undefined;
  /** How often new shards are looked for. @default 1000 (ms) */
  readonly shardDiscoveryIntervalMs?: number | undefined;
  /** Where shards without a checkpoint start. @default 'LATEST' (see the module comment) */
  readonly startingPosition?: 'LATEST' | 'TRIM_HORIZON' | undefined;
  /** Where checkpoints are loaded from at start and saved after each batch. @default in memory */
  readonly checkpoints?: CheckpointStore | undefined;
  /** Split a batch the handler threw on in two (Lambda's BisectBatchOnFunctionError). @default false (Lambda's default) */
  readonly bisectBatchOnError?: boolean | undefined;
  /** The consumer's ARN, for the on-failure record. @default an ARN naming function `stream-consumer` */
  readonly functionArn?: string | undefined;
  /**
   * Called with the records discarded after the last retry, the last error and Lambda's on-failure
   * record for them; the shard waits for it (send it to the failure queue here).
   */
  readonly onFailure?: ((records: readonly DynamoDBRecord[], error: unknown, failure: StreamFailureRecord) => unknown) | undefined;
  readonly logger?: ((line: string) => void) | undefined;
}

export interface StreamPoller {
  /** Stops polling; waits for the handler calls in progress. Records not yet handled are dropped. */
  stop(): Promise<void>;
  /**
   * Resolves once every record in the stream when this was called has been handled (or
   * skipped after its retries), on every shard known by then. For tests.
   */
  drained(): Promise<void>;
}

/** Raised (to `onFailure`) when retries end on a batch the handler reported items of. */
export class BatchItemFailuresError extends Error {
  override readonly name = 'BatchItemFailuresError';
  constructor(readonly itemIdentifiers: readonly string[]) {
    super(`handler reported ${itemIdentifiers.length} failed item(s): ${itemIdentifiers.join(', ')}`);
  }
}

/** A record read from a shard that its checkpoint has not passed yet. */
interface ReadRecord {
  readonly record: DynamoDBRecord;
  /** The item it changes (itemKey): with a factor above 1, Lambda's unit of order. */
  readonly item: string;
  /** Handed to the handler in a batch. */
  dispatched: boolean;
  /** Handled, or skipped after its retries. */
  finished: boolean;
}

interface ShardState {
  readonly id: string;
  readonly parentId: string | undefined;
  /** Where to (re)open the shard when there is no checkpoint yet. */
  start: 'LATEST' | 'TRIM_HORIZON';
  iterator: string | undefined;
  /** Sequence number of the last record that was, with every earlier one, handled (or skipped). */
  checkpoint: string | undefined;
  /** The checkpoint last written to the store. */
  saved: string | undefined;
  /** Read to its end (closed shard) or skipped at start. */
  done: boolean;
  started: boolean;
  /** Clock value at the start of the latest poll that found nothing new with every record read finished. */
  caughtUpAt: number;
  /** Records read and not yet passed by the checkpoint, in stream order. */
  readonly unfinished: ReadRecord[];
  /** Items held by a batch in flight. */
  readonly busyItems: Set<string>;
  /** Batches with the handler. */
  inFlight: number;
  /** Notified whenever a batch of the shard settles. */
  readonly settled: Signal;
}

/** A promise for the next notify(); each notify() starts a new one. */
class Signal {
  private resolve: () => void = () => undefined;
  private promise = this.renew();
  private renew(): Promise<void> {
    return new Promise((resolve) => (this.resolve = resolve));
  }
  next(): Promise<void> {
    return this.promise;
  }
  notify(): void {
    this.resolve();
    this.promise = this.renew();
  }
}

/** Waits that stop() (and drained()) can cut short. */
class Sleeper {
  private readonly pending = new Set<() => void>();
  /** Resolves after `ms`, or earlier when `until` settles or on wakeAll(). */
  sleep(ms: number, until?: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => wake(), ms);
      const wake = () => {
        clearTimeout(timer);
        this.pending.delete(wake);
        resolve();
      };
      this.pending.add(wake);
      void until?.then(wake, wake);
    });
  }
  /** Resolves when `until` settles, or on wakeAll(). */
  until(until: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.pending.delete(wake);
        resolve();
      };
      this.pending.add(wake);
      void until.then(wake, wake);
    });
  }
  wakeAll(): void {
    for (const wake of [...this.pending]) wake();
  }
}

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { streams, streamArn, handler } = options;
  const batchSize = options.batchSize ?? 10;
  const factor = options.parallelizationFactor ?? 1;
  if (!Number.isInteger(factor) || factor < 1 || factor > 10) {
    throw new RangeError(`parallelizationFactor must be an integer from 1 to 10 (as on Lambda), not ${factor}`);
  }
  // Records read and not yet checkpointed, per shard: those in flight, and as many again queued.
  const readAhead = 2 * factor * batchSize;
  const maxRetries = options.maxRetries ?? 3;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const busyPollIntervalMs = Math.min(pollIntervalMs, options.busyPollIntervalMs ?? 50);
  const retryDelayMs = options.retryDelayMs ?? 100;
  const discoveryIntervalMs = options.shardDiscoveryIntervalMs ?? 1000;
  const startingPosition = options.startingPosition ?? 'LATEST';
  const store = options.checkpoints ?? memoryCheckpoints();
  const bisect = options.bisectBatchOnError ?? false;
  const log = (line: string) => options.logger?.(`[stream ${shortArn(streamArn)}] ${line}`);
  // Lambda reports the table's region; DynamoDB Local's records say "ddblocal".
  const region = await streams.config.region();
  const functionArn = options.functionArn ?? `arn:aws:lambda:${region}:000000000000:function:stream-consumer`;
  const savedCheckpoints = await store.load();

  const shards = new Map<string, ShardState>();
  const loops = new Set<Promise<void>>();
  const sleeper = new Sleeper();
  const waiters: { mark: number; resolve: () => void }[] = [];
  let clock = 0;
  let discoveredAt = 0;
  let stopped = false;

  const track = (loop: Promise<void>) => {
    loops.add(loop);
    void loop.finally(() => loops.delete(loop));
  };

  const isDrainedSince = (mark: number) =>
    discoveredAt > mark && [...shards.values()].every((s) => s.done || (s.started && s.caughtUpAt > mark));

  const settleWaiters = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i];
      if (waiter !== undefined && (stopped || isDrainedSince(waiter.mark))) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };

  const openIterator = async (shard: ShardState): Promise<string | undefined> => {
    const out = await streams.send(
      new GetShardIteratorCommand(
        shard.checkpoint === undefined
          ? { StreamArn: streamArn, ShardId: shard.id, ShardIteratorType: shard.start }
          : { StreamArn: streamArn, ShardId: shard.id, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.checkpoint },
      ),
    );
    return out.ShardIterator;
  };

  /** Opens the shard at its checkpoint; one the stream no longer has falls back to TRIM_HORIZON. */
  const openIteratorOrFallBack = async (shard: ShardState): Promise<string | undefined> => {
    const checkpoint = shard.checkpoint;
    try {
      return await openIterator(shard);
    } catch (error) {
      if (checkpoint === undefined || isTransient(error)) throw error;
      log(
        `warning: shard ${shard.id}: checkpoint ${checkpoint} is no longer readable (${describeError(error)}); ` +
          'reading the shard from its oldest record (TRIM_HORIZON)',
      );
      shard.checkpoint = undefined;
      shard.start = 'TRIM_HORIZON';
      return openIterator(shard);
    }
  };

  let saving: Promise<void> = Promise.resolve();
  /** Writes the checkpoints when one moved; a failed write is logged and retried at the next batch. */
  const saveCheckpoints = async () => {
    const next = saving.then(async () => {
      const current = [...shards.values()];
      if (current.every((s) => s.checkpoint === s.saved)) return;
      const snapshot = new Map<string, string>();
      for (const s of current) if (s.checkpoint !== undefined) snapshot.set(s.id, s.checkpoint);
      try {
        await store.save(snapshot);
        for (const s of current) s.saved = snapshot.get(s.id);
      } catch (error) {
        log(`saving checkpoints failed (${describeError(error)}); records since the last save may be delivered again after a restart`);
      }
    });
    saving = next;
    return next;
  };

  const listShards = async (): Promise<Shard[]> => {
    const all: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const out = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
      all.push(...(out.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = out.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId !== undefined);
    return all;
  };

  const discover = async (initial: boolean) => {
    const startedAt = ++clock;
    for (const shard of await listShards()) {
      const id = shard.ShardId;
      if (id === undefined || shards.has(id)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      const checkpoint = savedCheckpoints.get(id);
      const fromTip = initial && startingPosition === 'LATEST' && checkpoint === undefined;
      const state: ShardState = {
        id,
        parentId: shard.ParentShardId,
        start: fromTip ? 'LATEST' : 'TRIM_HORIZON',
        iterator: undefined,
        checkpoint,
        saved: checkpoint,
        done: fromTip && closed,
        started: false,
        caughtUpAt: 0,
        unfinished: [],
        busyItems: new Set(),
        inFlight: 0,
        settled: new Signal(),
      };
      // Opened now, not when first polled, so changes made after start() resolves are seen.
      if (fromTip && !closed) state.iterator = await openIterator(state);
      shards.set(id, state);
      if (!state.done) log(`shard ${id} found (${checkpoint === undefined ? `from ${state.start}` : `after checkpoint ${checkpoint}`})`);
    }
    discoveredAt = startedAt;
    schedule();
    settleWaiters();
  };

  /** Starts every shard whose parent is finished (or gone from the stream). */
  const schedule = () => {
    if (stopped) return;
    for (const shard of shards.values()) {
      if (shard.started || shard.done) continue;
      const parent = shard.parentId === undefined ? undefined : shards.get(shard.parentId);
      if (parent !== undefined && !parent.done) continue;
      shard.started = true;
      track(runShard(shard));
    }
  };

  /** Marks records handled (or skipped) and moves the checkpoint past every finished record before the first unfinished one. */
  const finish = (shard: ShardState, batch: readonly ReadRecord[]) => {
    for (const entry of batch) entry.finished = true;
    while (shard.unfinished[0]?.finished === true) {
      const entry = shard.unfinished.shift();
      shard.checkpoint = entry?.record.dynamodb?.SequenceNumber ?? shard.checkpoint;
    }
  };

  /** Hands `batch` to the handler until each record is handled or discarded (finished either way). */
  const deliver = async (shard: ShardState, batch: readonly ReadRecord[]): Promise<void> => {
    let pending = batch;
    let retries = 0;
    while (pending.length > 0 && !stopped) {
      const records = pending.map((entry) => entry.record);
      let error: unknown;
      let functionError = false;
      try {
        const result = await handler({ Records: records });
        const failed = result?.batchItemFailures ?? [];
        if (failed.length === 0) {
          finish(shard, pending);
          return;
        }
        const positions = failed.map((f) =>
          records.findIndex((r) => f.itemIdentifier !== '' && r.dynamodb?.SequenceNumber === f.itemIdentifier),
        );
        // An identifier Lambda cannot place fails the whole batch.
        const firstFailed = positions.some((p) => p < 0) ? 0 : Math.min(...positions);
        finish(shard, pending.slice(0, firstFailed));
        pending = pending.slice(firstFailed);
        error = new BatchItemFailuresError(failed.map((f) => f.itemIdentifier));
      } catch (thrown) {
        error = thrown;
        functionError = true;
        if (bisect && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          log(
            `shard ${shard.id}: batch of ${pending.length} failed (${describeError(error)}); ` +
              `bisecting into ${half} + ${pending.length - half} from ${firstSequenceNumber(records)}`,
          );
          await deliver(shard, pending.slice(0, half));
          if (!stopped) await deliver(shard, pending.slice(half));
          return;
        }
      }
      if (retries >= maxRetries) {
        await discard(shard, pending, error, { invokeCount: retries + 1, functionError });
        return;
      }
      retries++;
      log(
        `shard ${shard.id}: batch failed (${describeError(error)}); retry ${retries}/${maxRetries} from ${firstSequenceNumber(pending.map((e) => e.record))}`,
      );
      await sleeper.sleep(Math.min(2_000, retryDelayMs * 2 ** (retries - 1)));
    }
  };

  /** Skips records whose retries ran out, after handing them and their on-failure record to `onFailure`. */
  const discard = async (
    shard: ShardState,
    batch: readonly ReadRecord[],
    error: unknown,
    attempts: { invokeCount: number; functionError: boolean },
  ) => {
    const records = batch.map((entry) => entry.record);
    log(
      `shard ${shard.id}: skipping ${records.length} record(s) (${firstSequenceNumber(records)}…) after ${attempts.invokeCount - 1} retries: ${describeError(error)}`,
    );
    const failure = streamFailureRecord({ functionArn, streamArn, shardId: shard.id, records, ...attempts });
    try {
      await options.onFailure?.(records, error, failure);
    } catch (callbackError) {
      log(`onFailure threw: ${describeError(callbackError)}`);
    }
    finish(shard, batch);
  };

  /**
   * The shard's next batch: up to batchSize of its records not yet handed over, in stream order,
   * skipping the items a batch in flight holds (so all their later records too, until it settles).
   */
  const nextBatch = (shard: ShardState): ReadRecord[] => {
    const batch: ReadRecord[] = [];
    for (const entry of shard.unfinished) {
      if (batch.length >= batchSize) break;
      if (!entry.dispatched && !shard.busyItems.has(entry.item)) batch.push(entry);
    }
    for (const entry of batch) {
      entry.dispatched = true;
      shard.busyItems.add(entry.item);
    }
    return batch;
  };

  /** Hands the shard's read records over in batches while it has fewer than `factor` in flight. */
  const dispatch = (shard: ShardState) => {
    while (!stopped && shard.inFlight < factor) {
      const batch = nextBatch(shard);
      if (batch.length === 0) return;
      shard.inFlight++;
      track(runBatch(shard, batch));
    }
  };

  const runBatch = async (shard: ShardState, batch: readonly ReadRecord[]) => {
    try {
      await deliver(shard, batch);
      // Saved before the batch's items (with factor 1: the whole shard) go on to their next batch.
      await saveCheckpoints();
    } finally {
      for (const entry of batch) shard.busyItems.delete(entry.item);
      shard.inFlight--;
      shard.settled.notify();
    }
    dispatch(shard);
  };

  const runShard = async (shard: ShardState) => {
    let failures = 0;
    while (!stopped) {
      const pollStartedAt = ++clock;
      let records: SdkRecord[];
      let next: string | undefined;
      // As much as the read-ahead allows: under load, one read instead of one per batch.
      const limit = Math.min(MAX_GET_RECORDS_LIMIT, Math.max(batchSize, readAhead - shard.unfinished.length));
      if (shard.unfinished.length >= readAhead || (shard.iterator === undefined && shard.unfinished.length > 0)) {
        // Read ahead no further; and (re)open an iterator at the checkpoint only once every record
        // read is finished, so that none is read twice.
        await sleeper.until(shard.settled.next());
        continue;
      }
      try {
        shard.iterator ??= await openIteratorOrFallBack(shard);
        if (shard.iterator === undefined) throw new Error(`no iterator for shard ${shard.id}`);
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: limit }));
        records = out.Records ?? [];
        next = out.NextShardIterator;
        failures = 0;
      } catch (error) {
        // An expired or trimmed iterator is reopened from the checkpoint as soon as every record read
        // is finished. Anything else backs off; a transient failure (network, 5xx) keeps the
        // iterator, because a shard with no checkpoint yet would reopen at LATEST and skip what was
        // written meanwhile.
        const reopen = error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException;
        if (reopen || !isTransient(error)) shard.iterator = undefined;
        if (!reopen) {
          failures++;
          if (!stopped) log(`shard ${shard.id}: polling failed (${describeError(error)})`);
          await sleeper.sleep(Math.min(2_000, pollIntervalMs * 2 ** Math.min(failures, 4)));
        }
        continue;
      }
      for (const r of records) {
        const record = toLambdaRecord(r, { streamArn, region });
        shard.unfinished.push({ record, item: itemKey(record), dispatched: false, finished: false });
      }
      dispatch(shard);
      if (stopped) return;
      shard.iterator = next;
      if (next === undefined) {
        // A closed shard read to its end: once its records are finished, its children may start.
        while (shard.unfinished.length > 0 && !stopped) await sleeper.until(shard.settled.next());
        if (stopped) return;
        shard.done = true;
        log(`shard ${shard.id} finished`);
        schedule();
        settleWaiters();
        return;
      }
      if (records.length === 0) {
        if (shard.unfinished.length === 0) {
          shard.caughtUpAt = pollStartedAt;
          settleWaiters();
          await sleeper.sleep(pollIntervalMs);
        } else {
          // Batches in flight: poll again when one settles (its items may have records waiting).
          await sleeper.sleep(pollIntervalMs, shard.settled.next());
        }
      } else if (records.length < limit) {
        // The shard's end reached: let a few more records arrive before the next read.
        await sleeper.sleep(busyPollIntervalMs);
      }
    }
  };

  const discoveryLoop = async () => {
    while (!stopped) {
      await sleeper.sleep(discoveryIntervalMs);
      if (stopped) return;
      try {
        await discover(false);
      } catch (error) {
        if (!stopped) log(`shard discovery failed (${describeError(error)})`);
      }
    }
  };

  await discover(true);
  track(discoveryLoop());

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      sleeper.wakeAll();
      settleWaiters();
      while (loops.size > 0) {
        await Promise.allSettled([...loops]);
      }
    },
    drained() {
      if (stopped) return Promise.resolve();
      const mark = ++clock;
      const done = new Promise<void>((resolve) => waiters.push({ mark, resolve }));
      // Look for shards and poll every idle shard now rather than at the next tick.
      sleeper.wakeAll();
      return done;
    },
  };
}

/** GetRecords' largest Limit. */
const MAX_GET_RECORDS_LIMIT = 1000;

/** A failure that says nothing about the iterator: no answer at all, or a 5xx/throttling answer. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof DynamoDBStreamsServiceException)) return true;
  const status = error.$metadata.httpStatusCode;
  return status === undefined || status >= 500 || error.$retryable?.throttling === true;
}

/** The item a record changes: its key attributes (partition and sort key), in name order. */
function itemKey(record: DynamoDBRecord): string {
  const keys = record.dynamodb?.Keys ?? {};
  return JSON.stringify(
    Object.keys(keys)
      .sort()
      .map((name) => [name, keys[name]]),
  );
}

function firstSequenceNumber(records: readonly DynamoDBRecord[]): string {
  return records[0]?.dynamodb?.SequenceNumber ?? '?';
}

function shortArn(arn: string): string {
  const match = /table\/([^/]+)\/stream/.exec(arn);
  return match?.[1] ?? arn;
}
