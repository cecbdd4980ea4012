/**
 * Thin HTTP adapter for `/graphql`: CORS, AppSync's status codes and bodies, request decoding.
 * Everything GraphQL happens in the engine; this file never answers 5xx for a resolver failure
 * (Amplify retries 5xx, which would repeat mutations).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, lowerCaseHeaders, type AuthConfig } from './auth.js';
import { unauthorizedBody, UNAUTHORIZED_EXCEPTION, type AppSyncResponseBody } from './errors.js';
import { setCorsHeaders, type CorsPolicy } from './cors.js';
import type { AppSyncEngine, OperationRequest } from './execution.js';
import { checkRequestLimits, type LimitContext, type LimitRefusal } from './limits.js';

/** Largest request body accepted, in bytes (AppSync's own limit is not documented as lower). @default 5 MiB */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

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

/** A page on an origin that is not allowed (see cors.ts): refused before anything runs. */
function forbiddenOrigin(res: ServerResponse): void {
  sendJson(
    res,
    403,
    { errors: [{ errorType: 'ForbiddenException', message: 'Origin not allowed.' }] },
    { 'x-amzn-errortype': 'ForbiddenException' },
  );
}

function refuse(res: ServerResponse, refusal: LimitRefusal): void {
  sendJson(res, refusal.status, refusal.body, {
    ...(refusal.errorType === undefined ? {} : { 'x-amzn-errortype': refusal.errorType }),
    ...refusal.headers,
  });
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
  /** Who may call from a browser; null = no browser origin. */
  readonly cors: CorsPolicy | null;
  /** Depth, resolver-count, per-request and introspection limits, checked before the engine runs. */
  readonly limits: LimitContext;
}

/** Handles one request to the GraphQL path (GET, POST or OPTIONS). */
export async function handleGraphQLHttp(req: IncomingMessage, res: ServerResponse, url: URL, options: GraphQLHttpOptions): Promise<void> {
  if (!setCorsHeaders(req, res, options.cors)) {
    req.resume();
    forbiddenOrigin(res);
    return;
  }
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
    modes: options.modes,
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
  const refusal = checkRequestLimits({ ...decoded.request, method: req.method }, options.limits);
  if (refusal) {
    options.log(`${refusal.status} ${req.method} ${url.pathname}: ${refusal.body.errors?.[0]?.message ?? ''}`);
    refuse(res, refusal);
    return;
  }
  sendJson(res, 200, await options.engine.execute(decoded.request, { auth: auth.auth, headers }));
}
