/**
 * Writes one execution's history: the library's own events (execution start, state entries and
 * exits, Map iterations) translated to GetExecutionHistory events, the Task events the task runner
 * records, and the terminal event, in the order AWS shows them.
 */
import type { StateMachine } from 'aws-local-stepfunctions';
import { appendEvent, type ExecutionState } from './execution-store.js';
import { toJson, type Json, type JsonObject } from './json.js';

export type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];
type LibEvent = EventLogs extends AsyncGenerator<infer E> ? E : never;

/**
 * How a resumed run (after a restart) reads in the history: it starts from helper states
 * (see resume.ts) that are hidden or shown under the name of the state they stand for, and its
 * `ExecutionStarted` is not written again.
 */
export interface ResumedView {
  /** Helper state name → the state it stands for, or `null` to hide its events. */
  readonly names: ReadonlyMap<string, string | null>;
}

/** A (top-level or nested) state the run entered, under its definition name. */
export type StateEnteredListener = (name: string, input: Json, timestamp: number) => void;
/** A state the run exited, with its output; `false` leaves the exit out (the execution failed there instead). */
export type StateExitedListener = (name: string, output: Json) => boolean;

interface PendingEvent {
  readonly seq: number;
  readonly type: string;
  readonly details: JsonObject;
  readonly timestamp: number;
}

export class ExecutionHistory {
  private pending: PendingEvent[] = [];
  /** Task starts (entries + retries) the library's events have shown so far. */
  private taskStartsSeen = 0;

  constructor(
    private readonly state: ExecutionState,
    /** The role shown in `ExecutionStarted`. */
    private readonly roleArn: string,
    private readonly resumed?: ResumedView,
  ) {}

  async consume(events: EventLogs, onStateExited?: StateExitedListener, onStateEntered?: StateEnteredListener): Promise<void> {
    let failed = false;
    for await (const event of events) {
      // What the run did after a refused exit (the next state's entry, its task) never happened.
      if (failed) continue;
      const shown = this.shown(event);
      if (shown === undefined) continue;
      if (shown.type === 'StateExited' && onStateExited?.(shown.state.name, toJson(shown.state.output ?? null)) === false) {
        failed = true;
        this.flushPending(this.taskStartsSeen);
        this.pending = [];
        continue;
      }
      this.onLibraryEvent(shown);
      if (shown.type === 'StateEntered') onStateEntered?.(shown.state.name, shown.state.input, shown.timestamp);
    }
  }

  /** The event as the history shows it, `undefined` to leave it out. */
  private shown(event: LibEvent): LibEvent | undefined {
    if (!this.resumed) return event;
    if (event.type === 'ExecutionStarted') return undefined;
    if (!('state' in event)) return event;
    const name = this.resumed.names.get(event.state.name);
    if (name === undefined) return event;
    if (name === null) return undefined;
    return { ...event, state: { ...event.state, name } };
  }

  /**
   * Records an event of the `seq`-th Task handler call. Task events are produced synchronously in
   * the task handler, while the library's own events reach us a few microtasks later; a task event
   * waits until the history has seen the state entry (or retry) it belongs to, so the history
   * reads in order.
   */
  recordTaskEvent(seq: number, type: string, details: JsonObject): void {
    if (this.taskStartsSeen >= seq && this.pending.length === 0) appendEvent(this.state, type, details, Date.now());
    else this.pending.push({ seq, type, details, timestamp: Date.now() });
  }

  /** Writes what is still pending and the terminal event (call once the library's events are consumed). */
  close(): void {
    this.flushPending(Number.POSITIVE_INFINITY);
    const { state } = this;
    const at = state.stopDate ?? Date.now();
    const errorDetails = { ...optional('error', state.error), ...optional('cause', state.cause) };
    switch (state.status) {
      case 'SUCCEEDED':
        appendEvent(
          state,
          'ExecutionSucceeded',
          { executionSucceededEventDetails: { output: state.output ?? 'null', outputDetails: { truncated: false } } },
          at,
        );
        break;
      case 'FAILED':
        appendEvent(state, 'ExecutionFailed', { executionFailedEventDetails: errorDetails }, at);
        break;
      case 'TIMED_OUT':
        appendEvent(state, 'ExecutionTimedOut', { executionTimedOutEventDetails: errorDetails }, at);
        break;
      case 'ABORTED':
        appendEvent(state, 'ExecutionAborted', { executionAbortedEventDetails: errorDetails }, at);
        break;
      case 'RUNNING':
        break;
    }
  }

  private onLibraryEvent(event: LibEvent): void {
    const { state } = this;
    switch (event.type) {
      case 'ExecutionStarted':
        appendEvent(
          state,
          'ExecutionStarted',
          { executionStartedEventDetails: { input: state.input, inputDetails: { truncated: false }, roleArn: this.roleArn } },
          event.timestamp,
        );
        break;
      case 'StateEntered':
        appendEvent(
          state,
          `${event.state.type}StateEntered`,
          {
            stateEnteredEventDetails: {
              name: event.state.name,
              input: JSON.stringify(event.state.input),
              inputDetails: { truncated: false },
            },
          },
          event.timestamp,
        );
        if (event.state.type === 'Task') this.taskStarted();
        break;
      case 'StateRetried':
        if (event.state.type === 'Task') this.taskStarted();
        break;
      case 'StateExited':
        this.flushPending(this.taskStartsSeen);
        appendEvent(
          state,
          `${event.state.type}StateExited`,
          {
            stateExitedEventDetails: {
              name: event.state.name,
              output: JSON.stringify(event.state.output ?? null),
              outputDetails: { truncated: false },
            },
          },
          event.timestamp,
        );
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
        appendEvent(state, event.type, { [key]: { name: event.parentState.name, index: event.index } }, event.timestamp);
        break;
      }
      default:
        // Terminal events are written by close(), with the execution's own error and cause.
        break;
    }
  }

  private taskStarted(): void {
    this.taskStartsSeen++;
    this.flushPending(this.taskStartsSeen);
  }

  private flushPending(upToSeq: number): void {
    const keep: PendingEvent[] = [];
    for (const event of this.pending) {
      if (event.seq <= upToSeq && keep.length === 0) appendEvent(this.state, event.type, event.details, event.timestamp);
      else keep.push(event);
    }
    this.pending = keep;
  }
}

/** `{ [key]: value }`, or `{}` when the value is absent (AWS omits absent detail fields). */
export function optional<K extends string>(key: K, value: Json | undefined): Partial<Record<K, Json>> {
  const out: Partial<Record<K, Json>> = {};
  if (value !== undefined) out[key] = value;
  return out;
}
