/**
 * The few ASN.1 DER encodings an X.509 v3 certificate needs (ITU-T X.690), so that the local
 * certificate authority can be built with node:crypto alone: node:crypto makes keys and
 * signatures and parses certificates (`X509Certificate`), but cannot write one.
 * Every function returns one complete TLV (tag, length, value).
 */

/** A TLV with the definite-length form DER requires (short form below 128 bytes). */
export function tlv(tag: number, value: Uint8Array): Buffer {
  const length = value.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), value]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), value]);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, Buffer.concat(items));

/** A non-negative INTEGER from its big-endian magnitude (leading zeros dropped, a sign byte added when needed). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = Buffer.from(magnitude.subarray(start));
  return tlv(0x02, trimmed[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export const smallInteger = (value: number): Buffer => unsignedInteger(Buffer.from([value]));

export const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0]));

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const base128: number[] = [];
    for (let n = arc; ; n = Math.floor(n / 128)) {
      base128.unshift((n % 128) | (base128.length === 0 ? 0 : 0x80));
      if (n < 128) break;
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
/** A BIT STRING of whole bytes (no unused bits). */
export const bitString = (bytes: Uint8Array): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

/** A BIT STRING of named bits (bit 0 first), as KeyUsage has them: trailing zero bits dropped. */
export function namedBits(bits: readonly number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)]! |= 0x80 >> (bit % 8);
  return tlv(0x03, Buffer.concat([Buffer.from([7 - (highest % 8)]), bytes]));
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5), to the second. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-12-03T06:48:59.000Z
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

/** `[n]` EXPLICIT (constructed, wraps a whole TLV). */
export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);
/** `[n]` IMPLICIT primitive (replaces the tag of a primitive value: GeneralName's dNSName, iPAddress, …). */
export const implicit = (n: number, value: Uint8Array): Buffer => tlv(0x80 | n, value);

/** One TLV inside `bytes`: its tag, where it starts, where its value starts, and where it ends. */
export interface TlvSpan {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

/** Reads the TLV starting at `offset` (DER: definite lengths only). */
export function readTlv(bytes: Uint8Array, offset = 0): TlvSpan {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw new RangeError(`no DER value at offset ${offset}`);
  let length = first;
  let valueStart = offset + 2;
  if (first >= 0x80) {
    length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + (bytes[valueStart + i] ?? 0);
    valueStart += first & 0x7f;
  }
  const end = valueStart + length;
  if (end > bytes.length) throw new RangeError(`DER value at offset ${offset} runs past the end`);
  return { tag, start: offset, valueStart, end };
}

/** The TLVs directly inside a constructed TLV (a SEQUENCE, SET or EXPLICIT tag). */
export function childrenOf(bytes: Uint8Array, parent: TlvSpan = readTlv(bytes)): TlvSpan[] {
  const children: TlvSpan[] = [];
  for (let offset = parent.valueStart; offset < parent.end;) {
    const child = readTlv(bytes, offset);
    children.push(child);
    offset = child.end;
  }
  return children;
}
