/** Thin `ws` adapter: upgrades `/graphql/realtime`, selects `graphql-ws`, feeds frames to the core. */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { lowerCaseHeaders } from './auth.js';
import { GRAPHQL_WS_PROTOCOL } from './protocol.js';
import type { RealtimeServer } from './realtime.js';

/** Largest frame accepted from a client, in bytes. AppSync caps messages far lower. @default 1 MiB */
export const MAX_FRAME_BYTES = 1024 * 1024;

export interface WsAdapter {
  /** Completes an upgrade for the realtime path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export function createWsAdapter(core: RealtimeServer, log: (line: string) => void): WsAdapter {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Never echo the `header-…` protocol: it carries credentials and is not a protocol.
    handleProtocols: (protocols) => (protocols.has(GRAPHQL_WS_PROTOCOL) ? GRAPHQL_WS_PROTOCOL : false),
  });

  function connected(ws: WebSocket, req: IncomingMessage, socket: Duplex): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Frames sent in one turn of the event loop (a fan-out delivers an event to every matching
    // subscription synchronously) leave in one write rather than one system call each.
    let corked = false;
    const handle = core.opened(
      {
        send: (text) => {
          if (ws.readyState !== ws.OPEN) return;
          if (!corked) {
            corked = true;
            socket.cork();
            process.nextTick(() => {
              corked = false;
              socket.uncork();
            });
          }
          ws.send(text);
        },
        close: (code, reason) => ws.close(code, reason),
      },
      {
        headers: lowerCaseHeaders(req.headers),
        protocols: offeredProtocols(req),
        queryHeader: url.searchParams.get('header'),
        remoteAddress: req.socket.remoteAddress,
      },
    );
    ws.on('message', (data: RawData, isBinary: boolean) => {
      handle.message(
        isBinary
          ? data
          : Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Array.isArray(data)
              ? Buffer.concat(data).toString('utf8')
              : Buffer.from(data).toString('utf8'),
      );
    });
    ws.on('close', () => handle.closed());
    ws.on('error', (err) => {
      log(`realtime socket error: ${err.message}`);
      handle.closed();
    });
  }

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => connected(ws, req, socket));
    },
    close() {
      for (const client of wss.clients) client.terminate();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
