/**
 * The AWS JSON 1.0 / 1.1 wire protocol, shared by the local emulators (Step Functions speaks 1.0,
 * SSM 1.1): `POST /` with `X-Amz-Target: <prefix><Operation>` and a JSON object body; answers
 * `application/x-amz-json-<version>`. Errors are `{"__type": "<Code>", "message": "..."}` with the
 * same code in the `x-amzn-errortype` header, which is how the SDK v3 picks its exception class.
 * Requests are not SigV4-verified (any credentials work) unless `authorize` verifies them.
 *
 * Optional extras: `documents` serves fixed JSON documents on `GET <path>` (e.g. an OpenID
 * issuer's `/.well-known/*`); `cors` answers the `OPTIONS` preflight (204) and adds CORS headers
 * for any origin (`true`) or for the origins a policy allows, for a browser app on loopback
 * (another origin gets no CORS headers and a 403 `ForbiddenException`, so not even a simple
 * request runs); `authorize` sees each request before its operation runs and may refuse it.
 *
 * Protocol errors the server answers itself (a handler never sees these requests):
 *
 * | request                         | status | `__type`                  |
 * | ------------------------------- | ------ | ------------------------- |
 * | not `POST` nor a document `GET` | 404    | UnknownOperationException |
 * | body over `maxBodyBytes`        | 413    | ValidationException       |
 * | target not in `operations`      | 400    | UnknownOperationException |
 * | body not JSON / not an object   | 400    | SerializationException    |
 * | origin the `cors` policy refuses| 403    | ForbiddenException        |
 * | refused by `authorize`          | its    | its code                  |
 * | handler throws an unmapped error| 500    | `internalErrorCode`       |
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { describeError } from './errors.js';

/** An error as the service answers it: `code` becomes `__type` and `x-amzn-errortype`. */
export interface AwsErrorResponse {
  readonly code: string;
  readonly message: string;
  /** @default 400 */
  readonly status?: number;
}

/**
 * Which browser pages may call, judged from the request (its Origin, and its Host for a rule such
 * as local/appsync/server/cors.ts's own-address one); a request without `Origin` (not a page) is
 * always allowed.
 */
export interface CorsOriginPolicy {
  allows(req: IncomingMessage): boolean;
}

/** A request as a signature covers it: what `authorize` is given. */
export interface AwsJsonRequest {
  /** The operation named by `X-Amz-Target` (one of `operations`). */
  readonly operation: string;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly method: string;
  /** Still percent-encoded, without the query. */
  readonly path: string;
  /** Without `?`; '' for none. */
  readonly query: string;
  /** The body exactly as received (UTF-8). */
  readonly body: string;
  readonly remoteAddress: string | undefined;
}

/** One operation: the parsed request object in, the response object out. */
export type AwsJsonOperation<Request = Record<string, unknown>> = (request: Request) => unknown;

export interface AwsJsonServerOptions<Request extends Record<string, unknown>> {
  /** Named in log lines and in the UnknownOperationException message, e.g. `Step Functions`. */
  readonly service: string;
  /** Prefixes log lines as `[<logTag>] ...`. @default service */
  readonly logTag?: string;
  /** `1.0` or `1.1`: only the content type differs. */
  readonly protocol: '1.0' | '1.1';
  /** `X-Amz-Target` prefix, with its dot, e.g. `AWSStepFunctions.` */
  readonly targetPrefix: string;
  /** Operation name (the target after the prefix) → handler. */
  readonly operations: ReadonlyMap<string, AwsJsonOperation<Request>>;
  /**
   * Maps what a handler threw to the service's error response; `undefined` = an unexpected
   * error, logged with its stack and answered 500 `internalErrorCode` without its text.
   */
  readonly toErrorResponse: (error: unknown) => AwsErrorResponse | undefined;
  /** Refines the parsed body; `undefined` = not a valid request object (SerializationException). */
  readonly parseRequest: (body: unknown) => Request | undefined;
  /**
   * `GET <path>` → the JSON document to answer (`application/json`), given this server's `url`
   * (documents may name it, and it is only known once listening). @default none
   */
  readonly documents?: ReadonlyMap<string, (url: string) => unknown>;
  /**
   * Answer `OPTIONS` preflights with 204, allowing whatever request headers the preflight asks
   * for, and add CORS headers to every response: for any origin (`true`), or for the origins the
   * policy allows (each named in `access-control-allow-origin`; others are refused). @default false
   */
  readonly cors?: boolean | CorsOriginPolicy;
  /**
   * Checks a request before its operation runs (e.g. a SigV4 signature); an answer refuses it
   * with that error. @default every request is let through
   */
  readonly authorize?: (request: AwsJsonRequest) => AwsErrorResponse | undefined;
  /** @default 'InternalFailure' */
  readonly internalErrorCode?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 = a free port. @default 0 */
  readonly port?: number;
  /** Requests with a larger body are refused (413). @default 1 MiB */
  readonly maxBodyBytes?: number;
  readonly logger?: (line: string) => void;
  /**
   * Also serve the same handler over HTTPS on another port of `host`, with this certificate.
   * Documents are still given the plain `url` (an issuer named in them stays one). @default none
   */
  readonly tls?: { readonly cert: string; readonly key: string; /** 0 = a free port. @default 0 */ readonly port?: number };
}

export interface AwsJsonServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** e.g. `https://127.0.0.1:41235`, when `tls` was given. */
  readonly tlsUrl?: string;
  /** Closes the listeners and every open connection; later calls return the same promise. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, x-amz-target, x-amz-user-agent, cache-control, authorization',
  'access-control-expose-headers': 'x-amzn-errortype, x-amzn-requestid',
  'access-control-max-age': '600',
};

export async function startAwsJsonServer<Request extends Record<string, unknown>>(
  options: AwsJsonServerOptions<Request>,
): Promise<AwsJsonServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? (() => undefined);
  const log = (line: string) => logger(`[${options.logTag ?? options.service}] ${line}`);
  const contentType = `application/x-amz-json-${options.protocol}`;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const cors = options.cors ?? false;
  /** The CORS headers for this request's origin; null when a policy refuses that origin. */
  const corsHeadersFor = (req: IncomingMessage): Readonly<Record<string, string>> | null => {
    if (cors === false) return {};
    if (cors === true) return { ...CORS_HEADERS, 'access-control-allow-origin': '*' };
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (origin !== undefined && !cors.allows(req)) return null;
    return origin === undefined ? { vary: 'origin' } : { ...CORS_HEADERS, 'access-control-allow-origin': origin, vary: 'origin' };
  };
  const documents = options.documents ?? new Map<string, (url: string) => unknown>();
  let url = '';

  const send = (res: ServerResponse, status: number, body: unknown, errorType?: string, type = contentType): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...(corsHeadersFor(res.req) ?? {}),
      'content-type': type,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    });
    res.end(text);
  };
  const sendError = (res: ServerResponse, error: AwsErrorResponse): void =>
    send(res, error.status ?? 400, { __type: error.code, message: error.message }, error.code);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const corsHeaders = corsHeadersFor(req);
    if (corsHeaders === null) {
      req.resume();
      log(`refused a request from origin ${String(req.headers.origin)}`);
      sendError(res, { code: 'ForbiddenException', message: 'Origin not allowed.', status: 403 });
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      if (req.method === 'OPTIONS' && cors !== false) {
        const requested = req.headers['access-control-request-headers'];
        res.writeHead(204, { ...corsHeaders, ...(typeof requested === 'string' ? { 'access-control-allow-headers': requested } : {}) });
        res.end();
        return;
      }
      const document = req.method === 'GET' ? documents.get(new URL(req.url ?? '/', 'http://path.only').pathname) : undefined;
      if (document !== undefined) {
        send(res, 200, document(url), undefined, 'application/json');
        return;
      }
      const served = documents.size === 0 ? 'Only POST / is served.' : "Only POST / and GET of this endpoint's documents are served.";
      sendError(res, { code: 'UnknownOperationException', message: served, status: 404 });
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      sendError(res, { code: 'ValidationException', message: 'The request body is too large.', status: 413 });
      return;
    }
    const target = req.headers['x-amz-target'];
    const name =
      typeof target === 'string' && target.startsWith(options.targetPrefix) ? target.slice(options.targetPrefix.length) : undefined;
    const operation = name === undefined ? undefined : options.operations.get(name);
    if (operation === undefined) {
      log(`unsupported operation ${String(target)}`);
      sendError(res, {
        code: 'UnknownOperationException',
        message: `The local ${options.service} endpoint does not support ${String(target)}.`,
      });
      return;
    }
    const requestUrl = new URL(req.url ?? '/', 'http://path.only');
    const refused = options.authorize?.({
      operation: name ?? '',
      headers: req.headers,
      method: req.method,
      path: (req.url ?? '/').split('?')[0] ?? '/',
      query: requestUrl.search.replace(/^\?/, ''),
      body,
      remoteAddress: req.socket.remoteAddress,
    });
    if (refused !== undefined) {
      log(`refused ${name ?? ''}: ${refused.code} (${refused.message})`);
      sendError(res, refused);
      return;
    }
    const request = body.trim() === '' ? options.parseRequest({}) : parseRequest(body, options.parseRequest);
    if (request === undefined) {
      sendError(res, { code: 'SerializationException', message: 'The request body is not a JSON object.' });
      return;
    }
    let output: unknown;
    try {
      output = await operation(request);
    } catch (error) {
      const response = options.toErrorResponse(error);
      if (response === undefined) throw error;
      sendError(res, response);
      return;
    }
    send(res, 200, output ?? {});
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${error instanceof Error ? (error.stack ?? describeError(error)) : String(error)}`);
      if (res.headersSent) res.destroy();
      else
        sendError(res, {
          code: options.internalErrorCode ?? 'InternalFailure',
          message: `Internal error in the local ${options.service} endpoint.`,
          status: 500,
        });
    });
  };
  const servers: Server[] = [createServer(onRequest)];
  if (options.tls !== undefined) servers.push(createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest));
  const close = () =>
    Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve, reject) => {
            server.close((error) => (error ? reject(error) : resolve()));
            server.closeAllConnections();
          }),
      ),
    ).then(() => undefined);
  const origin = (port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;
  let tlsUrl: string | undefined;
  try {
    url = `http://${origin(await listen(servers[0]!, host, options.port ?? 0, options.service))}`;
    if (servers[1] !== undefined) tlsUrl = `https://${origin(await listen(servers[1], host, options.tls?.port ?? 0, options.service))}`;
  } catch (error) {
    await Promise.allSettled(servers.filter((server) => server.listening).map((server) => new Promise((resolve) => server.close(resolve))));
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    ...(tlsUrl === undefined ? {} : { tlsUrl }),
    close() {
      closing ??= close();
      return closing;
    },
  };
}

/** Listens on `host:port`; resolves with the port bound. */
async function listen(server: Server, host: string, port: number, service: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`the local ${service} endpoint has no TCP address`);
  return address.port;
}

function parseRequest<Request>(body: string, refine: (body: unknown) => Request | undefined): Request | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  return refine(parsed);
}

/** The body as UTF-8, or `undefined` when it exceeds `maxBytes` (the rest is drained, not kept). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
