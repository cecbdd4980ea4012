import { describe, expect, it } from 'vitest';
import { childrenOf, namedBits, objectIdentifier, readTlv, sequence, time, tlv, unsignedInteger, utf8String } from './der.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('DER encodings', () => {
  it('writes short and long definite lengths', () => {
    expect(hex(tlv(0x04, Buffer.alloc(3)))).toBe('0403000000');
    expect(hex(tlv(0x04, Buffer.alloc(200))).slice(0, 6)).toBe('0481c8');
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
  });

  it('writes object identifiers in base 128 (ecdsa-with-SHA256, serverAuth)', () => {
    expect(hex(objectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(objectIdentifier('1.3.6.1.5.5.7.3.1'))).toBe('06082b06010505070301');
  });

  it('writes non-negative integers minimally, with a sign byte when the top bit is set', () => {
    expect(hex(unsignedInteger(Buffer.from([0, 0, 5])))).toBe('020105');
    expect(hex(unsignedInteger(Buffer.from([0x80])))).toBe('02020080');
    expect(hex(unsignedInteger(Buffer.from([0])))).toBe('020100');
  });

  it('writes named bits with trailing zero bits dropped (KeyUsage)', () => {
    expect(hex(namedBits([0]))).toBe('03020780'); // digitalSignature
    expect(hex(namedBits([5, 6]))).toBe('03020106'); // keyCertSign, cRLSign
  });

  it('writes UTCTime through 2049 and GeneralizedTime from 2050', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });

  it('reads back the TLVs it wrote', () => {
    const der = sequence(utf8String('a'), tlv(0x04, Buffer.alloc(200)));
    const [first, second] = childrenOf(der);
    expect(first).toEqual({ tag: 0x0c, start: 3, valueStart: 5, end: 6 });
    expect(second).toMatchObject({ tag: 0x04, valueStart: 9, end: der.length });
    expect(() => readTlv(der.subarray(0, 10))).toThrow(RangeError);
  });
});
