/**
 * The offline GraphiQL explorer. GraphiQL, React and Monaco (with its three language workers)
 * are bundled once with esbuild into `.local/appsync-explorer/<hash>/` (git-ignored) and served
 * from this server: no CDN. The cache key covers the entry source and the versions of every
 * bundled package, so a restart reuses the bundle and an upgrade rebuilds it. Bundling starts
 * when the server starts and is shared by every server in the process.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');
const require = createRequire(import.meta.url);

/** The files a bundle consists of, as served under `/graphiql/assets/`. */
const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'editor.worker.js': 'text/javascript; charset=utf-8',
  'json.worker.js': 'text/javascript; charset=utf-8',
  'graphql.worker.js': 'text/javascript; charset=utf-8',
};

const INTRO = `# Local AppSync explorer: queries and mutations go over HTTP, subscriptions over AppSync's
# realtime protocol on ${'${realtime}'}.
# Sign in above (a demo account or your own): requests then carry your access token.
# Signed out they carry the API key, which serves listStores only.
# The other tabs hold the README's example operations, one tab per party.
`;

/** The README's example operations (client/operations.graphql; a test keeps the two equal). */
export const EXAMPLE_OPERATIONS_FILE = join(repoRoot, 'client', 'operations.graphql');

/**
 * The explorer's tabs: the example operations split at each party's `# as …`/`# anyone` comment,
 * the signed-out section first (it works before anyone signs in), with the intro above it.
 * Without the file (a trimmed checkout), one tab with the store list.
 */
export function exampleTabs(operations: string | undefined, realtimeUrl: string): { query: string }[] {
  const intro = INTRO.replace('${realtime}', realtimeUrl);
  const sections = (operations ?? '')
    .split(/\n(?=# )/)
    .map((section) => section.trim())
    .filter((section) => /\b(query|mutation|subscription)\b/.test(section));
  if (sections.length === 0) return [{ query: `${intro}{\n  listStores {\n    storeId\n    name\n  }\n}\n` }];
  const signedOut = sections.findIndex((section) => section.startsWith('# anyone'));
  const ordered = signedOut < 0 ? sections : [sections[signedOut]!, ...sections.filter((_, i) => i !== signedOut)];
  return ordered.map((section, i) => ({ query: `${i === 0 ? intro : ''}${section}\n` }));
}

function readExampleOperations(): string | undefined {
  try {
    return readFileSync(EXAMPLE_OPERATIONS_FILE, 'utf8');
  } catch {
    return undefined;
  }
}

export interface ExplorerOptions {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly apiKey: string;
  readonly log: (line: string) => void;
  /** @default <repo>/.local/appsync-explorer */
  readonly cacheRoot?: string;
}

export interface Explorer {
  /** Serves `/graphiql` and `/graphiql/assets/*`; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  /** Resolves when the bundle is on disk (rejects if bundling failed). */
  readonly ready: Promise<string>;
  dispose(): Promise<void>;
}

export class ExplorerBundleError extends Error {
  override readonly name = 'ExplorerBundleError';
}

function packageVersion(name: string): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const bundles = new Map<string, Promise<string>>();

/** Builds (or finds) the bundle; one build per cache folder per process. Returns its folder. */
export function ensureExplorerBundle(cacheRoot: string, log: (line: string) => void): Promise<string> {
  const existing = bundles.get(cacheRoot);
  if (existing) return existing;
  const promise = (async () => {
    const entry = join(here, 'explorer-app.tsx');
    const hash = createHash('sha256');
    hash.update(await readFile(entry));
    for (const name of [
      'graphiql',
      '@graphiql/react',
      'react',
      'react-dom',
      'graphql',
      'monaco-editor',
      'monaco-graphql',
      'aws-amplify',
      'esbuild',
    ]) {
      hash.update(`${name}@${packageVersion(name)}\n`);
    }
    const dir = join(cacheRoot, hash.digest('hex').slice(0, 16));
    if (Object.keys(ASSETS).every((f) => existsSync(join(dir, f)))) return dir;
    const started = Date.now();
    const { build } = await import('esbuild');
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    try {
      await build({
        absWorkingDir: repoRoot,
        entryPoints: {
          app: entry,
          'editor.worker': require.resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
          'json.worker': require.resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
          'graphql.worker': require.resolve('monaco-graphql/esm/graphql.worker.js'),
        },
        outdir: tmp,
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        minify: false, // halves the one-time build (~2 s); size does not matter on loopback
        jsx: 'automatic',
        legalComments: 'none',
        logLevel: 'silent',
        loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.svg': 'dataurl' },
        define: { 'process.env.NODE_ENV': '"production"' },
      });
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw new ExplorerBundleError(`GraphiQL bundle failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!existsSync(join(tmp, 'app.css'))) await writeFile(join(tmp, 'app.css'), '');
    try {
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    } catch (err) {
      // Another process finished the same bundle first; theirs is identical.
      await rm(tmp, { recursive: true, force: true });
      if (!Object.keys(ASSETS).every((f) => existsSync(join(dir, f)))) throw err;
    }
    log(`bundled the GraphiQL explorer in ${Date.now() - started} ms`);
    return dir;
  })();
  bundles.set(cacheRoot, promise);
  promise.catch(() => bundles.delete(cacheRoot));
  return promise;
}

function escapeHtmlJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function page(options: ExplorerOptions): string {
  const config = {
    graphqlUrl: options.graphqlUrl,
    realtimeUrl: options.realtimeUrl,
    apiKey: options.apiKey,
    tabs: exampleTabs(readExampleOperations(), options.realtimeUrl),
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local AppSync explorer</title>
<link rel="stylesheet" href="/graphiql/assets/app.css">
<style>
html,body,#graphiql{height:100%;margin:0}
.explorer{display:flex;flex-direction:column;height:100%}
.explorer>.graphiql-container{flex:1;min-height:0}
.auth-bar{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;padding:.4rem .75rem;font:14px system-ui,sans-serif;border-bottom:1px solid #ddd}
</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script type="application/json" id="explorer-config">${escapeHtmlJson(config)}</script>
<script type="module" src="/graphiql/assets/app.js"></script>
</body>
</html>
`;
}

export function createExplorer(options: ExplorerOptions): Explorer {
  const cacheRoot = options.cacheRoot ?? join(repoRoot, '.local', 'appsync-explorer');
  const ready = ensureExplorerBundle(cacheRoot, options.log);
  // A failed bundle must not crash the server; requests for assets report it instead.
  ready.catch((err: unknown) => options.log(err instanceof Error ? err.message : String(err)));
  const html = page(options);
  const inFlight = new Set<Promise<void>>();

  const serveAsset = async (name: string, contentType: string, res: ServerResponse): Promise<void> => {
    try {
      const dir = await ready;
      const body = await readFile(join(dir, name));
      res.writeHead(200, { 'content-type': contentType, 'content-length': body.length, 'cache-control': 'no-cache' });
      res.end(body);
    } catch (err) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`explorer unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  };

  return {
    ready,
    handle(req, res, url) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (url.pathname === '/graphiql' || url.pathname === '/graphiql/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
        res.end(html);
        return true;
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204, { 'content-length': '0' });
        res.end();
        return true;
      }
      const prefix = '/graphiql/assets/';
      if (!url.pathname.startsWith(prefix)) return false;
      const name = url.pathname.slice(prefix.length);
      const contentType = ASSETS[name];
      if (contentType === undefined) return false;
      const p = serveAsset(name, contentType, res).finally(() => inFlight.delete(p));
      inFlight.add(p);
      return true;
    },
    async dispose() {
      // esbuild's service holds the process open while it builds; let a running build finish.
      await Promise.allSettled([ready, ...inFlight]);
    },
  };
}
