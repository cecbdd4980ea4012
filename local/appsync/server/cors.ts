/**
 * Browser origins of the local API (HTTP and the realtime socket alike): only the server's own
 * origins and origins configured explicitly (e.g. the Apollo explorer's) may call it from a
 * browser. Any other page a developer visits gets no CORS headers (so the browser blocks it), a
 * 403 (so a simple request does nothing either) and no realtime socket, although the local API
 * key is well known. AppSync itself has no such setting (any origin may call a deployed API; its
 * authorization is what protects it): this is the local stack's own protection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface CorsPolicy {
  /**
   * True for a request without Origin (not a browser page), from one of the server's own
   * origins, or from an origin allowed explicitly.
   */
  allows(req: IncomingMessage): boolean;
}

function originOf(req: IncomingMessage): string | undefined {
  return typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
}

/**
 * Whether `origin` is the very scheme, IP address and port the request was sent to (its Host):
 * a page the server itself served at that address (the web demo or explorer opened at a LAN
 * address or through a forwarded port), or React Native's socket, which names the URL it dials as
 * its Origin. Only an IP address counts: a page on a DNS name can point that name here (DNS
 * rebinding), so names are allowed only by the explicit list.
 */
function isOwnAddress(origin: string, req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host === undefined) return false;
  const scheme = (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  let page: URL;
  let target: URL;
  try {
    page = new URL(origin);
    target = new URL(`${scheme}://${host}`);
  } catch {
    return false;
  }
  return page.origin === origin && page.origin === target.origin && isIP(page.hostname.replace(/^\[|\]$/g, '')) !== 0;
}

/** The server's own origins on `port` (127.0.0.1, localhost, [::1]), its IP addresses as requested, plus `extra`. */
export function localCorsPolicy(port: number, extra: readonly string[] = []): CorsPolicy {
  const allowed = new Set([
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    `http://[::1]:${port}`,
    ...extra.map((o) => o.replace(/\/+$/, '')),
  ]);
  return {
    allows(req) {
      const origin = originOf(req);
      return origin === undefined || allowed.has(origin) || isOwnAddress(origin, req);
    },
  };
}

/** A header name (RFC 9110 token), as a preflight may list it. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The headers a preflight asks for (`Access-Control-Request-Headers`), lower-cased; malformed names dropped. */
function requestedHeaders(req: IncomingMessage): string[] {
  const asked = req.headers['access-control-request-headers'];
  if (typeof asked !== 'string') return [];
  return asked
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => HEADER_NAME.test(h));
}

/**
 * Sets the CORS headers for an allowed origin (a preflight is allowed the headers it asks for);
 * returns false, and sets none, for another origin.
 * @param policy null while the server is not yet listening: no origin is allowed then.
 */
export function setCorsHeaders(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy | null): boolean {
  const origin = originOf(req);
  const preflight = req.method === 'OPTIONS';
  res.setHeader('vary', preflight ? 'origin, access-control-request-headers' : 'origin');
  if (origin === undefined) return true;
  if (policy === null || !policy.allows(req)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', 'x-amzn-errortype, x-amzn-requestid');
  if (preflight) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    const headers = requestedHeaders(req);
    if (headers.length > 0) res.setHeader('access-control-allow-headers', headers.join(', '));
    res.setHeader('access-control-max-age', '600');
  }
  return true;
}

/** Whether an upgrade to the realtime socket may proceed: as `policy.allows`, and no browser origin before the server listens. */
export function allowsUpgrade(req: IncomingMessage, policy: CorsPolicy | null): boolean {
  return policy === null ? originOf(req) === undefined : policy.allows(req);
}
