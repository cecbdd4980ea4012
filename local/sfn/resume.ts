/**
 * Resuming an execution after a restart. aws-local-stepfunctions runs a definition from its
 * `StartAt` and has no option to start elsewhere, so a resumed execution runs a copy of the
 * definition that starts at a hidden Pass state whose `Result` is the saved state's input and
 * whose `Next` is that state. The run's input is still the execution's input, so
 * `$$.Execution.Input` is unchanged. A Wait is entered through a copy whose `Timestamp` is its
 * saved deadline (shown under the Wait's own name), so it waits only for the time it had left;
 * the execution's own `TimeoutSeconds` becomes the time left since its start date.
 *
 * The saved state is entered again: a Task is called again (at-least-once; see TaskRunner.run),
 * a Parallel or Map runs all its branches again. Retry counters start again from zero.
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ExecutionPosition } from './execution-store.js';
import { isJsonObject, type Json, type JsonObject } from './json.js';

export interface ResumedDefinition {
  readonly definition: StateMachineDefinition;
  /** The run's input. */
  readonly input: Json;
  /** Helper state name → the state it stands for, or `null` (hidden). */
  readonly names: ReadonlyMap<string, string | null>;
}

type States = StateMachineDefinition['States'];
type AnyState = States[string];

export function resumedDefinition(
  runnable: StateMachineDefinition,
  position: ExecutionPosition,
  executionInput: Json,
  startDate: number,
  now: number,
): ResumedDefinition {
  const states: States = { ...runnable.States };
  const names = new Map<string, string | null>();
  let target = position.state;
  const original = states[target];
  if (original?.Type === 'Wait' && position.waitDeadline !== undefined) {
    const { Seconds: _s, SecondsPath: _sp, Timestamp: _t, TimestampPath: _tp, ...rest } = original;
    const wait = freeName(states, `${target} (resumed)`);
    // The library waits until a Timestamp (at once when it is past).
    states[wait] = { ...rest, Timestamp: new Date(Math.max(position.waitDeadline, now + 1)).toISOString() };
    names.set(wait, target);
    target = wait;
  }
  const entry = freeName(states, 'Resume after restart');
  // The library's Pass outputs `Result` only when it is truthy; a falsy input is passed as the run's input.
  const truthy = Boolean(position.input);
  const pass: AnyState = truthy ? { Type: 'Pass', Result: position.input, Next: target } : { Type: 'Pass', Next: target };
  states[entry] = pass;
  names.set(entry, null);
  const definition: StateMachineDefinition = { ...runnable, StartAt: entry, States: states };
  if (runnable.TimeoutSeconds !== undefined) {
    definition.TimeoutSeconds = Math.max(0, (startDate + runnable.TimeoutSeconds * 1000 - now) / 1000);
  }
  return { definition, input: truthy ? executionInput : position.input, names };
}

/**
 * When a Wait state entered at `enteredAt` with `input` ends (epoch ms): `Seconds`, `Timestamp`,
 * or a `SecondsPath` of plain `$.a.b[0]` steps. `undefined` otherwise; such a Wait (e.g.
 * `TimestampPath`, which is absolute anyway) is entered again as it is.
 */
export function waitDeadline(state: JsonObject, input: Json, enteredAt: number): number | undefined {
  const seconds = state['Seconds'];
  if (typeof seconds === 'number') return enteredAt + seconds * 1000;
  const timestamp = state['Timestamp'];
  if (typeof timestamp === 'string') {
    const at = Date.parse(timestamp);
    return Number.isNaN(at) ? undefined : at;
  }
  const secondsPath = state['SecondsPath'];
  if (typeof secondsPath !== 'string') return undefined;
  const inputPath = state['InputPath'];
  const effective = inputPath === null ? {} : typeof inputPath === 'string' ? simplePath(inputPath, input) : input;
  const value = effective === undefined ? undefined : simplePath(secondsPath, effective);
  return typeof value === 'number' && value >= 0 ? enteredAt + value * 1000 : undefined;
}

/** Reads a JSONPath made of plain steps (`$`, `.name`, `[index]`); `undefined` for anything else. */
export function simplePath(path: string, value: Json): Json | undefined {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  let current: Json | undefined = value;
  const steps = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]/gy;
  steps.lastIndex = 1;
  while (steps.lastIndex < path.length) {
    const match = steps.exec(path);
    if (!match || current === undefined) return undefined;
    const [, key, index] = match;
    if (key !== undefined) current = isJsonObject(current) ? current[key] : undefined;
    else current = Array.isArray(current) ? current[Number(index)] : undefined;
  }
  return current;
}

function freeName(states: States, base: string): string {
  let name = base;
  for (let n = 2; name in states; n++) name = `${base} ${n}`;
  return name;
}
