/**
 * The AppSync real-time protocol (subprotocol `graphql-ws`, AppSync's dialect — NOT
 * `graphql-transport-ws`) written down as data. See PROTOCOL.md beside this file.
 */

/** The one WebSocket subprotocol the server selects. */
export const GRAPHQL_WS_PROTOCOL = 'graphql-ws';
/** Prefix of the subprotocol that carries the auth header object as base64url JSON. */
export const HEADER_PROTOCOL_PREFIX = 'header-';

export enum MessageType {
  /** Client → Server. Optional per AWS; this server requires it before `start`. */
  ConnectionInit = 'connection_init',
  /** Server → Client. Answer to `connection_init`; carries `connectionTimeoutMs`. */
  ConnectionAck = 'connection_ack',
  /** Server → Client. Connection refused (bad auth, init timeout); the socket is closed next. */
  ConnectionError = 'connection_error',
  /** Server → Client. Keep-alive, sent right after the ack and then every keepAliveMs. */
  KeepAlive = 'ka',
  /** Client → Server. Registers a subscription. */
  Start = 'start',
  /** Server → Client. The subscription is live. */
  StartAck = 'start_ack',
  /** Server → Client. One event of a subscription. */
  Data = 'data',
  /** Server → Client. A failed `start`, an ended subscription, or a bad frame (then no id). */
  Error = 'error',
  /** Client → Server. Ends a subscription. */
  Stop = 'stop',
  /** Server → Client. Answer to `stop`. */
  Complete = 'complete',
}

/** Close codes this server uses (AWS documents none; 4xxx are application codes). */
export enum CloseCode {
  Normal = 1000,
  /** After `connection_error` for bad credentials. */
  Unauthorized = 4401,
  /** No `connection_init` within the init timeout. */
  ConnectionInitTimeout = 4408,
  /** The client did not offer the `graphql-ws` subprotocol. */
  ProtocolError = 1002,
  /** The server is stopping. */
  GoingAway = 1001,
  /** A subscription's invalidation filter matched (AWS closes the socket too). */
  Invalidated = 4410,
}

/** The authorization header object (API key: `x-api-key` + `host`; IAM: SigV4 headers). Keys any case. */
export type AuthorizationHeaders = Readonly<Record<string, string>>;

export interface ConnectionInitMessage {
  readonly type: MessageType.ConnectionInit;
  readonly payload?: Readonly<Record<string, unknown>>;
}

export interface StartMessage {
  readonly type: MessageType.Start;
  readonly id: string;
  readonly payload: {
    /** JSON text of `{ query, variables?, operationName? }` (a string, not an object). */
    readonly data: string;
    readonly extensions?: { readonly authorization?: AuthorizationHeaders };
  };
}

export interface StopMessage {
  readonly type: MessageType.Stop;
  readonly id: string;
}

export type ClientMessage = ConnectionInitMessage | StartMessage | StopMessage;

export interface ProtocolErrorJson {
  readonly errorType: string;
  readonly message: string;
  readonly errorCode?: number;
}

export interface ConnectionAckMessage {
  readonly type: MessageType.ConnectionAck;
  readonly payload: { readonly connectionTimeoutMs: number };
}
export interface ConnectionErrorMessage {
  readonly type: MessageType.ConnectionError;
  readonly payload: { readonly errors: readonly ProtocolErrorJson[] };
}
export interface KeepAliveMessage {
  readonly type: MessageType.KeepAlive;
}
export interface StartAckMessage {
  readonly type: MessageType.StartAck;
  readonly id: string;
}
export interface DataMessage {
  readonly type: MessageType.Data;
  readonly id: string;
  readonly payload: { readonly data: unknown; readonly errors?: readonly unknown[] };
}
export interface ErrorMessage {
  readonly type: MessageType.Error;
  readonly id?: string;
  readonly payload: { readonly errors: readonly unknown[] };
}
export interface CompleteMessage {
  readonly type: MessageType.Complete;
  readonly id: string;
}

export type ServerMessage =
  ConnectionAckMessage | ConnectionErrorMessage | KeepAliveMessage | StartAckMessage | DataMessage | ErrorMessage | CompleteMessage;

/** A client frame that is not a message of this protocol. `errorType` is what the client is told. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly errorType: string,
    message: string,
    /** The message id, when the frame had a usable one. */
    readonly id?: string,
  ) {
    super(message);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseAuthorization(raw: unknown, id: string): AuthorizationHeaders | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw new ProtocolError('BadRequestException', 'payload.extensions.authorization must be an object', id);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * Validates one client frame. `raw` is the frame's text (or anything else a transport hands
 * over); throws ProtocolError for anything that is not a well-formed client message.
 */
export function parseClientMessage(raw: unknown): ClientMessage {
  if (typeof raw !== 'string') throw new ProtocolError('MessageParseError', 'Frames must be JSON text.');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ProtocolError('MessageParseError', 'Frame is not valid JSON.');
  }
  if (!isRecord(value) || typeof value['type'] !== 'string') throw new ProtocolError('MessageParseError', 'Frame has no message type.');
  const type = value['type'];
  const id = typeof value['id'] === 'string' && value['id'] !== '' ? value['id'] : undefined;
  switch (type) {
    case MessageType.ConnectionInit: {
      const payload = value['payload'];
      return isRecord(payload) ? { type: MessageType.ConnectionInit, payload } : { type: MessageType.ConnectionInit };
    }
    case MessageType.Start: {
      if (id === undefined) throw new ProtocolError('BadRequestException', 'start needs a non-empty string id.');
      const payload = value['payload'];
      if (!isRecord(payload) || typeof payload['data'] !== 'string') {
        throw new ProtocolError('BadRequestException', 'start needs payload.data as a JSON string.', id);
      }
      const extensions = payload['extensions'];
      if (extensions !== undefined && extensions !== null && !isRecord(extensions)) {
        throw new ProtocolError('BadRequestException', 'payload.extensions must be an object.', id);
      }
      const authorization = parseAuthorization(isRecord(extensions) ? extensions['authorization'] : undefined, id);
      return {
        type: MessageType.Start,
        id,
        payload: authorization ? { data: payload['data'], extensions: { authorization } } : { data: payload['data'] },
      };
    }
    case MessageType.Stop:
      if (id === undefined) throw new ProtocolError('BadRequestException', 'stop needs a non-empty string id.');
      return { type: MessageType.Stop, id };
    default:
      // AWS's wording for a type it does not take from clients.
      throw new ProtocolError('UnsupportedOperation', `${type} not supported through the realtime channel`, id);
  }
}

/** The `{ query, variables, operationName }` inside `start.payload.data`. */
export interface StartRequest {
  readonly query: string;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly operationName: string | null;
}

/** Validates the JSON text of `start.payload.data`. */
export function parseStartData(data: string, id: string): StartRequest {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new ProtocolError('BadRequestException', 'payload.data is not valid JSON.', id);
  }
  if (!isRecord(value) || typeof value['query'] !== 'string')
    throw new ProtocolError('BadRequestException', 'payload.data needs a query string.', id);
  const variables = value['variables'];
  if (variables !== undefined && variables !== null && !isRecord(variables)) {
    throw new ProtocolError('BadRequestException', 'payload.data.variables must be an object.', id);
  }
  const operationName = value['operationName'];
  return {
    query: value['query'],
    variables: isRecord(variables) ? variables : {},
    operationName: typeof operationName === 'string' ? operationName : null,
  };
}

/** Decodes a `header-…` subprotocol or `?header=` value (base64 or base64url JSON object). */
export function decodeAuthorizationHeader(encoded: string): AuthorizationHeaders | null {
  try {
    const text = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const value: unknown = JSON.parse(text);
    if (!isRecord(value)) return null;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return null;
  }
}
