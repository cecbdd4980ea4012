/**
 * `startAppSyncServer`: one HTTP server on loopback serving AppSync's GraphQL endpoint
 * (`/graphql`), its realtime endpoint (`/graphql/realtime`) and an offline GraphiQL explorer;
 * optionally a second, HTTPS listener with the very same request and upgrade handlers (one
 * engine, one subscription hub), for clients that only dial `https://` and `wss://`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FieldResolver } from '../types.js';
import { DEFAULT_AUTH_TYPE, enabledModes, type AuthModes, type IamPrincipal } from './auth.js';
import { AppSyncEngine } from './execution.js';
import { createExplorer, type Explorer } from './explorer.js';
import { allowsUpgrade, localCorsPolicy, setCorsHeaders, type CorsPolicy } from './cors.js';
import { handleGraphQLHttp } from './http.js';
import type { ApiLimits, LimitContext } from './limits.js';
import { makeRealtimeServer } from './realtime.js';
import { buildAppSyncSchema } from './schema.js';
import { SubscriptionHub } from './subscriptions.js';
import { userPoolVerifier, type UserPoolConfig } from './user-pool-auth.js';
import { createWsAdapter } from './ws-adapter.js';

export const GRAPHQL_PATH = '/graphql';
export const REALTIME_PATH = '/graphql/realtime';

export interface AppSyncServerOptions {
  readonly schemaSdl: string;
  /** Keyed `"Type.field"`; every other field resolves by property name. */
  readonly resolvers: ReadonlyMap<string, FieldResolver>;
  readonly apiKeys: readonly string[];
  /** Region a SigV4 credential scope must name. */
  readonly region: string;
  /**
   * The IAM callers the API knows (e.g. auth.ts `LOCAL_IAM_PRINCIPAL`): every SigV4 signature is
   * verified against their secrets; any other access key or signature is refused. [] = no IAM caller.
   */
  readonly iamPrincipals: readonly IamPrincipal[];
  /**
   * Who may call each root field with IAM, keyed `"Mutation.publishOrderUpdate"` → principal ARNs
   * (the local stand-in for `appsync:GraphQL` policies). Omitted, every known principal may call
   * every field its directives open to IAM (small test servers).
   */
  readonly iamGrants?: Readonly<Record<string, readonly string[]>>;
  /**
   * The API's default and additional modes (the manifest's `auth`). A request in another mode is
   * refused with 401; fields without directives are open to the default mode only.
   * @default API_KEY default; AWS_IAM additional; AMAZON_COGNITO_USER_POOLS additional when `userPool` is set
   */
  readonly authModes?: AuthModes;
  /** Verifies AMAZON_COGNITO_USER_POOLS tokens: `Authorization: <id or access token>` of this pool. */
  readonly userPool?: UserPoolConfig;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** Interval of realtime `ka` messages. @default 60000 */
  readonly keepAliveMs?: number;
  /** Time a realtime client has to send `connection_init`. @default 15000 */
  readonly connectionInitTimeoutMs?: number;
  readonly logger?: (line: string) => void;
  /** Serves other pages from the same port; return true when the request was handled. */
  readonly extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /**
   * Serve the GraphiQL explorer at `/graphiql` (bundled once, cached under `.local/`).
   * Tests that do not need it pass false to skip the bundling work. @default true
   */
  readonly explorer?: boolean;
  /** Depth, resolver-count and per-request limits (the manifest's `api` block). @default none */
  readonly limits?: ApiLimits;
  /** Introspection, switchable like AppSync's `introspectionConfig`. @default true */
  readonly introspection?: boolean;
  /**
   * Browser origins allowed, over HTTP and on the realtime socket, besides the server's own
   * (127.0.0.1, localhost, [::1] and `host` on its ports, and the IP address a request was sent
   * to), e.g. an API explorer's (`https://studio.apollographql.com`). @default []
   */
  readonly corsOrigins?: readonly string[];
  /** Subscriptions one realtime connection may hold (AppSync: 100). @default 100 */
  readonly maxSubscriptionsPerConnection?: number;
  /**
   * Also serve everything (API, realtime, explorer, extra routes) over TLS on another port of
   * `host`, with this certificate. @default none (HTTP only)
   */
  readonly tls?: TlsListenerOptions;
}

export interface TlsListenerOptions {
  /** PEM: the server certificate (and any intermediates after it). */
  readonly cert: string;
  /** PEM: its private key. */
  readonly key: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
}

export interface AppSyncServerStats {
  readonly connections: number;
  readonly subscriptions: number;
}

export interface RunningAppSyncServer {
  /** `http://host:port/graphql` */
  readonly url: string;
  /** `ws://host:port/graphql/realtime` */
  readonly realtimeUrl: string;
  readonly port: number;
  /** `http://host:port/` */
  readonly explorerUrl: string;
  /** The TLS listener, when `tls` was given. */
  readonly tls?: {
    /** `https://host:port/graphql` */
    readonly url: string;
    /** `wss://host:port/graphql/realtime` */
    readonly realtimeUrl: string;
    readonly port: number;
  };
  /** Closes sockets, timers and the listener. Idempotent. */
  stop(): Promise<void>;
  /** Live realtime connections and subscriptions. */
  publishStats(): AppSyncServerStats;
}

/** AMAZON_COGNITO_USER_POOLS is a mode of the API but no user pool verifies its tokens. */
export class UserPoolNotConfiguredError extends Error {
  override readonly name = 'UserPoolNotConfiguredError';
  constructor() {
    super('AMAZON_COGNITO_USER_POOLS is an auth mode of the API, but no userPool is configured to verify its tokens');
  }
}

/** A listener could not bind its port; the message says why, for the user. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly host: string,
    readonly port: number,
    what: string,
    code: string | undefined,
  ) {
    super(
      `cannot serve ${what} on ${host}:${port}: ` +
        (code === 'EACCES'
          ? 'permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)'
          : code === 'EADDRINUSE'
            ? 'the port is taken'
            : (code ?? 'unknown error')),
    );
  }
}

/** Listens on `port` of `host`; resolves with the port bound. */
function listen(server: Server, host: string, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(new ListenError(host, port, what, error.code));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const address: AddressInfo | string | null = server.address();
      if (address === null || typeof address === 'string') reject(new Error(`${what} is not listening on a TCP port`));
      else resolve(address.port);
    });
  });
}

/** The modes a server serves: `authModes`, or the defaults its options imply. */
export function serverAuthModes(options: Pick<AppSyncServerOptions, 'authModes' | 'userPool'>): AuthModes {
  if (options.authModes !== undefined) return options.authModes;
  return {
    defaultMode: DEFAULT_AUTH_TYPE,
    additionalModes: options.userPool === undefined ? ['AWS_IAM'] : ['AWS_IAM', 'AMAZON_COGNITO_USER_POOLS'],
  };
}

export async function startAppSyncServer(options: AppSyncServerOptions): Promise<RunningAppSyncServer> {
  const log = options.logger ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const authModes = serverAuthModes(options);
  const modes = enabledModes(authModes);
  if (modes.has('AMAZON_COGNITO_USER_POOLS') && options.userPool === undefined) throw new UserPoolNotConfiguredError();
  const schema = buildAppSyncSchema(options.schemaSdl);
  const hub = new SubscriptionHub(schema);
  const engine = new AppSyncEngine({
    schema,
    resolvers: options.resolvers,
    hub,
    logger: log,
    defaultAuthMode: authModes.defaultMode,
    iamGrants: options.iamGrants,
  });
  const auth = {
    apiKeys: options.apiKeys,
    region: options.region,
    iamPrincipals: options.iamPrincipals,
    modes,
    userPool: options.userPool ? userPoolVerifier(options.userPool) : undefined,
  };
  const limits: LimitContext = {
    schema,
    resolverFields: new Set(options.resolvers.keys()),
    limits: options.limits ?? {},
    introspection: options.introspection ?? true,
  };
  /** Set once the port is known. */
  let cors: CorsPolicy | null = null;
  const realtime = makeRealtimeServer({
    limits,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection,
    engine,
    hub,
    ...auth,
    keepAliveMs: options.keepAliveMs,
    connectionInitTimeoutMs: options.connectionInitTimeoutMs,
    logger: log,
  });
  const ws = createWsAdapter(realtime, log);
  let explorer: Explorer | null = null;

  const handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const fail = (err: unknown): void => {
      log(`http ${req.method ?? ''} ${url.pathname} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) {
        // A bug in this server, not a resolver failure (those are 200s).
        res.writeHead(500, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify({ errors: [{ errorType: 'InternalFailure', message: 'Internal server error.' }] }));
      } else res.destroy();
    };
    try {
      if (url.pathname === GRAPHQL_PATH || url.pathname === `${GRAPHQL_PATH}/`) {
        handleGraphQLHttp(req, res, url, { engine, ...auth, log, cors, limits }).catch(fail);
        return;
      }
      if (explorer?.handle(req, res, url)) return;
      if (options.extraRoutes?.(req, res)) return;
      setCorsHeaders(req, res, cors);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
    } catch (err) {
      fail(err);
    }
  };
  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === REALTIME_PATH || path === `${REALTIME_PATH}/`) {
      // A browser page on another origin may not open the socket (browsers send Origin on every
      // WebSocket handshake and enforce no CORS on it); clients that are not pages send none.
      if (!allowsUpgrade(req, cors)) {
        log(`realtime upgrade refused: origin ${String(req.headers.origin)} not allowed`);
        socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      ws.handleUpgrade(req, socket, head);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  };
  const servers: Server[] = [createServer(handleRequest)];
  const close = () =>
    Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  servers[0]!.on('upgrade', handleUpgrade);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let port: number;
  let tls: RunningAppSyncServer['tls'];
  try {
    port = await listen(servers[0]!, host, options.port ?? 0, 'HTTP');
    if (options.tls !== undefined) {
      const secure = createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handleRequest);
      secure.on('upgrade', handleUpgrade);
      servers.push(secure);
      const tlsPort = await listen(secure, host, options.tls.port ?? 0, 'HTTPS');
      const tlsOrigin = tlsPort === 443 ? hostPart : `${hostPart}:${tlsPort}`;
      tls = { url: `https://${tlsOrigin}${GRAPHQL_PATH}`, realtimeUrl: `wss://${tlsOrigin}${REALTIME_PATH}`, port: tlsPort };
    }
  } catch (error) {
    realtime.dispose();
    await ws.close();
    await close();
    throw error;
  }
  const origin = `${hostPart}:${port}`;
  const url = `http://${origin}${GRAPHQL_PATH}`;
  const tlsOrigins =
    tls === undefined ? [] : ['127.0.0.1', 'localhost', '[::1]', hostPart].map((h) => new URL(`https://${h}:${tls.port}`).origin);
  cors = localCorsPolicy(port, [`http://${origin}`, ...tlsOrigins, ...(options.corsOrigins ?? [])]);
  if (options.explorer !== false)
    explorer = createExplorer({ graphqlUrl: url, realtimeUrl: `ws://${origin}${REALTIME_PATH}`, apiKey: options.apiKeys[0] ?? '', log });

  let stopping: Promise<void> | null = null;
  return {
    url,
    realtimeUrl: `ws://${origin}${REALTIME_PATH}`,
    port,
    explorerUrl: `http://${origin}/graphiql`,
    ...(tls === undefined ? {} : { tls }),
    publishStats: () => realtime.stats(),
    stop() {
      stopping ??= (async () => {
        realtime.dispose();
        await ws.close();
        await explorer?.dispose();
        await close();
      })();
      return stopping;
    },
  };
}
