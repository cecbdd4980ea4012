/**
 * The executions' records: what DescribeExecution, ListExecutions and GetExecutionHistory read,
 * the execution names in use, and the retention bound on closed executions.
 *
 * Everything kept here is plain data (strings, epoch milliseconds, JSON history events), so an
 * ExecutionState is written to disk and read back as it is (persistence.ts); the live side of a
 * running execution (the library's run, its tasks and their timers) is in execution-run.ts.
 */
import { SfnApiError } from './errors.js';
import type { Json, JsonObject } from './json.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

export interface ExecutionSummary {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate: Date | undefined;
}

export interface ExecutionDescription extends ExecutionSummary {
  readonly input: string;
  readonly output: string | undefined;
  readonly error: string | undefined;
  readonly cause: string | undefined;
}

/** One execution as stored. Times are epoch milliseconds. */
export interface ExecutionState {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  /** The input as given (what DescribeExecution returns). */
  readonly input: string;
  /** The input re-serialised, to tell a repeated StartExecution from a conflicting one. */
  readonly canonicalInput: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate: number | undefined;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  /** GetExecutionHistory's events, in order; `id` is the 1-based position. */
  readonly history: JsonObject[];
  /** Tokens of this execution's finished tasks (released from the token registry when it is forgotten). */
  readonly spentTokens: string[];
  /** While RUNNING: the top-level state it is in, to resume from after a restart. */
  position: ExecutionPosition | undefined;
  /** While RUNNING: the top-level Task attempt under way, if any. */
  task: TaskPosition | undefined;
}

/** Where a running execution is. Deadlines are absolute (epoch ms), so they keep running while the endpoint is down. */
export interface ExecutionPosition {
  /** A state of the definition's top level (a Parallel or Map is resumed whole). */
  readonly state: string;
  /** The state's raw input (before InputPath). */
  readonly input: Json;
  readonly enteredAt: number;
  /** A Wait state's end, when it could be computed (Seconds, Timestamp, simple SecondsPath). */
  readonly waitDeadline: number | undefined;
}

/** The top-level Task attempt under way: its open task tokens and deadlines (epoch ms). */
export interface TaskPosition {
  readonly stateName: string;
  readonly tokens: readonly string[];
  readonly timeoutDeadline: number | undefined;
  heartbeatDeadline: number | undefined;
}

export interface ClosingFields {
  readonly output?: string | undefined;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
}

const EXECUTION_NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;

/** AWS: 1–80 characters; no whitespace, brackets, wildcards, the listed punctuation, or control characters. */
export function isExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || EXECUTION_NAME_FORBIDDEN.test(name)) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

export class ExecutionStore {
  private readonly executions = new Map<string, ExecutionState>();
  /**
   * Per state machine ARN, execution name → execution ARN. Names outlive their forgotten
   * executions, so a reused name is still ExecutionAlreadyExists (AWS keeps closed executions for
   * 90 days; the order workflow's idempotency relies on it).
   */
  private readonly names = new Map<string, Map<string, string>>();
  /** ARNs of closed executions still kept, in the order they closed. */
  private readonly closedOrder: string[] = [];
  private readonly maxClosedExecutions: number;

  /** @param maxClosedExecutions closed executions kept, oldest forgotten first */
  constructor(maxClosedExecutions: number) {
    this.maxClosedExecutions = Math.max(0, maxClosedExecutions);
  }

  /**
   * Checks a StartExecution's name. As on AWS Standard workflows: the same name and the same input
   * while the first execution is still RUNNING returns that execution; a different input, or any
   * input once that execution is closed (or forgotten), is ExecutionAlreadyExists.
   * `undefined` when the name is free.
   */
  existing(stateMachineArn: string, name: string, canonicalInput: string): ExecutionState | undefined {
    const arn = this.names.get(stateMachineArn)?.get(name);
    if (arn === undefined) return undefined;
    const existing = this.executions.get(arn);
    if (existing?.status === 'RUNNING' && existing.canonicalInput === canonicalInput) return existing;
    throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
  }

  /** Adds a new execution; its name must have been found free by `existing`. */
  add(state: ExecutionState): void {
    this.reserve(state.stateMachineArn, state.name, state.arn);
    this.executions.set(state.arn, state);
  }

  get(arn: string): ExecutionState {
    if (!EXECUTION_ARN.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const state = this.executions.get(arn);
    if (!state) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return state;
  }

  /** Every execution kept, running or closed. */
  all(): IterableIterator<ExecutionState> {
    return this.executions.values();
  }

  describe(arn: string): ExecutionDescription {
    return describe(this.get(arn));
  }

  /** The state machine's executions kept, newest first. */
  list(stateMachineArn: string, status: ExecutionStatus | undefined): ExecutionSummary[] {
    return [...this.executions.values()]
      .filter((e) => e.stateMachineArn === stateMachineArn && (status === undefined || e.status === status))
      .sort((a, b) => b.startDate - a.startDate)
      .map(describe);
  }

  /** Reserves the name of an execution no longer kept (read back from disk). */
  reserve(stateMachineArn: string, name: string, arn: string): void {
    let names = this.names.get(stateMachineArn);
    if (!names) {
      names = new Map();
      this.names.set(stateMachineArn, names);
    }
    names.set(name, arn);
  }

  /** Forgets the oldest closed executions beyond the bound; returns them (their names stay reserved). */
  retire(state: ExecutionState): ExecutionState[] {
    const forgotten: ExecutionState[] = [];
    this.closedOrder.push(state.arn);
    while (this.closedOrder.length > this.maxClosedExecutions) {
      const arn = this.closedOrder.shift();
      if (arn === undefined) break;
      const old = this.executions.get(arn);
      this.executions.delete(arn);
      if (old) forgotten.push(old);
    }
    return forgotten;
  }
}

/** Closes a running execution; `false` (and nothing changed) if it was already closed. */
export function markClosed(state: ExecutionState, status: ExecutionStatus, fields: ClosingFields): boolean {
  if (state.status !== 'RUNNING') return false;
  state.status = status;
  state.stopDate = Date.now();
  state.output = fields.output;
  state.error = fields.error;
  state.cause = fields.cause;
  state.position = undefined;
  state.task = undefined;
  return true;
}

export function appendEvent(state: ExecutionState, type: string, details: JsonObject, timestampMs: number): void {
  const id = state.history.length + 1;
  state.history.push({ timestamp: timestampMs / 1000, type, id, previousEventId: id - 1, ...details });
}

function describe(state: ExecutionState): ExecutionDescription {
  return {
    executionArn: state.arn,
    stateMachineArn: state.stateMachineArn,
    name: state.name,
    status: state.status,
    startDate: new Date(state.startDate),
    stopDate: state.stopDate === undefined ? undefined : new Date(state.stopDate),
    input: state.input,
    output: state.output,
    error: state.error,
    cause: state.cause,
  };
}
