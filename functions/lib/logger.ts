/**
 * The functions' logger: a thin wrapper over Powertools Logger. One JSON object per line, with
 * Powertools' keys (level, message, timestamp, service, the Lambda context's function name,
 * request id and cold start, the X-Ray trace id) plus `source` (the function) and the caller's
 * fields, and two rules of ours:
 *
 * - No secret reaches a line. The formatter redacts every field named in `SECRET_KEYS`, at any
 *   depth and in any letter case, whatever the caller passed: task tokens, the routing key, an
 *   `authorization` header. Callers still pass ids and statuses, never whole records.
 * - The order id is on every line of an invocation once it is known (`setOrderId`), and on no
 *   line of another. Each invocation logs through its own child logger (`logger(source,
 *   context)`), so nothing appended is left over for the next invocation of a warm container,
 *   nor seen by a concurrent one: the local stack runs every handler in one process, at once.
 *
 * Output: on Lambda, Powertools' own console on stdout (CloudWatch Logs reads the JSON as is).
 * With POWERTOOLS_DEV set (the local stack sets it: its handlers share its process) lines go
 * through the global `console.log`/`console.error`, still one line each, so the stack's log
 * sink and the tests' log capture see them.
 */
import { LogFormatter, LogItem, LogLevelThreshold, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import { METRICS_SERVICE } from '../../domain/metrics.js';
import { TASK_TOKEN_FIELDS } from '../../domain/order.js';

/** Field names whose values never reach a log line (compared in lower case). */
export const SECRET_KEYS: ReadonlySet<string> = new Set(
  ['taskToken', 'token', ...TASK_TOKEN_FIELDS, 'authorization', 'apiKey', 'routingKey', 'orsApiKey'].map((k) => k.toLowerCase()),
);

export const REDACTED = '[redacted]';

/** `value` with every secret field's value replaced, at any depth (Errors are left to Powertools). */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object' && value !== null && !(value instanceof Error)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k.toLowerCase()) ? REDACTED : redact(v)]));
  }
  return value;
}

/** Powertools' standard keys, then the redacted persistent, appended and per-line fields. */
class RedactingFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: context?.coldStart,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(redact(additional) as LogAttributes);
  }
}

class PizzaLogger extends PowertoolsLogger {
  /** Read per instance, as Powertools does: the local stack sets it before any handler runs. */
  readonly #devMode = ['1', 'true', 'yes', 'on'].includes((process.env.POWERTOOLS_DEV ?? '').toLowerCase());

  protected override createLogger(options?: ConstructorOptions): PowertoolsLogger {
    return new PizzaLogger(options);
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.#devMode) {
      super.printLog(logLevel, log);
      return;
    }
    // Powertools' dev mode pretty-prints over several lines and uses console.info/warn, which
    // the local log sink and the tests' capture do not all take: one line, log or error.
    log.prepareForPrint();
    const line = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    if (logLevel >= LogLevelThreshold.WARN) console.error(line);
    else console.log(line);
  }
}

const root = new PizzaLogger({ serviceName: METRICS_SERVICE, logFormatter: new RedactingFormatter() });
/** Sources that have logged an invocation already (Powertools' cold start is per logger instance). */
const warm = new Set<string>();

export type LogFields = Record<string, unknown>;

/** What code that only logs needs (tests pass a quiet one). */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface InvocationLogger extends Logger {
  /** Puts `orderId` on this logger's every later line (the rest of the invocation). */
  setOrderId(orderId: string): void;
}

/**
 * A logger for one invocation of `source` (pass the Lambda context when there is one), or for
 * code outside any invocation. Methods are plain functions: `log.info` may be passed alone.
 */
export function logger(source: string, context?: Context): InvocationLogger {
  const child = root.createChild({ persistentKeys: { source } });
  if (context !== undefined) {
    child.addContext(context);
    // The child is new each time; the container's first invocation of this source is the cold one.
    child.appendPersistentKeys({ cold_start: !warm.has(source) });
    warm.add(source);
  }
  return {
    info: (message, fields) => child.info(message, fields ?? {}),
    error: (message, fields) => child.error(message, fields ?? {}),
    setOrderId: (orderId) => child.appendPersistentKeys({ orderId }),
  };
}
