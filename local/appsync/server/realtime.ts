/**
 * The realtime core: AppSync's `graphql-ws` dialect over any socket-like transport. It knows
 * nothing of `ws` or HTTP: an adapter reports `opened`/`message`/`closed` and supplies `send`/`close`.
 * Timers (init timeout, keep-alive) are owned per connection and cleared on close or dispose.
 */
import {
  authenticate,
  lowerCaseHeaders,
  realtimeConnectRequest,
  realtimeStartRequest,
  type AuthConfig,
  type AuthContext,
  type AuthenticateOptions,
} from './auth.js';
import { UNAUTHORIZED_EXCEPTION, UNAUTHORIZED_MESSAGE, type AppSyncErrorJson } from './errors.js';
import type { AcceptedSubscription, AppSyncEngine, ProjectedPayload, RequestMeta } from './execution.js';
import { checkRequestLimits, type LimitContext } from './limits.js';
import {
  CloseCode,
  decodeAuthorizationHeader,
  GRAPHQL_WS_PROTOCOL,
  HEADER_PROTOCOL_PREFIX,
  MessageType,
  parseClientMessage,
  parseStartData,
  ProtocolError,
  type AuthorizationHeaders,
  type ServerMessage,
  type StartMessage,
} from './protocol.js';
import type { SubscriptionHub } from './subscriptions.js';

/** What the core needs from a socket. */
export interface RealtimeSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** The upgrade request, as the adapter saw it. */
export interface UpgradeRequest {
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Subprotocols the client offered, in order. */
  readonly protocols: readonly string[];
  /** The `header` query parameter (Amplify < 6.6 and hand-written clients), if any. */
  readonly queryHeader: string | null;
  readonly remoteAddress?: string | undefined;
}

export interface RealtimeOptions extends AuthConfig {
  readonly engine: AppSyncEngine;
  readonly hub: SubscriptionHub;
  /** Interval of `ka` messages. @default 60000 */
  readonly keepAliveMs?: number;
  /** Time allowed between socket open and `connection_init`. @default 15000 */
  readonly connectionInitTimeoutMs?: number;
  /** Advertised in `connection_ack` (Amplify drops the socket after this long without a message). @default 300000 */
  readonly connectionTimeoutMs?: number;
  readonly logger?: ((line: string) => void) | undefined;
  /** Depth and resolver-count limits applied to each `start`. @default none */
  readonly limits?: LimitContext | undefined;
  /** Live and pending subscriptions one connection may hold (AppSync's default quota). @default 100 */
  readonly maxSubscriptionsPerConnection?: number | undefined;
  /** Largest `data` frame delivered, in bytes; larger events are dropped (AppSync: 240 KB). @default 245760 */
  readonly maxEventBytes?: number | undefined;
}

/** AppSync's default "subscriptions per connection" quota. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
/** AppSync's subscription payload size quota (240 KB). */
export const MAX_EVENT_BYTES = 240 * 1024;

export interface ConnectionHandle {
  /** A frame arrived (text, or anything else the transport got: then it is rejected). */
  message(raw: unknown): void;
  /** The socket closed (by either side). Idempotent. */
  closed(): void;
}

export interface RealtimeServer {
  opened(socket: RealtimeSocket, request: UpgradeRequest): ConnectionHandle;
  /** Closes every connection (1001) and clears every timer. */
  dispose(): void;
  stats(): { readonly connections: number; readonly subscriptions: number };
}

type ConnectionAuth =
  | { readonly ok: true; readonly auth: AuthContext; readonly headers: Record<string, string> }
  | { readonly ok: false; readonly reason: string };

/**
 * Auth carriers in AppSync's order of precedence (our choice; AWS does not rank them):
 * the `header-…` subprotocol, then `?header=`, then the upgrade request's own headers.
 */
function authOptions(options: RealtimeOptions, request: UpgradeRequest, signed: AuthenticateOptions['request']): AuthenticateOptions {
  const { apiKeys, region, iamPrincipals, modes, userPool, now } = options;
  return { apiKeys, region, iamPrincipals, modes, userPool, now, remoteAddress: request.remoteAddress, request: signed };
}

async function connectionAuth(request: UpgradeRequest, options: RealtimeOptions): Promise<ConnectionAuth> {
  let carried: AuthorizationHeaders | null = null;
  const headerProtocol = request.protocols.find((p) => p.startsWith(HEADER_PROTOCOL_PREFIX));
  if (headerProtocol !== undefined) {
    carried = decodeAuthorizationHeader(headerProtocol.slice(HEADER_PROTOCOL_PREFIX.length));
    if (!carried) return { ok: false, reason: 'undecodable header- subprotocol' };
  } else if (request.queryHeader !== null) {
    carried = decodeAuthorizationHeader(request.queryHeader);
    if (!carried) return { ok: false, reason: 'undecodable header query parameter' };
  }
  const headers = { ...request.headers, ...(carried ? lowerCaseHeaders(carried) : {}) };
  const result = await authenticate(headers, authOptions(options, request, realtimeConnectRequest()));
  return result.ok ? { ok: true, auth: result.auth, headers } : result;
}

function errorsForClient(errors: readonly AppSyncErrorJson[]): { errorType?: string; message: string }[] {
  return errors.map((e) => (typeof e.errorType === 'string' ? { errorType: e.errorType, message: e.message } : { message: e.message }));
}

export function makeRealtimeServer(options: RealtimeOptions): RealtimeServer {
  const keepAliveMs = options.keepAliveMs ?? 60_000;
  const initTimeoutMs = options.connectionInitTimeoutMs ?? 15_000;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 300_000;
  const log = options.logger ?? (() => undefined);
  const maxSubscriptions = options.maxSubscriptionsPerConnection ?? MAX_SUBSCRIPTIONS_PER_CONNECTION;
  const maxEventBytes = options.maxEventBytes ?? MAX_EVENT_BYTES;
  const live = new Set<{ dispose(code: number, reason: string): void; subscriptions(): number }>();

  function opened(socket: RealtimeSocket, request: UpgradeRequest): ConnectionHandle {
    // Settled before `connection_init` is answered (onInit waits for it).
    let auth: ConnectionAuth = { ok: false, reason: 'connection authentication pending' };
    const authSettled = connectionAuth(request, options).then(
      (result) => {
        auth = result;
      },
      (err: unknown) => {
        auth = { ok: false, reason: `connection authentication failed: ${err instanceof Error ? err.message : String(err)}` };
      },
    );
    const baseHeaders: Record<string, string> = { ...request.headers };
    delete baseHeaders['cookie'];
    let initialised = false;
    let isClosed = false;
    let keepAlive: NodeJS.Timeout | undefined;
    /** Live subscriptions: id → remover. */
    const active = new Map<string, () => void>();
    /** Starts still running their subscribe-time resolver: id → cancelled? */
    const pending = new Map<string, { cancelled: boolean }>();

    const sendText = (text: string): void => {
      if (isClosed) return;
      try {
        socket.send(text);
      } catch (err) {
        log(`realtime send failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const send = (message: ServerMessage): void => sendText(JSON.stringify(message));
    const sendError = (id: string | undefined, errors: readonly unknown[]): void => {
      send(id === undefined ? { type: MessageType.Error, payload: { errors } } : { type: MessageType.Error, id, payload: { errors } });
    };

    const cleanup = (): void => {
      if (isClosed) return;
      isClosed = true;
      clearTimeout(initTimer);
      clearInterval(keepAlive);
      for (const remove of active.values()) remove();
      active.clear();
      for (const p of pending.values()) p.cancelled = true;
      pending.clear();
      live.delete(entry);
    };
    const closeWith = (code: number, reason: string): void => {
      cleanup();
      try {
        socket.close(code, reason);
      } catch {
        // The transport is already gone; nothing left to release.
      }
    };

    const initTimer = setTimeout(() => {
      if (initialised || isClosed) return;
      send({
        type: MessageType.ConnectionError,
        payload: { errors: [{ errorType: 'ConnectionInitTimeout', message: 'connection_init was not received in time.', errorCode: 408 }] },
      });
      closeWith(CloseCode.ConnectionInitTimeout, 'Connection initialisation timeout');
    }, initTimeoutMs);

    const entry = {
      dispose: (code: number, reason: string) => closeWith(code, reason),
      subscriptions: () => active.size,
    };
    live.add(entry);

    if (!request.protocols.includes(GRAPHQL_WS_PROTOCOL)) {
      // AWS's answer to a client that did not ask for graphql-ws.
      send({
        type: MessageType.ConnectionError,
        payload: { errors: [{ errorType: 'SubProtocolNotSupportedError', message: 'SubProtocolNotSupportedError', errorCode: 400 }] },
      });
      closeWith(CloseCode.ProtocolError, 'graphql-ws subprotocol required');
    }

    function onInit(): void {
      if (!auth.ok) {
        log(`realtime connection refused: ${auth.reason}`);
        send({
          type: MessageType.ConnectionError,
          payload: { errors: [{ errorType: UNAUTHORIZED_EXCEPTION, message: UNAUTHORIZED_MESSAGE, errorCode: 401 }] },
        });
        closeWith(CloseCode.Unauthorized, 'Unauthorized');
        return;
      }
      send({ type: MessageType.ConnectionAck, payload: { connectionTimeoutMs } });
      if (initialised) return; // a repeated init is re-acknowledged; the one keep-alive timer stays
      initialised = true;
      clearTimeout(initTimer);
      send({ type: MessageType.KeepAlive });
      keepAlive = setInterval(() => send({ type: MessageType.KeepAlive }), keepAliveMs);
    }

    async function onStart(message: StartMessage): Promise<void> {
      const { id } = message;
      if (!initialised || !auth.ok) {
        sendError(id, [{ errorType: 'BadRequestException', message: 'connection_init must be acknowledged before start.' }]);
        return;
      }
      if (active.has(id) || pending.has(id)) {
        sendError(id, [{ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }]);
        return;
      }
      if (active.size + pending.size >= maxSubscriptions) {
        sendError(id, [{ errorType: 'MaxSubscriptionsReachedError', message: `Max number of ${maxSubscriptions} subscriptions reached` }]);
        return;
      }
      const startRequest = parseStartData(message.payload.data, id);
      // AppSync authorizes every start by its own extensions.authorization; without it, nothing runs.
      const startAuth = message.payload.extensions?.authorization;
      if (startAuth === undefined) {
        log(`realtime start ${id} refused: start without extensions.authorization`);
        sendError(id, [{ errorType: UNAUTHORIZED_EXCEPTION, message: UNAUTHORIZED_MESSAGE }]);
        return;
      }
      const state = { cancelled: false };
      pending.set(id, state);
      let meta: RequestMeta;
      let result;
      try {
        const headers = { ...baseHeaders, ...lowerCaseHeaders(startAuth) };
        const authResult = await authenticate(headers, authOptions(options, request, realtimeStartRequest(message.payload.data)));
        if (!authResult.ok) {
          log(`realtime start ${id} refused: ${authResult.reason}`);
          sendError(id, [{ errorType: UNAUTHORIZED_EXCEPTION, message: UNAUTHORIZED_MESSAGE }]);
          return;
        }
        meta = { auth: authResult.auth, headers };
        const refusal = options.limits ? checkRequestLimits(startRequest, options.limits) : null;
        if (refusal) {
          sendError(id, errorsForClient(refusal.body.errors ?? []));
          return;
        }
        result = await options.engine.subscribe(startRequest, meta);
      } finally {
        if (pending.get(id) === state) pending.delete(id);
      }
      if (state.cancelled) {
        send({ type: MessageType.Complete, id });
        return;
      }
      if (!result.ok) {
        sendError(id, errorsForClient(result.errors));
        return;
      }
      register(id, result.subscription, meta);
      send({ type: MessageType.StartAck, id });
    }

    function register(id: string, subscription: AcceptedSubscription, meta: RequestMeta): void {
      const payloadOf = options.engine.projector(subscription, meta);
      // The frame as JSON.stringify({ type, id, payload }) writes it, around a payload serialized once per fan-out.
      const framePrefix = `{"type":"${MessageType.Data}","id":${JSON.stringify(id)},"payload":`;
      const framePrefixBytes = Buffer.byteLength(framePrefix) + 1;
      const remove = options.hub.add({
        fieldName: subscription.fieldName,
        args: subscription.args,
        filter: subscription.filter,
        invalidationFilter: subscription.invalidationFilter,
        deliver: (result) => {
          let payload: ProjectedPayload;
          try {
            payload = payloadOf(result);
          } catch (err) {
            log(`realtime projection for ${id} failed: ${err instanceof Error ? err.message : String(err)}`);
            return;
          }
          const size = framePrefixBytes + payload.bytes;
          if (size > maxEventBytes) {
            // AppSync drops an event above its payload quota; the subscriber is told nothing.
            log(`realtime event for ${id} dropped: ${size} bytes > ${maxEventBytes}`);
            return;
          }
          sendText(`${framePrefix}${payload.json}}`);
        },
        invalidate: () => {
          send({ type: MessageType.Complete, id });
          closeWith(CloseCode.Invalidated, 'Subscription invalidated');
        },
      });
      active.set(id, remove);
    }

    function onStop(id: string): void {
      const remove = active.get(id);
      if (remove) {
        remove();
        active.delete(id);
        send({ type: MessageType.Complete, id });
        return;
      }
      const p = pending.get(id);
      if (p) {
        p.cancelled = true; // onStart sends the complete once the resolver returns
        pending.delete(id);
        return;
      }
      send({ type: MessageType.Complete, id }); // stop is idempotent
    }

    return {
      message(raw: unknown): void {
        if (isClosed) return;
        try {
          const message = parseClientMessage(raw);
          switch (message.type) {
            case MessageType.ConnectionInit:
              // A socket closed while authentication was pending must not start a keep-alive timer.
              void authSettled.then(() => {
                if (!isClosed) onInit();
              });
              break;
            case MessageType.Start:
              onStart(message).catch((err: unknown) => {
                if (err instanceof ProtocolError) sendError(err.id, [{ errorType: err.errorType, message: err.message }]);
                else {
                  log(`realtime start ${message.id} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
                  sendError(message.id, [{ errorType: 'InternalFailure', message: 'The subscription could not be started.' }]);
                }
              });
              break;
            case MessageType.Stop:
              onStop(message.id);
              break;
          }
        } catch (err) {
          if (err instanceof ProtocolError) sendError(err.id, [{ errorType: err.errorType, message: err.message }]);
          else {
            log(`realtime message handling failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
            sendError(undefined, [{ errorType: 'InternalFailure', message: 'The message could not be processed.' }]);
          }
        }
      },
      closed: cleanup,
    };
  }

  return {
    opened,
    dispose(): void {
      for (const c of [...live]) c.dispose(CloseCode.GoingAway, 'Server stopping');
    },
    stats() {
      let subscriptions = 0;
      for (const c of live) subscriptions += c.subscriptions();
      return { connections: live.size, subscriptions };
    },
  };
}
