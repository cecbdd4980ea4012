/**
 * Browser entry of the offline GraphiQL explorer (bundled by explorer.ts with esbuild; never
 * run by Node). Queries and mutations go over HTTP; subscriptions speak AppSync's realtime
 * protocol (`graphql-ws` dialect) on their own socket, authenticated like Amplify ≥ 6.6 does.
 */
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import type { Fetcher, FetcherParams } from '@graphiql/toolkit';
import { getOperationAST, parse, type ExecutionResult } from 'graphql';
import { createRoot } from 'react-dom/client';

interface ExplorerConfig {
  graphqlUrl: string;
  realtimeUrl: string;
  apiKey: string;
  defaultQuery: string;
}

function readConfig(): ExplorerConfig {
  const raw: unknown = JSON.parse(document.getElementById('explorer-config')?.textContent ?? '{}');
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const str = (k: string): string => (typeof r[k] === 'string' ? r[k] : '');
  return { graphqlUrl: str('graphqlUrl'), realtimeUrl: str('realtimeUrl'), apiKey: str('apiKey'), defaultQuery: str('defaultQuery') };
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

const fetcher: Fetcher = async (params, opts) => {
  const headers = stringHeaders(opts?.headers);
  if (isSubscription(params)) return subscribe(params, headers);
  const res = await fetch(config.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: params.query, variables: params.variables ?? {}, operationName: params.operationName ?? undefined }),
  });
  return (await res.json()) as ExecutionResult;
};

const root = document.getElementById('graphiql');
if (root) {
  createRoot(root).render(
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={config.defaultQuery}
      defaultHeaders={JSON.stringify({ 'x-api-key': config.apiKey }, null, 2)}
      initialHeaders={JSON.stringify({ 'x-api-key': config.apiKey }, null, 2)}
    />,
  );
}
