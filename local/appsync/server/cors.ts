/**
 * CORS for the local API: only the server's own origins (127.0.0.1, localhost and [::1] on its
 * port) and origins configured explicitly may call it from a browser. Any other page a developer
 * visits gets no CORS headers (so the browser blocks it) and a 403 (so a simple request does
 * nothing either), although the local API key is well known.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What Amplify sends (API key, SigV4, user agent), plus Apollo Client's client-awareness headers. */
export const CORS_ALLOW_HEADERS = [
  'x-api-key',
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-user-agent',
  'x-amz-content-sha256',
  'content-type',
  'apollographql-client-name',
  'apollographql-client-version',
].join(', ');

export interface CorsPolicy {
  /** True for a request without Origin (not a browser page) or from an allowed origin. */
  allows(origin: string | undefined): boolean;
}

/** The server's own origins on `port`, plus `extra` (e.g. an API explorer's origin). */
export function localCorsPolicy(port: number, extra: readonly string[] = []): CorsPolicy {
  const allowed = new Set([
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    `http://[::1]:${port}`,
    ...extra.map((o) => o.replace(/\/+$/, '')),
  ]);
  return { allows: (origin) => origin === undefined || allowed.has(origin) };
}

/**
 * Sets the CORS headers for an allowed origin; returns false (and sets none) for another origin.
 * @param policy null while the server is not yet listening: no origin is allowed then.
 */
export function setCorsHeaders(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy | null): boolean {
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  res.setHeader('vary', 'origin');
  if (origin === undefined) return true;
  if (policy === null || !policy.allows(origin)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-allow-headers', CORS_ALLOW_HEADERS);
  res.setHeader('access-control-expose-headers', 'x-amzn-errortype, x-amzn-requestid');
  res.setHeader('access-control-max-age', '600');
  return true;
}
