/**
 * Execution files: what AWS keeps durable about executions, in a folder, so a restarted (or
 * killed) endpoint finds every execution again. One JSON file per execution, named by a hash of
 * its ARN, holding its ExecutionState as it is in memory: record, history, spent task tokens and,
 * while it runs, its position (top-level state, that state's input, Wait deadline) and its open
 * Task attempt (tokens, deadlines). An execution forgotten under `maxClosedExecutions` leaves a
 * small tombstone so its name stays reserved.
 *
 * Writes: each file is rewritten whole, atomically (temp file, fsync, rename), after each
 * transition. Writes of one execution are coalesced: at most one in flight, and the next one
 * renders the state as it is then. Policy: the temp file is always fsync'd before the rename, so
 * even after a power loss a file is the old version or the new one, never empty or torn; the
 * folder itself is fsync'd only when a file is created (StartExecution waits for it, so a name
 * acknowledged to a client is reserved on disk). Later renames are not followed by a folder
 * fsync: losing one to a power cut leaves the previous position, and resuming from it re-runs a
 * state, which the engine does anyway (at-least-once, as Lambda retries).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EXECUTION_STATUSES,
  type ExecutionPosition,
  type ExecutionState,
  type ExecutionStatus,
  type TaskPosition,
} from './execution-store.js';
import { isJsonObject, parseJson, type Json, type JsonObject } from './json.js';

const FORMAT = 1;
const SUFFIX = '.json';
const TEMP_SUFFIX = '.tmp';

/** An execution no longer kept: only its name stays taken. */
export interface ForgottenExecution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
}

/** A persisted file that cannot be read back; names the file. */
export class PersistedExecutionError extends Error {
  override readonly name = 'PersistedExecutionError';
}

interface Slot {
  render: () => string;
  /** The current write loop; settles once the latest render is on disk. */
  writing: Promise<void> | undefined;
  dirty: boolean;
  exists: boolean;
}

export class ExecutionFiles {
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly logger: (line: string) => void,
  ) {}

  /** Creates the folder if needed, removes temp files left by a crash, and reads every execution back. */
  static async open(
    dir: string,
    logger: (line: string) => void,
  ): Promise<{ files: ExecutionFiles; executions: ExecutionState[]; forgotten: ForgottenExecution[] }> {
    await mkdir(dir, { recursive: true });
    const files = new ExecutionFiles(dir, logger);
    const executions: ExecutionState[] = [];
    const forgotten: ForgottenExecution[] = [];
    for (const entry of (await readdir(dir)).sort()) {
      const path = join(dir, entry);
      if (entry.endsWith(TEMP_SUFFIX)) {
        await unlink(path);
        continue;
      }
      if (!entry.endsWith(SUFFIX)) continue;
      const record = parseRecord(parseJson(await readFile(path, 'utf8')), path);
      if ('forgotten' in record) forgotten.push(record.forgotten);
      else executions.push(record.execution);
      files.slots.set(record.arn, { render: () => '', writing: undefined, dirty: false, exists: true });
    }
    return { files, executions, forgotten };
  }

  /** Schedules a write of the execution as it will be when the write starts. */
  save(state: ExecutionState): void {
    this.schedule(state.arn, () => JSON.stringify({ format: FORMAT, execution: state }));
  }

  /** Replaces the execution's file by a tombstone that keeps its name reserved. */
  forget(state: ForgottenExecution): void {
    const forgotten: ForgottenExecution = { arn: state.arn, name: state.name, stateMachineArn: state.stateMachineArn };
    this.schedule(state.arn, () => JSON.stringify({ format: FORMAT, forgotten }));
  }

  /** Resolves once everything scheduled so far for this execution is on disk. */
  async saved(arn: string): Promise<void> {
    await this.slots.get(arn)?.writing;
  }

  /** Resolves once everything scheduled so far is on disk. */
  async flushed(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => slot.writing));
  }

  /** Writes what is scheduled, then ignores every later change (the endpoint is stopping). */
  async close(): Promise<void> {
    await this.flushed();
    this.closed = true;
  }

  private schedule(arn: string, render: () => string): void {
    if (this.closed) return;
    let slot = this.slots.get(arn);
    if (!slot) {
      slot = { render, writing: undefined, dirty: false, exists: false };
      this.slots.set(arn, slot);
    }
    slot.render = render;
    if (slot.writing) {
      slot.dirty = true;
      return;
    }
    slot.writing = this.drain(arn, slot);
  }

  private async drain(arn: string, slot: Slot): Promise<void> {
    do {
      slot.dirty = false;
      try {
        await this.write(arn, slot.render(), !slot.exists);
        slot.exists = true;
      } catch (error) {
        this.logger(`[sfn] could not persist ${arn}: ${error instanceof Error ? error.message : String(error)}`);
      }
    } while (slot.dirty);
    slot.writing = undefined;
  }

  private async write(arn: string, text: string, created: boolean): Promise<void> {
    const file = join(this.dir, `${createHash('sha256').update(arn).digest('hex').slice(0, 40)}${SUFFIX}`);
    const temp = `${file}${TEMP_SUFFIX}`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    if (created) await syncFolder(this.dir);
  }
}

async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot open or fsync a folder; the file itself is synced.
  } finally {
    await handle?.close();
  }
}

type ParsedRecord =
  { readonly arn: string; readonly execution: ExecutionState } | { readonly arn: string; readonly forgotten: ForgottenExecution };

/** Validates one persisted file (it is input like any other). */
export function parseRecord(raw: Json | undefined, file: string): ParsedRecord {
  const fail = (what: string): never => {
    throw new PersistedExecutionError(`${file}: ${what}; move the file away to start without it`);
  };
  if (!isJsonObject(raw)) return fail('not a JSON object');
  if (raw['format'] !== FORMAT) return fail(`unknown format ${JSON.stringify(raw['format'])}`);
  const forgotten = raw['forgotten'];
  if (forgotten !== undefined) {
    if (!isJsonObject(forgotten)) return fail('forgotten is not an object');
    const arn = str(forgotten, 'arn', fail);
    return { arn, forgotten: { arn, name: str(forgotten, 'name', fail), stateMachineArn: str(forgotten, 'stateMachineArn', fail) } };
  }
  const e = raw['execution'];
  if (!isJsonObject(e)) return fail('execution is not an object');
  const status = EXECUTION_STATUSES.find((s): s is ExecutionStatus => s === e['status']);
  if (status === undefined) return fail(`unknown status ${JSON.stringify(e['status'])}`);
  const history = e['history'];
  if (!Array.isArray(history) || !history.every(isJsonObject)) return fail('history is not a list of events');
  const spentTokens = e['spentTokens'];
  if (!Array.isArray(spentTokens) || !spentTokens.every((t) => typeof t === 'string')) return fail('spentTokens is not a list of strings');
  const execution: ExecutionState = {
    arn: str(e, 'arn', fail),
    name: str(e, 'name', fail),
    stateMachineArn: str(e, 'stateMachineArn', fail),
    stateMachineName: str(e, 'stateMachineName', fail),
    input: str(e, 'input', fail),
    canonicalInput: str(e, 'canonicalInput', fail),
    startDate: num(e, 'startDate', fail),
    status,
    stopDate: optNum(e, 'stopDate', fail),
    output: optStr(e, 'output', fail),
    error: optStr(e, 'error', fail),
    cause: optStr(e, 'cause', fail),
    history: [...history],
    spentTokens: [...spentTokens],
    position: parsePosition(e['position'], fail),
    task: parseTask(e['task'], fail),
  };
  return { arn: execution.arn, execution };
}

function parsePosition(raw: Json | undefined, fail: (what: string) => never): ExecutionPosition | undefined {
  if (raw === undefined) return undefined;
  if (!isJsonObject(raw) || !('input' in raw)) return fail('position is not { state, input, enteredAt }');
  return {
    state: str(raw, 'state', fail),
    input: raw['input'] ?? null,
    enteredAt: num(raw, 'enteredAt', fail),
    waitDeadline: optNum(raw, 'waitDeadline', fail),
  };
}

function parseTask(raw: Json | undefined, fail: (what: string) => never): TaskPosition | undefined {
  if (raw === undefined) return undefined;
  if (!isJsonObject(raw)) return fail('task is not an object');
  const tokens = raw['tokens'];
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) return fail('task.tokens is not a list of strings');
  return {
    stateName: str(raw, 'stateName', fail),
    tokens: [...tokens],
    timeoutDeadline: optNum(raw, 'timeoutDeadline', fail),
    heartbeatDeadline: optNum(raw, 'heartbeatDeadline', fail),
  };
}

function str(o: JsonObject, key: string, fail: (what: string) => never): string {
  const value = o[key];
  return typeof value === 'string' ? value : fail(`${key} is not a string`);
}

function optStr(o: JsonObject, key: string, fail: (what: string) => never): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, fail);
}

function num(o: JsonObject, key: string, fail: (what: string) => never): number {
  const value = o[key];
  return typeof value === 'number' ? value : fail(`${key} is not a number`);
}

function optNum(o: JsonObject, key: string, fail: (what: string) => never): number | undefined {
  return o[key] === undefined ? undefined : num(o, key, fail);
}
