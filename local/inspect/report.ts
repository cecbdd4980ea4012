/**
 * What `npm run order` shows about one order, worked out from what the stack holds: where its
 * workflow execution is (the state it waits in, its task token, its deadline), its history in one
 * line per step, and the alerts still in the queues. Pure: the reads are load.ts's, so this is
 * unit-tested with event factories.
 *
 * Task tokens are capabilities and never printed: the order's token fields show only that a
 * token is stored, task parameters (which carry the token) are left out, and anything else
 * shaped like a token is masked.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** The order as the API shows it, plus the backend-only fields it has, named, never their values. */
export interface InspectedOrder {
  readonly order: Readonly<Record<string, unknown>>;
  readonly storedBackendFields: readonly string[];
}

export interface WorkflowExecution {
  readonly executionArn: string;
  readonly status: string;
  readonly startDate: string;
  readonly stopDate: string | null;
  readonly error: string | null;
  readonly cause: string | null;
}

/** Where a running execution is. */
export interface Position {
  readonly state: string;
  /** The state's type as the history names it (Task, Choice, Wait, …). */
  readonly type: string;
  readonly enteredAt: string;
  /** The Task attempt under way, if the state is a Task. */
  readonly task: {
    /** e.g. `lambda:invoke.waitForTaskToken`. */
    readonly resource: string;
    readonly scheduledAt: string;
    /** Attempts so far (1 + retries). */
    readonly attempt: number;
    /** When the attempt's `TimeoutSeconds` runs out (the TaskScheduled event's `timeoutInSeconds`). */
    readonly timesOutAt: string | null;
    /** A `.waitForTaskToken` task: when its request was submitted (the token is out), or null if not yet. */
    readonly tokenIssuedAt: string | null;
    readonly waitsForTaskToken: boolean;
  } | null;
}

/** One step of the history, compacted (scheduled + started are one line; state exits are left out). */
export interface HistoryLine {
  readonly at: string;
  /** The state the step belongs to, if any. */
  readonly state: string | null;
  /** What happened, e.g. `entered (Task)`, `task token issued`, `succeeded {"decision":"ACCEPT"}`. */
  readonly what: string;
}

export interface QueuedAlert {
  readonly queue: string;
  /** ready, delayed or in flight (received, not yet deleted). */
  readonly state: 'ready' | 'delayed' | 'in flight';
  readonly deadLettered: boolean;
  readonly sentAt: string;
  readonly receiveCount: number;
  /** The alert's `type` (e.g. `Order.Placed`). */
  readonly type: string;
  readonly body: unknown;
}

export interface Inspection {
  readonly orderId: string;
  readonly order: InspectedOrder;
  /** null: no execution (yet) for this order. */
  readonly workflow: {
    readonly execution: WorkflowExecution;
    /** null once the execution has ended. */
    readonly position: Position | null;
    /** The last state entered (where a closed execution ended). */
    readonly lastState: string | null;
    readonly history: readonly HistoryLine[];
  } | null;
  readonly alerts: readonly QueuedAlert[];
}

/** Long base64 runs (task tokens are 500+ characters of it); nothing the report shows is shaped so. */
const TOKEN_LIKE = /[A-Za-z0-9+/=_-]{100,}/g;

export function maskTokens(text: string): string {
  return text.replace(TOKEN_LIKE, '[task token]');
}

function iso(date: Date | undefined): string {
  return (date ?? new Date(0)).toISOString();
}

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → `lambda:invoke.waitForTaskToken`; a function ARN → `lambda function <name>`. */
export function shortResource(resourceType: string | undefined, resource: string | undefined): string {
  if (resourceType === undefined && resource === undefined) return 'task';
  if (resource?.startsWith('arn:aws:lambda:')) return `lambda function ${resource.split(':').at(6) ?? resource}`;
  return resource === undefined ? (resourceType ?? 'task') : `${resourceType ?? ''}:${resource}`;
}

const ENTERED = /^(\w+)StateEntered$/;

/** Where a running execution is, from its history (oldest first); null when it is in no state. */
export function positionOf(events: readonly HistoryEvent[]): Position | null {
  let position: { state: string; type: string; enteredAt: string; task: Position['task'] } | null = null;
  for (const event of events) {
    const type = event.type ?? '';
    const entered = ENTERED.exec(type);
    if (entered !== null && event.stateEnteredEventDetails?.name !== undefined) {
      position = { state: event.stateEnteredEventDetails.name, type: entered[1]!, enteredAt: iso(event.timestamp), task: null };
    } else if (type.endsWith('StateExited') && position?.state === event.stateExitedEventDetails?.name) {
      position = null;
    } else if (type === 'TaskScheduled' && position !== null) {
      const details = event.taskScheduledEventDetails;
      const at = event.timestamp ?? new Date(0);
      const seconds = details?.timeoutInSeconds;
      position.task = {
        resource: shortResource(details?.resourceType, details?.resource),
        scheduledAt: iso(at),
        attempt: (position.task?.attempt ?? 0) + 1,
        timesOutAt: seconds === undefined ? null : new Date(at.getTime() + Number(seconds) * 1000).toISOString(),
        tokenIssuedAt: null,
        waitsForTaskToken: details?.resource?.endsWith('.waitForTaskToken') ?? false,
      };
    } else if (type === 'TaskSubmitted' && position?.task != null) {
      position.task = { ...position.task, tokenIssuedAt: iso(event.timestamp) };
    }
  }
  return position;
}

/** The last state the execution entered (for a closed one: where it ended). */
export function lastStateOf(events: readonly HistoryEvent[]): string | null {
  let last: string | null = null;
  for (const event of events) if (ENTERED.test(event.type ?? '')) last = event.stateEnteredEventDetails?.name ?? last;
  return last;
}

/** A JSON text in one short line: an invoke result shows its Payload; a DynamoDB or SNS result shows nothing. */
export function summariseOutput(output: string | undefined, max = 100): string {
  if (output === undefined) return '';
  let shown: unknown;
  try {
    shown = JSON.parse(output) as unknown;
  } catch {
    return clip(maskTokens(output), max);
  }
  if (typeof shown === 'object' && shown !== null && !Array.isArray(shown)) {
    if ('Payload' in shown) shown = shown.Payload;
    else if ('SdkHttpMetadata' in shown) return '';
  }
  return clip(maskTokens(JSON.stringify(shown)), max);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function failure(details: { error?: string; cause?: string } | undefined): string {
  const error = details?.error ?? '';
  const cause = details?.cause === undefined || details.cause === '' ? '' : ` (${clip(maskTokens(details.cause), 120)})`;
  return `${error === '' ? 'no error name' : error}${cause}`;
}

/** One line per step: state entries, task scheduling (with its timeout), the token going out, results, failures, the end. */
export function compactHistory(events: readonly HistoryEvent[]): HistoryLine[] {
  const lines: HistoryLine[] = [];
  let state: string | null = null;
  const add = (event: HistoryEvent, what: string, inState: string | null = state) =>
    lines.push({ at: iso(event.timestamp), state: inState, what });
  for (const event of events) {
    const type = event.type ?? '';
    const entered = ENTERED.exec(type);
    if (entered !== null) {
      state = event.stateEnteredEventDetails?.name ?? state;
      add(event, `entered (${entered[1]})`);
      continue;
    }
    switch (type) {
      case 'ExecutionStarted':
        add(event, 'execution started', null);
        break;
      case 'TaskScheduled': {
        const d = event.taskScheduledEventDetails;
        const timeout = d?.timeoutInSeconds === undefined ? '' : `, times out after ${d.timeoutInSeconds} s`;
        add(event, `task scheduled: ${shortResource(d?.resourceType, d?.resource)}${timeout}`);
        break;
      }
      case 'TaskSubmitted': {
        const result = summariseOutput(event.taskSubmittedEventDetails?.output);
        add(event, `task token issued, waiting for SendTaskSuccess/Failure${result === '' ? '' : `; request answered ${result}`}`);
        break;
      }
      case 'TaskSucceeded':
      case 'LambdaFunctionSucceeded': {
        const output = summariseOutput(event.taskSucceededEventDetails?.output ?? event.lambdaFunctionSucceededEventDetails?.output);
        add(event, `succeeded${output === '' ? '' : ` ${output}`}`);
        break;
      }
      case 'TaskFailed':
        add(event, `failed: ${failure(event.taskFailedEventDetails)}`);
        break;
      case 'TaskTimedOut':
        add(event, `timed out: ${failure(event.taskTimedOutEventDetails)}`);
        break;
      case 'LambdaFunctionFailed':
        add(event, `failed: ${failure(event.lambdaFunctionFailedEventDetails)}`);
        break;
      case 'LambdaFunctionTimedOut':
        add(event, `timed out: ${failure(event.lambdaFunctionTimedOutEventDetails)}`);
        break;
      case 'ExecutionSucceeded':
        add(event, 'execution succeeded', null);
        break;
      case 'ExecutionFailed':
        add(event, `execution failed: ${failure(event.executionFailedEventDetails)}`, null);
        break;
      case 'ExecutionAborted':
        add(event, `execution aborted: ${failure(event.executionAbortedEventDetails)}`, null);
        break;
      case 'ExecutionTimedOut':
        add(event, `execution timed out: ${failure(event.executionTimedOutEventDetails)}`, null);
        break;
      case 'TaskStarted':
      case 'LambdaFunctionScheduled':
      case 'LambdaFunctionStarted':
        break; // part of the scheduling line
      default:
        if (!type.endsWith('StateExited')) add(event, type);
    }
  }
  return lines;
}

/** "in 9 min 58 s", "2 s ago". */
export function relative(at: string, now: Date): string {
  const ms = new Date(at).getTime() - now.getTime();
  const total = Math.round(Math.abs(ms) / 1000);
  const parts = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const text = (['h', 'min', 's'] as const)
    .map((unit, i) => (parts[i] === 0 ? '' : `${parts[i]} ${unit}`))
    .filter((p) => p !== '')
    .join(' ');
  return ms >= 0 ? `in ${text || '0 s'}` : `${text || '0 s'} ago`;
}

/** The position in words: "AwaitStoreDecision (Task): waiting for its task token (issued …); times out at … (in …)". */
export function describePosition(position: Position, now: Date): string {
  const head = `${position.state} (${position.type})`;
  const task = position.task;
  if (task === null) return `${head}, entered ${position.enteredAt}`;
  const retry = task.attempt > 1 ? `, attempt ${task.attempt}` : '';
  const deadline = task.timesOutAt === null ? '' : `; times out at ${task.timesOutAt} (${relative(task.timesOutAt, now)})`;
  if (task.waitsForTaskToken) {
    const token =
      task.tokenIssuedAt === null
        ? `task token being issued (${task.resource} scheduled ${task.scheduledAt})`
        : `waiting for its task token (issued ${task.tokenIssuedAt})`;
    return `${head}: ${token}${retry}${deadline}`;
  }
  return `${head}: running ${task.resource} since ${task.scheduledAt}${retry}${deadline}`;
}

const ORDER_HEAD = ['status', 'version', 'storeId', 'customerId', 'driverId', 'paymentId'];

/** A field in one line: pies and the address in words, the route as its length, the rest as JSON. */
export function orderFieldText(field: string, v: unknown): string {
  if (field === 'pies' && Array.isArray(v)) {
    return v
      .map((pie: unknown) => {
        if (!isRecord(pie)) return JSON.stringify(pie);
        const toppings = Array.isArray(pie.toppings) && pie.toppings.length > 0 ? `: ${pie.toppings.join(', ')}` : '';
        return `${String(pie.size)} pie, ${String(pie.cheese)} cheese${toppings}`;
      })
      .join('; ');
  }
  if (field === 'deliveryAddress' && isRecord(v)) {
    const c = isRecord(v.coordinates) ? ` (${String(v.coordinates.latitude)}, ${String(v.coordinates.longitude)})` : '';
    return `${String(v.streetAddress)}, ${String(v.city)} ${String(v.postalCode)}, ${String(v.province)}${c}`;
  }
  if (field === 'deliverySteps' && Array.isArray(v)) return `${v.length} route step(s)`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The report as text: order, workflow (where it is, then its history), alerts. */
export function formatInspection(inspection: Inspection, now: Date): string {
  const out: string[] = [];
  const { order, storedBackendFields } = inspection.order;
  out.push(`Order ${inspection.orderId}`);
  const fields = Object.entries(order).filter(([k, v]) => v !== null && k !== 'orderId' && k !== '__typename');
  const ordered = [
    ...ORDER_HEAD.flatMap((k) => fields.filter(([f]) => f === k)),
    ...fields.filter(([k]) => !ORDER_HEAD.includes(k)).sort(([a], [b]) => (a < b ? -1 : 1)),
  ];
  const width = Math.max(...ordered.map(([k]) => k.length), 'backend-only'.length);
  for (const [key, v] of ordered) out.push(`  ${key.padEnd(width)}  ${clip(maskTokens(orderFieldText(key, v)), 160)}`);
  if (storedBackendFields.length > 0)
    out.push(`  ${'backend-only'.padEnd(width)}  ${storedBackendFields.join(', ')} stored (values not shown)`);

  out.push('');
  const wf = inspection.workflow;
  if (wf === null) {
    out.push('Workflow  no execution yet (it starts from the orders stream, normally within a second of placing)');
  } else {
    const e = wf.execution;
    out.push(`Workflow  ${e.executionArn}`);
    if (wf.position !== null) {
      out.push(`  ${e.status} since ${e.startDate}`);
      out.push(`  now at  ${describePosition(wf.position, now)}`);
    } else {
      const end = e.error === null ? '' : `: ${e.error}${e.cause === null ? '' : ` (${clip(maskTokens(e.cause), 120)})`}`;
      const where = wf.lastState === null ? '' : ` in ${wf.lastState}`;
      out.push(`  ${e.status}${where} at ${e.stopDate ?? '?'}${end} (started ${e.startDate})`);
    }
    out.push('');
    out.push(`History (${wf.history.length} steps)`);
    const stateWidth = Math.max(0, ...wf.history.map((l) => (l.state ?? '').length));
    for (const line of wf.history) out.push(`  ${line.at}  ${(line.state ?? '').padEnd(stateWidth)}  ${line.what}`);
  }

  out.push('');
  if (inspection.alerts.length === 0) {
    out.push('Alerts    none in the queues (not produced yet, already received and deleted, or for a store with no queue)');
  } else {
    out.push(`Alerts (${inspection.alerts.length} in the queues)`);
    const queueWidth = Math.max(...inspection.alerts.map((a) => a.queue.length));
    for (const a of inspection.alerts) {
      const dlq = a.deadLettered ? ', dead-lettered' : '';
      const received = a.receiveCount === 0 ? 'never received' : `received ${a.receiveCount} time${a.receiveCount === 1 ? '' : 's'}`;
      out.push(`  ${a.sentAt}  ${a.queue.padEnd(queueWidth)}  ${a.type}  ${a.state}${dlq}, ${received}`);
    }
  }
  return `${out.join('\n')}\n`;
}
