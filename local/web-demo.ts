/**
 * Serves the React web demo (web-demo/) from the AppSync server's port, so the demo, its
 * `/amplify-config.json` and the GraphQL API share one origin (no CDN, nothing but loopback;
 * the user pool is the one other origin, on its own loopback port). The app is bundled once, in memory, when `webDemoRoutes()` is called; requests
 * are answered from that bundle (gzip when the browser accepts it, ETag revalidation).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildFailure, type Message } from 'esbuild';

export type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface WebDemoOptions {
  /** The web demo's folder (index.html, src/main.tsx). @default <repo>/web-demo */
  readonly dir?: string;
  /** Minified production bundle; off gives readable output for debugging. @default true */
  readonly minify?: boolean;
}

export interface WebDemoAsset {
  readonly contentType: string;
  readonly body: Buffer;
  readonly gzipped: Buffer;
  readonly etag: string;
}

/** The demo failed to bundle; the message lists esbuild's errors with file:line. */
export class WebDemoBuildError extends Error {
  override readonly name = 'WebDemoBuildError';
}

const DEFAULT_DIR = resolve(fileURLToPath(new URL('../web-demo', import.meta.url)));
/** The bundle's URL prefix; index.html refers to `${ASSET_PREFIX}app.js` and `app.css`. */
export const ASSET_PREFIX = '/web-demo/';

/**
 * Loopback only: the app talks to the server that served it and to the local user pool, which
 * listens on another loopback port (Amplify Auth's `userPoolEndpoint`). Both loopback names are
 * listed, so a page opened at localhost reaches the API and user pool that amplify-config.json
 * names at 127.0.0.1 (and the other way round). `'self'` covers ws:// on the same host and port
 * in CSP Level 3; the explicit ws: sources cover the other loopback name.
 */
const LOOPBACK_SOURCES = ['http://127.0.0.1:*', 'ws://127.0.0.1:*', 'http://localhost:*', 'ws://localhost:*'];
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `connect-src 'self' ${LOOPBACK_SOURCES.join(' ')}`,
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function asset(contentType: string, body: Buffer): WebDemoAsset {
  return { contentType, body, gzipped: gzipSync(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

function formatMessages(messages: readonly Message[]): string {
  return messages
    .map((m) => (m.location === null ? m.text : `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}`))
    .join('\n');
}

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && 'errors' in error && Array.isArray(error.errors);
}

/** Bundles the demo in memory; the map's keys are request paths ("/", "/web-demo/app.js", …). */
export async function buildWebDemo(options: WebDemoOptions = {}): Promise<ReadonlyMap<string, WebDemoAsset>> {
  const dir = options.dir ?? DEFAULT_DIR;
  let result;
  try {
    result = await build({
      entryPoints: { app: join(dir, 'src', 'main.tsx') },
      bundle: true,
      write: false,
      outdir: join(dir, 'dist'),
      platform: 'browser',
      format: 'esm',
      target: ['es2022'],
      jsx: 'automatic',
      minify: options.minify ?? true,
      define: { 'process.env.NODE_ENV': '"production"' },
      legalComments: 'none',
      logLevel: 'silent',
    });
  } catch (error) {
    if (isBuildFailure(error)) throw new WebDemoBuildError(`web demo bundle failed:\n${formatMessages(error.errors)}`);
    throw error;
  }
  const assets = new Map<string, WebDemoAsset>();
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    const type = name.endsWith('.js') ? 'text/javascript; charset=utf-8' : name.endsWith('.css') ? 'text/css; charset=utf-8' : null;
    if (type !== null) assets.set(`${ASSET_PREFIX}${name}`, asset(type, Buffer.from(file.contents)));
  }
  for (const required of ['app.js', 'app.css']) {
    if (!assets.has(`${ASSET_PREFIX}${required}`)) throw new WebDemoBuildError(`web demo bundle produced no ${required}`);
  }
  const html = asset('text/html; charset=utf-8', await readFile(join(dir, 'index.html')));
  assets.set('/', html);
  assets.set('/index.html', html);
  return assets;
}

function serve(req: IncomingMessage, res: ServerResponse, file: WebDemoAsset): void {
  const headers: Record<string, string> = {
    'content-type': file.contentType,
    // Revalidate every time: the bundle changes whenever the stack restarts with new code.
    'cache-control': 'no-cache',
    etag: file.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    'content-security-policy': CONTENT_SECURITY_POLICY,
  };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = gzip ? file.gzipped : file.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Bundles the demo (once, now) and returns a route for the AppSync server's `extraRoutes`:
 * it answers GET/HEAD for "/", "/index.html" and the bundle, and returns false for anything
 * else (the API, the explorer, /amplify-config.json).
 */
export async function webDemoRoutes(options: WebDemoOptions = {}): Promise<ExtraRoute> {
  const assets = await buildWebDemo(options);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const file = assets.get(path);
    if (file === undefined) return false;
    serve(req, res, file);
    return true;
  };
}
