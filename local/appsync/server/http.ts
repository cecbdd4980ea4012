/**
 * Thin HTTP adapter for `/graphql`: CORS, AppSync's status codes and bodies, request decoding.
 * Everything GraphQL happens in the engine; this file never answers 5xx for a resolver failure
 * (Amplify retries 5xx, which would repeat mutations).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, lowerCaseHeaders, type AuthConfig } from './auth.js';
import { unauthorizedBody, UNAUTHORIZED_EXCEPTION, type AppSyncResponseBody } from './errors.js';
import type { AppSyncEngine, OperationRequest } from './execution.js';

/** Largest request body accepted, in bytes (AppSync's own limit is not documented as lower). @default 5 MiB */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

const CORS_ALLOW_HEADERS =
  'x-api-key, authorization, x-amz-date, x-amz-security-token, x-amz-user-agent, content-type, x-amz-content-sha256';

/** Lets a browser app on another localhost port call the API. */
export function setCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  res.setHeader('access-control-allow-origin', typeof origin === 'string' ? origin : '*');
  res.setHeader('vary', 'origin');
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-allow-headers', CORS_ALLOW_HEADERS);
  res.setHeader('access-control-expose-headers', 'x-amzn-errortype, x-amzn-requestid');
  res.setHeader('access-control-max-age', '600');
}

function sendJson(res: ServerResponse, status: number, body: AppSyncResponseBody, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...extraHeaders,
  });
  res.end(text);
}

function malformed(res: ServerResponse, message: string): void {
  sendJson(
    res,
    400,
    { errors: [{ message, errorType: 'MalformedHttpRequestException' }] },
    { 'x-amzn-errortype': 'MalformedHttpRequestException' },
  );
}

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type Decoded = { ok: true; request: OperationRequest } | { ok: false; message: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const UNPARSEABLE = 'Unable to parse GraphQL query.';

/** `{query, variables?, operationName?}` from a JSON value; anything else is unparseable. */
function fromJson(value: unknown): Decoded {
  if (!isRecord(value) || typeof value['query'] !== 'string' || value['query'].trim() === '') return { ok: false, message: UNPARSEABLE };
  const variables = value['variables'];
  if (variables !== undefined && variables !== null && !isRecord(variables)) return { ok: false, message: UNPARSEABLE };
  const operationName = value['operationName'];
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    return { ok: false, message: UNPARSEABLE };
  return {
    ok: true,
    request: { query: value['query'], variables: isRecord(variables) ? variables : {}, operationName: operationName ?? null },
  };
}

function decodeBody(contentType: string, body: string): Decoded {
  if (body.trim() === '') return { ok: false, message: 'Request body is empty.' };
  if (contentType.startsWith('application/graphql')) return { ok: true, request: { query: body, variables: {}, operationName: null } };
  try {
    return fromJson(JSON.parse(body));
  } catch {
    return { ok: false, message: UNPARSEABLE };
  }
}

function decodeQueryString(url: URL): Decoded {
  const query = url.searchParams.get('query');
  if (query === null || query.trim() === '') return { ok: false, message: UNPARSEABLE };
  const variablesText = url.searchParams.get('variables');
  let variables: unknown = {};
  if (variablesText !== null && variablesText !== '') {
    try {
      variables = JSON.parse(variablesText);
    } catch {
      return { ok: false, message: UNPARSEABLE };
    }
  }
  return fromJson({ query, variables, operationName: url.searchParams.get('operationName') });
}

export interface GraphQLHttpOptions extends AuthConfig {
  readonly engine: AppSyncEngine;
  readonly log: (line: string) => void;
}

/** Handles one request to the GraphQL path (GET, POST or OPTIONS). */
export async function handleGraphQLHttp(req: IncomingMessage, res: ServerResponse, url: URL, options: GraphQLHttpOptions): Promise<void> {
  setCorsHeaders(req, res);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'content-length': '0' });
    res.end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST, OPTIONS', 'content-length': '0' });
    res.end();
    return;
  }
  const headers = lowerCaseHeaders(req.headers);
  delete headers['cookie'];
  // The body is read before authentication: a SigV4 signature covers it.
  let body = '';
  if (req.method === 'POST') {
    try {
      body = await readBody(req);
    } catch (err) {
      malformed(res, err instanceof BodyTooLargeError ? 'Request body is too large.' : 'Request body could not be read.');
      return;
    }
  }
  const auth = await authenticate(headers, {
    apiKeys: options.apiKeys,
    region: options.region,
    iamPrincipals: options.iamPrincipals,
    userPool: options.userPool,
    now: options.now,
    remoteAddress: req.socket.remoteAddress,
    request: { method: req.method, path: url.pathname, query: url.search.slice(1), body },
  });
  if (!auth.ok) {
    options.log(`401 ${req.method} ${url.pathname}: ${auth.reason}`);
    sendJson(res, 401, unauthorizedBody(), { 'x-amzn-errortype': UNAUTHORIZED_EXCEPTION });
    return;
  }
  const decoded =
    req.method === 'GET' ? decodeQueryString(url) : decodeBody((headers['content-type'] ?? 'application/json').toLowerCase(), body);
  if (!decoded.ok) {
    malformed(res, decoded.message);
    return;
  }
  sendJson(res, 200, await options.engine.execute(decoded.request, { auth: auth.auth, headers }));
}
