/**
 * Bench helpers on the AppSync realtime protocol: a raw socket (AppSync's `graphql-ws` dialect,
 * `header-` subprotocol auth as Amplify ≥ 6.6 sends it) carrying up to 100 onOrderUpdated
 * subscriptions, and per-order waiters driven by arriving frames (no polling, so the bench's own
 * cost stays flat however many events it has seen).
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { headerProtocol } from '../local/appsync/server/test-kit.js';
import { ON_ORDER_UPDATED } from '../test/integration/operations.js';

export interface OrderEvent {
  readonly orderId: string;
  readonly status: string;
  readonly version: number;
  readonly estimateSource: string | null;
}

/** Called with every event a subscription receives, with its arrival time (performance.now()). */
export type EventListener = (subscriptionId: string, event: OrderEvent, at: number) => void;

export interface RealtimeSocket {
  /** Starts onOrderUpdated with `variables`; resolves on its start_ack, rejects on an error frame. */
  subscribe(variables: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Opens a realtime connection authorized by `token` (a user-pool access token) and waits for its ack. */
export async function openSocket(realtimeUrl: string, graphqlUrl: string, token: string, onEvent: EventListener): Promise<RealtimeSocket> {
  const auth = { Authorization: token, host: new URL(graphqlUrl).host };
  const ws = new WebSocket(realtimeUrl, ['graphql-ws', headerProtocol(auth)]);
  const pending = new Map<string, { resolve: (id: string) => void; reject: (e: Error) => void }>();
  let acked!: () => void;
  let failed!: (e: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    acked = resolve;
    failed = reject;
  });
  ws.on('error', (e) => failed(e));
  ws.on('message', (data) => {
    const at = performance.now();
    const frame = JSON.parse(String(data)) as { type?: string; id?: string; payload?: unknown };
    if (frame.type === 'connection_ack') acked();
    else if (frame.type === 'connection_error') failed(new Error(`connection_error: ${JSON.stringify(frame.payload)}`));
    else if (frame.type === 'start_ack' && frame.id !== undefined) pending.get(frame.id)?.resolve(frame.id);
    else if (frame.type === 'error' && frame.id !== undefined) pending.get(frame.id)?.reject(new Error(JSON.stringify(frame.payload)));
    else if (frame.type === 'data' && frame.id !== undefined) {
      const event = (frame.payload as { data?: { onOrderUpdated?: OrderEvent } }).data?.onOrderUpdated;
      if (event) onEvent(frame.id, event, at);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await ready;
  let ids = 0;
  return {
    subscribe(variables) {
      ids += 1;
      const id = `s${ids}`;
      const answered = new Promise<string>((resolve, reject) => pending.set(id, { resolve, reject }));
      ws.send(
        JSON.stringify({
          id,
          type: 'start',
          payload: { data: JSON.stringify({ query: ON_ORDER_UPDATED, variables }), extensions: { authorization: auth } },
        }),
      );
      return answered.finally(() => pending.delete(id));
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.close();
      await closed;
    },
  };
}

/**
 * Events grouped by order, with waiters: `waitFor(orderId, pred)` resolves with the arrival time
 * of the first matching event for that order (already arrived or still to come).
 */
export class OrderEvents {
  private readonly seen = new Map<string, { event: OrderEvent; at: number }[]>();
  private readonly waiters = new Map<string, { pred: (e: OrderEvent) => boolean; resolve: (at: number) => void }[]>();

  readonly listener: EventListener = (_id, event, at) => {
    let list = this.seen.get(event.orderId);
    if (list === undefined) this.seen.set(event.orderId, (list = []));
    list.push({ event, at });
    const waiting = this.waiters.get(event.orderId);
    if (waiting === undefined) return;
    for (const w of [...waiting]) {
      if (!w.pred(event)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(at);
    }
  };

  waitFor(orderId: string, pred: (e: OrderEvent) => boolean, what: string, timeoutMs = 120_000): Promise<number> {
    const hit = this.seen.get(orderId)?.find((s) => pred(s.event));
    if (hit) return Promise.resolve(hit.at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} event for ${orderId} within ${timeoutMs} ms`)), timeoutMs);
      let list = this.waiters.get(orderId);
      if (list === undefined) this.waiters.set(orderId, (list = []));
      list.push({
        pred,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      });
    });
  }

  /** Forgets an order once its lifecycle is done, so a soak does not grow the bench's own memory. */
  forget(orderId: string): void {
    this.seen.delete(orderId);
    this.waiters.delete(orderId);
  }
}
