/** JSON values as they travel through ASL: what `JSON.parse` can produce. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Parses JSON text; `undefined` when it is not JSON. */
export function parseJson(text: string): Json | undefined {
  try {
    return toJson(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Converts what a Lambda handler or an SDK call returned into a JSON value, the way it would
 * look after a trip through the wire: `undefined` members vanish, dates become ISO strings,
 * binary becomes base64 (as the AWS JSON protocols send it), anything else non-JSON is null.
 */
export function toJson(value: unknown): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toJson(item)));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined || typeof member === 'function') continue;
      out[key] = toJson(member);
    }
    return out;
  }
  return null;
}
