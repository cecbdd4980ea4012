/**
 * AWS Step Functions' size limits, enforced here as AWS enforces them (sources in README.md):
 * - state payloads (execution input, task output, state input/output, execution output) are at
 *   most 256 KiB, counted as bytes of UTF-8 (service quotas; the API reference's "Length
 *   Constraints apply to the payload size, and are expressed as bytes in UTF-8 encoding");
 * - SendTaskFailure/StopExecution `error` is at most 256 characters, `cause` at most 32,768.
 */
import { SfnApiError, type SfnErrorCode } from './errors.js';

/** The payload quota: 256 KiB of UTF-8. */
export const MAX_PAYLOAD_BYTES = 262_144;
/** `error` of SendTaskFailure and StopExecution. */
export const MAX_ERROR_LENGTH = 256;
/** `cause` of SendTaskFailure and StopExecution. */
export const MAX_CAUSE_LENGTH = 32_768;

/** The ASL error a payload over the quota fails its state with. */
export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

export function payloadBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function isOverPayloadLimit(text: string): boolean {
  // A UTF-8 byte is at least one UTF-16 unit and at most three: skip the count when it cannot matter.
  if (text.length * 3 <= MAX_PAYLOAD_BYTES) return false;
  return text.length > MAX_PAYLOAD_BYTES || payloadBytes(text) > MAX_PAYLOAD_BYTES;
}

/** Refuses an API payload parameter (`input`, `output`) over the quota with `code`. */
export function checkPayload(text: string | undefined, code: SfnErrorCode, message: string): void {
  if (text !== undefined && isOverPayloadLimit(text))
    throw new SfnApiError(code, `${message}: ${payloadBytes(text)} bytes (UTF-8) is over the limit of ${MAX_PAYLOAD_BYTES}`);
}

/** Refuses a string parameter longer than `max` characters, as AWS's request validation words it. */
export function checkLength(key: string, value: string | undefined, max: number): void {
  if (value !== undefined && value.length > max)
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
}

/** AWS's cause for a state or task result over the quota. */
export function resultTooLargeCause(stateName: string): string {
  return `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`;
}

/** The cause for a Task's input (after `Parameters`) over the quota. */
export function inputTooLargeCause(stateName: string): string {
  return `The state/task '${stateName}' has an input with a size exceeding the maximum number of bytes service limit.`;
}
