/**
 * Browser entry of the offline GraphiQL explorer (bundled by explorer.ts with esbuild; never
 * run by Node). Queries and mutations go over HTTP; subscriptions speak AppSync's realtime
 * protocol (`graphql-ws` dialect) on their own socket, authenticated like Amplify ≥ 6.6 does.
 *
 * Signing in: when the stack serves `/amplify-config.json` with an Auth section, a bar above
 * GraphiQL signs in with Amplify (the user pool's SRP flow, as every client does) and each
 * request then carries the user's access token in `Authorization`, fetched per request so
 * Amplify refreshes it. Signed out, requests carry the API key (it serves `listStores` only).
 * A header typed in GraphiQL's header editor wins over both.
 */
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import type { Fetcher, FetcherParams } from '@graphiql/toolkit';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { getOperationAST, parse, type ExecutionResult } from 'graphql';
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

interface ExplorerConfig {
  graphqlUrl: string;
  realtimeUrl: string;
  apiKey: string;
  /** The README's example operations, one tab per party (explorer.ts exampleTabs). */
  tabs: { query: string }[];
}

/**
 * The page's config. The API and socket are addressed on the page's own origin, so the explorer
 * works at whichever name it was opened with (localhost, 127.0.0.1, a LAN address), not only at
 * the one the server printed.
 */
function readConfig(): ExplorerConfig {
  const raw: unknown = JSON.parse(document.getElementById('explorer-config')?.textContent ?? '{}');
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const str = (k: string): string => (typeof r[k] === 'string' ? r[k] : '');
  const onThisOrigin = (url: string, scheme: 'http' | 'ws'): string => {
    if (url === '') return url;
    const parsed = new URL(url);
    const here = new URL(location.href);
    parsed.host = here.host;
    parsed.protocol = scheme === 'http' ? here.protocol : here.protocol === 'https:' ? 'wss:' : 'ws:';
    return parsed.toString();
  };
  const tabs = Array.isArray(r.tabs)
    ? r.tabs.flatMap((t: unknown) =>
        typeof t === 'object' && t !== null && 'query' in t && typeof t.query === 'string' ? [{ query: t.query }] : [],
      )
    : [];
  return {
    graphqlUrl: onThisOrigin(str('graphqlUrl'), 'http'),
    realtimeUrl: onThisOrigin(str('realtimeUrl'), 'ws'),
    apiKey: str('apiKey'),
    tabs,
  };
}

const config = readConfig();

// Monaco reads this global to start its language workers. Modules are strict, so it must be
// defined as a property: a bare assignment to an undeclared global throws.
Object.assign(globalThis, {
  MonacoEnvironment: {
    getWorker(_id: string, label: string): Worker {
      const name = label === 'json' ? 'json.worker' : label === 'graphql' ? 'graphql.worker' : 'editor.worker';
      return new Worker(`/graphiql/assets/${name}.js`, { type: 'module' });
    },
  },
});

function stringHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers === 'object' && headers !== null) {
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function isSubscription(params: FetcherParams): boolean {
  try {
    return getOperationAST(parse(params.query), params.operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/**
 * One socket per subscription: connection_init → ack → start → data… . An explicit iterator
 * (not an async generator) so `return()` stops the socket at once, even mid-wait. GraphiQL
 * stops by calling `[Symbol.asyncIterator]().return()`, so the iterable hands out ONE iterator.
 */
function subscribe(params: FetcherParams, headers: Record<string, string>): AsyncIterable<ExecutionResult> {
  let iterator: AsyncIterator<ExecutionResult> | null = null;
  return {
    [Symbol.asyncIterator](): AsyncIterator<ExecutionResult> {
      iterator ??= open();
      return iterator;
    },
  };

  function open(): AsyncIterator<ExecutionResult> {
    const authorization = { host: new URL(config.graphqlUrl).host, ...headers };
    const ws = new WebSocket(config.realtimeUrl, ['graphql-ws', `header-${base64url(JSON.stringify(authorization))}`]);
    const id = crypto.randomUUID();
    const queue: ExecutionResult[] = [];
    let done = false;
    let wake: (() => void) | null = null;
    const push = (value: ExecutionResult | null): void => {
      if (value) queue.push(value);
      else done = true;
      wake?.();
      wake = null;
    };
    ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init' }));
    ws.onmessage = (event: MessageEvent) => {
      const msg = JSON.parse(String(event.data)) as { type?: string; payload?: { data?: unknown; errors?: unknown[] } };
      switch (msg.type) {
        case 'connection_ack':
          ws.send(
            JSON.stringify({
              id,
              type: 'start',
              payload: {
                data: JSON.stringify({
                  query: params.query,
                  variables: params.variables ?? {},
                  operationName: params.operationName ?? undefined,
                }),
                extensions: { authorization },
              },
            }),
          );
          break;
        case 'data':
          push({ data: (msg.payload?.data ?? null) as ExecutionResult['data'], errors: msg.payload?.errors as ExecutionResult['errors'] });
          break;
        case 'error':
        case 'connection_error':
          push({ errors: (msg.payload?.errors ?? [{ message: 'subscription failed' }]) as ExecutionResult['errors'] });
          push(null);
          ws.close();
          break;
        case 'complete':
          push(null);
          ws.close();
          break;
      }
    };
    ws.onclose = () => push(null);
    const stop = (): Promise<IteratorResult<ExecutionResult>> => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'stop', id }));
      setTimeout(() => ws.close(), 200);
      push(null);
      return Promise.resolve({ done: true, value: undefined });
    };
    return {
      async next(): Promise<IteratorResult<ExecutionResult>> {
        for (;;) {
          const value = queue.shift();
          if (value) return { done: false, value };
          if (done) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      return: stop,
    };
  }
}

/** Whether Amplify was configured with a user pool (the stack serves /amplify-config.json). */
let authConfigured = false;

/** The signed-in user's access token, or null when nobody is signed in. */
async function accessToken(): Promise<string | null> {
  if (!authConfigured) return null;
  try {
    return (await fetchAuthSession()).tokens?.accessToken.toString() ?? null;
  } catch {
    return null;
  }
}

/** The caller's credentials, then the headers typed in the editor (which win). */
async function requestHeaders(typed: Record<string, string>): Promise<Record<string, string>> {
  const names = Object.keys(typed).map((k) => k.toLowerCase());
  if (names.includes('authorization') || names.includes('x-api-key')) return typed;
  const token = await accessToken();
  return token !== null ? { Authorization: token, ...typed } : { 'x-api-key': config.apiKey, ...typed };
}

const fetcher: Fetcher = async (params, opts) => {
  const headers = await requestHeaders(stringHeaders(opts?.headers));
  if (isSubscription(params)) return subscribe(params, headers);
  const res = await fetch(config.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: params.query, variables: params.variables ?? {}, operationName: params.operationName ?? undefined }),
  });
  return (await res.json()) as ExecutionResult;
};

interface DemoUser {
  username: string;
  password: string;
  role: string;
}

async function fetchJson(path: string): Promise<unknown> {
  const res = await fetch(path, { cache: 'no-store' });
  return res.ok ? ((await res.json()) as unknown) : null;
}

function demoUsers(raw: unknown): DemoUser[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((u: unknown): DemoUser[] => {
    const r = (typeof u === 'object' && u !== null ? u : {}) as Record<string, unknown>;
    return typeof r.username === 'string' && typeof r.password === 'string' && typeof r.role === 'string'
      ? [{ username: r.username, password: r.password, role: r.role }]
      : [];
  });
}

/** Sign-in bar: a demo account or any email and password; shows who requests are sent as. */
function AuthBar({ users }: { users: DemoUser[] }) {
  const [who, setWho] = useState<string | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState('');
  useEffect(() => {
    getCurrentUser().then(
      (u) => setWho(u.signInDetails?.loginId ?? u.username),
      () => setWho(null),
    );
  }, []);
  const submit = async (name: string, secret: string): Promise<void> => {
    setMessage('signing in…');
    try {
      await signOut();
      const result = await signIn({ username: name, password: secret });
      if (!result.isSignedIn) throw new Error(`sign-in needs another step: ${result.nextStep.signInStep}`);
      setWho(name);
      setMessage('');
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <form
      className="auth-bar"
      onSubmit={(e) => {
        e.preventDefault();
        void submit(username, password);
      }}
    >
      <strong>{who === null ? 'Signed out: requests carry the API key (listStores only)' : `Signed in as ${who}`}</strong>
      {users.length > 0 && (
        <select
          aria-label="Demo account"
          value=""
          onChange={(e) => {
            const user = users.find((u) => u.username === e.target.value);
            if (user) void submit(user.username, user.password);
          }}
        >
          <option value="">Sign in as a demo account…</option>
          {users.map((u) => (
            <option key={u.username} value={u.username}>
              {u.role}: {u.username}
            </option>
          ))}
        </select>
      )}
      <input aria-label="Email" placeholder="email" value={username} onChange={(e) => setUsername(e.target.value)} />
      <input aria-label="Password" placeholder="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit">Sign in</button>
      {who !== null && (
        <button
          type="button"
          onClick={() => {
            void signOut().then(() => setWho(null));
          }}
        >
          Sign out
        </button>
      )}
      <span role="status">{message}</span>
    </form>
  );
}

async function main(): Promise<void> {
  const root = document.getElementById('graphiql');
  if (!root) return;
  const [amplifyConfig, users, operators] = await Promise.all([
    fetchJson('/amplify-config.json'),
    fetchJson('/demo-users.json'),
    fetchJson('/demo-operators.json'),
  ]);
  if (typeof amplifyConfig === 'object' && amplifyConfig !== null && 'Auth' in amplifyConfig) {
    Amplify.configure(amplifyConfig as Parameters<typeof Amplify.configure>[0]);
    authConfigured = true;
  }
  createRoot(root).render(
    <div className="explorer">
      {authConfigured && <AuthBar users={[...demoUsers(users), ...demoUsers(operators)]} />}
      <GraphiQL fetcher={fetcher} defaultTabs={config.tabs} defaultQuery={config.tabs[0]?.query ?? ''} />
    </div>,
  );
}

void main();
