/**
 * Structured JSON log lines (CloudWatch-friendly). Never log a task token: callers pass
 * ids and statuses, and `redact` strips token fields from any object that is logged whole.
 */
import { TASK_TOKEN_FIELDS } from '../../domain/order.js';

const SECRET_KEYS: ReadonlySet<string> = new Set(['taskToken', 'token', ...TASK_TOKEN_FIELDS]);

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '[redacted]' : redact(v)]));
  }
  return value;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function logger(source: string): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({ level, source, message, ...(fields === undefined ? {} : (redact(fields) as object)) });
    if (level === 'error') console.error(line);
    else console.log(line);
  };
  return { info: (m, f) => write('info', m, f), error: (m, f) => write('error', m, f) };
}
