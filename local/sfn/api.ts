/**
 * The Step Functions API operations this endpoint answers, as data: each operation validates its
 * JSON request (the AWS JSON 1.0 body) and maps it onto the engine. Timestamps are epoch seconds,
 * as the AWS JSON protocols send them.
 */
import { EXECUTION_STATUSES, type Engine, type ExecutionStatus, type ExecutionSummary } from './engine.js';
import { SfnApiError } from './errors.js';
import type { Json, JsonObject } from './json.js';
import { throttlingError, type TokenBucket } from './throttle.js';

export type Operation = (request: JsonObject) => Promise<JsonObject> | JsonObject;

export interface OperationOptions {
  /** StartExecution's token bucket; absent = never throttled. */
  readonly startExecutionBucket?: TokenBucket | undefined;
  /** Told of every call refused for throttling (the endpoint logs it). */
  readonly onThrottled?: ((operation: string) => void) | undefined;
}

export function createOperations(engine: Engine, options: OperationOptions = {}): ReadonlyMap<string, Operation> {
  const operations: Record<string, Operation> = {
    ListStateMachines: () => ({
      stateMachines: engine
        .listStateMachines()
        .map((m) => ({ stateMachineArn: m.arn, name: m.name, type: 'STANDARD', creationDate: seconds(m.creationDate) })),
    }),
    DescribeStateMachine: (r) => {
      const m = engine.describeStateMachine(required(r, 'stateMachineArn'));
      return {
        stateMachineArn: m.arn,
        name: m.name,
        status: 'ACTIVE',
        definition: m.definition,
        roleArn: engine.roleArn(),
        type: 'STANDARD',
        creationDate: seconds(m.creationDate),
      };
    },
    StartExecution: async (r) => {
      // Every call takes a token, a repeated (idempotent) one too, as on AWS.
      if (options.startExecutionBucket?.tryTake() === false) {
        options.onThrottled?.('StartExecution');
        throw throttlingError();
      }
      const exec = await engine.startExecution(required(r, 'stateMachineArn'), optional(r, 'name'), optional(r, 'input'));
      return { executionArn: exec.arn, startDate: seconds(exec.startDate) };
    },
    DescribeExecution: (r) => {
      const e = engine.describeExecution(required(r, 'executionArn'));
      return compact({
        ...executionSummary(e),
        input: e.input,
        inputDetails: { included: true },
        output: e.output,
        outputDetails: e.output === undefined ? undefined : { included: true },
        error: e.error,
        cause: e.cause,
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      });
    },
    StopExecution: (r) => {
      const stopDate = engine.stopExecution(required(r, 'executionArn'), optional(r, 'error'), optional(r, 'cause'));
      return { stopDate: seconds(stopDate) };
    },
    ListExecutions: (r) => {
      const status = optional(r, 'statusFilter');
      const statusFilter = status === undefined ? undefined : EXECUTION_STATUSES.find((s): s is ExecutionStatus => s === status);
      if (status !== undefined && statusFilter === undefined)
        throw new SfnApiError(
          'ValidationException',
          `1 validation error detected: Value '${status}' at 'statusFilter' failed to satisfy constraint`,
        );
      const all = engine.listExecutions(required(r, 'stateMachineArn'), statusFilter).map((e) => compact(executionSummary(e)));
      const page = paginate(all, r, 'executions');
      return page;
    },
    GetExecutionHistory: async (r) => {
      const events = await engine.history(required(r, 'executionArn'));
      const ordered = r['reverseOrder'] === true ? [...events].reverse() : [...events];
      const withData = r['includeExecutionData'] === false ? ordered.map(withoutData) : ordered;
      return paginate(withData, r, 'events');
    },
    SendTaskSuccess: (r) => {
      engine.sendTaskSuccess(r['taskToken'], r['output']);
      return {};
    },
    SendTaskFailure: (r) => {
      engine.sendTaskFailure(r['taskToken'], optional(r, 'error'), optional(r, 'cause'));
      return {};
    },
    SendTaskHeartbeat: (r) => {
      engine.sendTaskHeartbeat(r['taskToken']);
      return {};
    },
  };
  return new Map(Object.entries(operations));
}

function seconds(date: Date): number {
  return date.getTime() / 1000;
}

function required(r: JsonObject, key: string): string {
  const value = r[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function optional(r: JsonObject, key: string): string | undefined {
  const value = r[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new SfnApiError('ValidationException', `1 validation error detected: Value at '${key}' must be a string`);
  return value;
}

function compact(fields: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

/** `nextToken` is an opaque offset; `maxResults` 0 or absent means up to 1000, as on AWS. */
function paginate(items: readonly JsonObject[], r: JsonObject, key: string): JsonObject {
  const max = r['maxResults'];
  const limit = typeof max === 'number' && Number.isInteger(max) && max > 0 ? Math.min(max, 1000) : 1000;
  const token = r['nextToken'];
  let offset = 0;
  if (token !== undefined && token !== null) {
    const decoded = typeof token === 'string' ? Number(Buffer.from(token, 'base64url').toString('utf8')) : Number.NaN;
    if (!Number.isInteger(decoded) || decoded < 0) throw new SfnApiError('ValidationException', 'Invalid nextToken');
    offset = decoded;
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(String(offset + limit)).toString('base64url') : undefined;
  return compact({ [key]: page, nextToken: next });
}

/** includeExecutionData: false drops inputs, outputs and parameters from the event details. */
function withoutData(event: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const details: JsonObject = {};
      for (const [k, v] of Object.entries(value)) if (k !== 'input' && k !== 'output' && k !== 'parameters') details[k] = v;
      out[key] = details;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The fields DescribeExecution and ListExecutions share. */
function executionSummary(e: ExecutionSummary) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDate),
    stopDate: e.stopDate && seconds(e.stopDate),
  };
}
