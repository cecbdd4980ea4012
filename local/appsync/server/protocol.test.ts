import { describe, expect, it } from 'vitest';
import { decodeAuthorizationHeader, MessageType, parseClientMessage, parseStartData, ProtocolError } from './protocol.js';

describe('parseClientMessage', () => {
  it('parses connection_init with and without payload', () => {
    expect(parseClientMessage('{"type":"connection_init"}')).toEqual({ type: MessageType.ConnectionInit });
    expect(parseClientMessage('{"type":"connection_init","payload":{"a":1}}')).toEqual({
      type: MessageType.ConnectionInit,
      payload: { a: 1 },
    });
  });

  it('parses start with its authorization object, keeping only string headers', () => {
    const raw = JSON.stringify({
      id: '1',
      type: 'start',
      payload: { data: '{"query":"x"}', extensions: { authorization: { 'x-api-key': 'k', n: 1 } } },
    });
    expect(parseClientMessage(raw)).toEqual({
      type: MessageType.Start,
      id: '1',
      payload: { data: '{"query":"x"}', extensions: { authorization: { 'x-api-key': 'k' } } },
    });
  });

  it('parses stop', () => {
    expect(parseClientMessage('{"type":"stop","id":"9"}')).toEqual({ type: MessageType.Stop, id: '9' });
  });

  it.each([
    ['binary', Buffer.from('x'), 'MessageParseError'],
    ['not JSON', '{', 'MessageParseError'],
    ['an array', '[]', 'MessageParseError'],
    ['no type', '{"id":"1"}', 'MessageParseError'],
    ['start without id', '{"type":"start","payload":{"data":"{}"}}', 'BadRequestException'],
    ['start with object data', '{"type":"start","id":"1","payload":{"data":{}}}', 'BadRequestException'],
    [
      'start with non-object authorization',
      '{"type":"start","id":"1","payload":{"data":"{}","extensions":{"authorization":"k"}}}',
      'BadRequestException',
    ],
    ['stop without id', '{"type":"stop"}', 'BadRequestException'],
    ['a server message type', '{"type":"ka"}', 'UnsupportedOperation'],
  ])('rejects %s with %s', (_label, raw, errorType) => {
    try {
      parseClientMessage(raw);
      expect.unreachable('should have thrown');
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      expect(err.errorType).toBe(errorType);
    }
  });
});

describe('parseStartData', () => {
  it('reads query, variables and operationName', () => {
    expect(parseStartData('{"query":"subscription{a}","variables":{"x":1},"operationName":"S"}', '1')).toEqual({
      query: 'subscription{a}',
      variables: { x: 1 },
      operationName: 'S',
    });
  });

  it('rejects data without a query or with array variables', () => {
    expect(() => parseStartData('{}', '1')).toThrow(ProtocolError);
    expect(() => parseStartData('{"query":"x","variables":[]}', '1')).toThrow(ProtocolError);
  });
});

describe('decodeAuthorizationHeader', () => {
  it('decodes base64url and standard base64 JSON objects', () => {
    const auth = { host: 'h', 'x-api-key': 'k?>' };
    expect(decodeAuthorizationHeader(Buffer.from(JSON.stringify(auth)).toString('base64url'))).toEqual(auth);
    expect(decodeAuthorizationHeader(Buffer.from(JSON.stringify(auth)).toString('base64'))).toEqual(auth);
  });

  it('returns null for garbage', () => {
    expect(decodeAuthorizationHeader('!!!')).toBeNull();
    expect(decodeAuthorizationHeader(Buffer.from('[1]').toString('base64'))).toBeNull();
  });
});
