/**
 * Loads a state machine definition for local execution: validates it as AWS would (asl-validator),
 * refuses loudly what this endpoint cannot run, and rewrites Task states so that the engine, not
 * aws-local-stepfunctions, owns their timeouts:
 *
 * - `Parameters` is wrapped as `{ "params": <original>, "timeoutSeconds.$": <TimeoutSecondsPath>, ... }`
 *   so the library evaluates the paths against the same input, with its own JSONPath engine, and
 *   hands the local task handler everything at once.
 * - `TimeoutSeconds(Path)` / `HeartbeatSeconds(Path)` are removed and the library's own task timer
 *   is set to its maximum (it defaults to 60 s, which AWS does not do).
 * - `$$.State.Name` is replaced by the literal state name (the library has no `$$.State`).
 */
import { createRequire } from 'node:module';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { DefinitionError, type ErrorMatchers } from './errors.js';
import { parseResource, type Integration } from './integrations.js';
import { isJsonObject, parseJson, type Json, type JsonObject } from './json.js';

/** Node timers overflow past 2^31-1 ms; the library's timers must stay below it. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export interface TaskSpec {
  readonly stateName: string;
  readonly resource: string;
  readonly integration: Integration;
  /** Static `TimeoutSeconds`; `undefined` when absent or given by path. */
  readonly timeoutSeconds: number | undefined;
  readonly heartbeatSeconds: number | undefined;
  /** A state of the definition's top level (not inside a Parallel branch or a Map). */
  readonly topLevel: boolean;
  /** The state's `Retry`/`Catch` `ErrorEquals` (which errors it can take; see DataLimitExceededError). */
  readonly errorMatchers: ErrorMatchers;
}

export interface LoadedMachine {
  readonly name: string;
  /** The definition as given (what DescribeStateMachine returns). */
  readonly definitionText: string;
  /** The rewritten definition that aws-local-stepfunctions runs. */
  readonly runnable: StateMachineDefinition;
  /** Task states by name (asl-validator guarantees names are unique across branches). */
  readonly tasks: ReadonlyMap<string, TaskSpec>;
}

/** Keys of the wrapped Parameters a local task handler receives. */
export const WRAPPED = { params: 'params', timeoutSeconds: 'timeoutSeconds', heartbeatSeconds: 'heartbeatSeconds' } as const;

type AslValidator = (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

function loadAslValidator(): AslValidator {
  const loaded: unknown = createRequire(import.meta.url)('asl-validator');
  if (typeof loaded !== 'function') throw new Error('asl-validator did not export a function');
  return (definition) => {
    const result: unknown = loaded(definition);
    if (!isRecord(result) || typeof result['isValid'] !== 'boolean' || typeof result['errorsText'] !== 'function') {
      throw new Error('asl-validator returned an unexpected result');
    }
    const errorsText = result['errorsText'];
    return {
      isValid: result['isValid'],
      errorsText: (separator) => {
        const text: unknown = Reflect.apply(errorsText, result, [separator]);
        return String(text);
      },
    };
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isDefinition(value: unknown): value is StateMachineDefinition {
  return isJsonObject(value) && typeof value['StartAt'] === 'string' && isJsonObject(value['States']);
}

export function loadDefinition(name: string, definitionText: string): LoadedMachine {
  const parsed = parseJson(definitionText);
  if (!isJsonObject(parsed)) throw new DefinitionError(`State machine ${name}: the definition is not a JSON object`);
  const placeholder = /\$\{[A-Za-z0-9_]+\}/.exec(definitionText);
  if (placeholder) throw new DefinitionError(`State machine ${name}: placeholder ${placeholder[0]} was not substituted`);

  // asl-validator annotates what it is given; let it work on its own copy.
  const { isValid, errorsText } = loadAslValidator()(structuredClone(parsed));
  if (!isValid) throw new DefinitionError(`State machine ${name}: invalid ASL definition:\n  ${errorsText('\n  ')}`);

  const problems: string[] = [];
  const tasks = new Map<string, TaskSpec>();
  const runnable = structuredClone(parsed);
  checkMachine(runnable, true, problems, tasks);
  if (problems.length > 0) {
    throw new DefinitionError(
      `State machine ${name} uses what the local Step Functions endpoint does not support:\n  ${problems.join('\n  ')}`,
    );
  }
  if (!isDefinition(runnable)) throw new DefinitionError(`State machine ${name}: StartAt and States are required`);
  return { name, definitionText, runnable, tasks };
}

function checkMachine(machine: JsonObject, topLevel: boolean, problems: string[], tasks: Map<string, TaskSpec>): void {
  if (machine['QueryLanguage'] !== undefined && machine['QueryLanguage'] !== 'JSONPath') {
    problems.push(`QueryLanguage ${JSON.stringify(machine['QueryLanguage'])} (only JSONPath)`);
  }
  const timeout = machine['TimeoutSeconds'];
  if (topLevel && typeof timeout === 'number' && timeout > MAX_TIMER_SECONDS) {
    problems.push(`execution TimeoutSeconds ${timeout} (at most ${MAX_TIMER_SECONDS} locally)`);
  }
  const states = machine['States'];
  if (!isJsonObject(states)) return;
  for (const [stateName, state] of Object.entries(states)) {
    if (isJsonObject(state)) checkState(stateName, state, topLevel, problems, tasks);
  }
}

const UNSUPPORTED_STATE_FIELDS = [
  'Credentials',
  'Assign',
  'Arguments',
  'Output',
  'QueryLanguage',
  'ItemReader',
  'ResultWriter',
  'ItemBatcher',
];

function checkState(stateName: string, state: JsonObject, topLevel: boolean, problems: string[], tasks: Map<string, TaskSpec>): void {
  for (const field of UNSUPPORTED_STATE_FIELDS) {
    if (state[field] !== undefined && !(field === 'QueryLanguage' && state[field] === 'JSONPath')) {
      problems.push(`state ${stateName}: field ${field}`);
    }
  }
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector']) {
    const template = state[field];
    if (template !== undefined) state[field] = replaceStateName(template, stateName);
  }
  switch (state['Type']) {
    case 'Task':
      checkTask(stateName, state, topLevel, problems, tasks);
      break;
    case 'Wait': {
      const seconds = state['Seconds'];
      if (typeof seconds === 'number' && seconds > MAX_TIMER_SECONDS)
        problems.push(`state ${stateName}: Wait Seconds ${seconds} (at most ${MAX_TIMER_SECONDS} locally)`);
      break;
    }
    case 'Parallel': {
      const branches = state['Branches'];
      if (Array.isArray(branches)) for (const branch of branches) if (isJsonObject(branch)) checkMachine(branch, false, problems, tasks);
      break;
    }
    case 'Map': {
      const processor = state['ItemProcessor'] ?? state['Iterator'];
      if (isJsonObject(processor)) {
        const config = processor['ProcessorConfig'];
        if (isJsonObject(config) && config['Mode'] === 'DISTRIBUTED') problems.push(`state ${stateName}: distributed Map`);
        checkMachine(processor, false, problems, tasks);
      }
      break;
    }
  }
}

function checkTask(stateName: string, state: JsonObject, topLevel: boolean, problems: string[], tasks: Map<string, TaskSpec>): void {
  const resource = state['Resource'];
  if (typeof resource !== 'string') {
    problems.push(`state ${stateName}: Resource must be a string`);
    return;
  }
  const integration = parseResource(resource);
  if (!integration) {
    problems.push(
      `state ${stateName}: Resource ${resource} (supported: lambda:invoke[.waitForTaskToken], Lambda function ARNs, dynamodb:getItem|putItem|updateItem|deleteItem, sns:publish[.waitForTaskToken])`,
    );
    return;
  }
  const parameters = state['Parameters'];
  if (integration.waitForTaskToken && !JSON.stringify(parameters ?? null).includes('$$.Task.Token')) {
    problems.push(`state ${stateName}: ${resource} needs $$.Task.Token in Parameters, or nothing could ever complete it`);
  }
  if (integration.kind === 'lambda-invoke' && isJsonObject(parameters)) {
    const type = parameters['InvocationType'];
    if (type !== undefined && type !== 'RequestResponse')
      problems.push(`state ${stateName}: lambda:invoke InvocationType ${JSON.stringify(type)} (only RequestResponse)`);
  }
  const timeoutSeconds = positiveInteger(state['TimeoutSeconds']);
  const heartbeatSeconds = positiveInteger(state['HeartbeatSeconds']);
  const wrapped: JsonObject = parameters === undefined ? { [`${WRAPPED.params}.$`]: '$' } : { [WRAPPED.params]: parameters };
  const timeoutPath = state['TimeoutSecondsPath'];
  const heartbeatPath = state['HeartbeatSecondsPath'];
  if (typeof timeoutPath === 'string') wrapped[`${WRAPPED.timeoutSeconds}.$`] = timeoutPath;
  if (typeof heartbeatPath === 'string') wrapped[`${WRAPPED.heartbeatSeconds}.$`] = heartbeatPath;
  state['Parameters'] = wrapped;
  delete state['TimeoutSecondsPath'];
  delete state['HeartbeatSeconds'];
  delete state['HeartbeatSecondsPath'];
  state['TimeoutSeconds'] = MAX_TIMER_SECONDS;
  const errorMatchers = { retry: errorEquals(state['Retry']), catch: errorEquals(state['Catch']) };
  tasks.set(stateName, { stateName, resource, integration, timeoutSeconds, heartbeatSeconds, topLevel, errorMatchers });
}

/** The `ErrorEquals` lists of a `Retry` or `Catch` field (asl-validator has checked its shape). */
function errorEquals(field: Json | undefined): string[][] {
  if (!Array.isArray(field)) return [];
  return field.map((entry) => {
    const errors = isJsonObject(entry) ? entry['ErrorEquals'] : undefined;
    return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
  });
}

function positiveInteger(value: Json | undefined): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** `"x.$": "$$.State.Name"` → `"x": "<state name>"`, at any depth of a payload template. */
function replaceStateName(template: Json, stateName: string): Json {
  if (Array.isArray(template)) return template.map((item) => replaceStateName(item, stateName));
  if (!isJsonObject(template)) return template;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === '$$.State.Name') out[key.slice(0, -2)] = stateName;
    else out[key] = replaceStateName(value, stateName);
  }
  return out;
}
