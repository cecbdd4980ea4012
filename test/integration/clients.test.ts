/**
 * The clients the README names, against one real local stack: the Apollo Client example (query
 * and mutation with the user's access token), the Gen 2 amplify_outputs.json through aws-amplify
 * v6 (a real sign-in and query), both mobile config files as `npm start` writes them checked
 * against their schemas, the explorer's pre-loaded operations, and which browser pages may call
 * the API (the Apollo explorer's, the stack's own, this run's extra origin; no other). The stack
 * runs as a production deploy does in one respect, introspection off, to check that option.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Amplify } from 'aws-amplify';
import { generateClient, type GraphQLQuery } from 'aws-amplify/api';
import { signIn, signOut } from 'aws-amplify/auth';
import { print } from 'graphql';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApolloExample } from '../../client/examples/apollo.js';
import { MineDocument, StoresDocument, type MineQuery, type StoresQuery } from '../../client/generated/graphql.js';
import { schemaErrors } from '../../client/validate.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { writeLocalAmplifyFiles } from '../../local/client-files.js';
import { DEMO_PASSWORD, startLocalStack, type LocalStack } from '../../local/stack.js';

/** An origin this run allows besides the manifest's (`npm start -- --cors-origin`). */
const EXTRA_ORIGIN = 'http://localhost:5173';
const STUDIO = 'https://studio.apollographql.com';

let stack: LocalStack;
let dir: string;
let files: { outputs: string; configuration: string };

beforeAll(async () => {
  stack = await startLocalStack({ inMemory: true, port: 0, corsOrigins: [EXTRA_ORIGIN], introspection: false });
  dir = await mkdtemp(join(tmpdir(), 'pizza-clients-'));
  // What npm start writes beside amplify-config.json (here for clients on this machine).
  files = await writeLocalAmplifyFiles(dir, stack, '127.0.0.1');
});

afterAll(async () => {
  await signOut().catch(() => undefined);
  await stack?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

function localCustom(outputs: unknown): { user_pool_endpoint: string } {
  const custom = typeof outputs === 'object' && outputs !== null && 'custom' in outputs ? outputs.custom : undefined;
  const local =
    typeof custom === 'object' && custom !== null && 'serverless_pizza_local' in custom ? custom.serverless_pizza_local : undefined;
  if (typeof local !== 'object' || local === null || !('user_pool_endpoint' in local) || typeof local.user_pool_endpoint !== 'string')
    throw new Error('amplify_outputs.json has no custom.serverless_pizza_local.user_pool_endpoint');
  return { user_pool_endpoint: local.user_pool_endpoint };
}

describe('the Apollo Client example (client/examples/apollo.ts)', () => {
  it("lists the stores, places the README's order and finds it among the customer's orders", async () => {
    const result = await runApolloExample(stack.amplifyConfig, 'customer1@pizza.example', DEMO_PASSWORD);

    expect(result.stores.map((s) => s.storeId)).toContain(SEED_STORE_ID);
    expect(result.placed).toMatchObject({ status: 'PLACED', version: 1 });
    expect(result.mine.map((o) => o.orderId)).toContain(result.placed.orderId);
  });

  it('is allowed by CORS with its client-awareness headers (a browser on the API origin)', async () => {
    const origin = new URL(stack.graphqlUrl).origin;
    const res = await fetch(stack.graphqlUrl, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'apollographql-client-name,apollographql-client-version,authorization,content-type',
      },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['apollographql-client-name', 'apollographql-client-version', 'authorization']) expect(allowed).toContain(header);
  });
});

describe('the mobile config files npm start writes', () => {
  it('conform to the published Gen 2 schema and the Gen 1 schema', async () => {
    expect(schemaErrors('amplify_outputs', await readJson(files.outputs))).toEqual([]);
    expect(schemaErrors('amplifyconfiguration', await readJson(files.configuration))).toEqual([]);
  });

  it('name the running API and user pool', async () => {
    const outputs = await readJson(files.outputs);
    expect(outputs).toMatchObject({
      data: { url: stack.graphqlUrl, api_key: stack.apiKey, aws_region: stack.region },
      auth: { user_pool_id: stack.userPool.userPoolId, user_pool_client_id: stack.userPool.clientId },
    });
    expect(localCustom(outputs).user_pool_endpoint).toBe(stack.userPool.endpoint);
    expect(await readJson(files.configuration)).toMatchObject({
      api: { plugins: { awsAPIPlugin: { serverlessPizza: { endpoint: stack.graphqlUrl, apiKey: stack.apiKey } } } },
      auth: { plugins: { awsCognitoAuthPlugin: { CognitoUserPool: { Default: { PoolId: stack.userPool.userPoolId } } } } },
    });
  });

  it('amplify_outputs.json configures aws-amplify v6 for a real sign-in and queries', async () => {
    const outputs = await readJson(files.outputs);
    if (typeof outputs !== 'object' || outputs === null || !('version' in outputs) || typeof outputs.version !== 'string')
      throw new Error('amplify_outputs.json has no version');
    Amplify.configure({ ...outputs, version: outputs.version });
    // The one local step: the format has no place for a user-pool endpoint (README "Mobile apps").
    const config = Amplify.getConfig();
    const cognito = config.Auth?.Cognito;
    if (cognito?.userPoolId === undefined || cognito.userPoolClientId === undefined)
      throw new Error('amplify_outputs.json gave Amplify no user pool');
    const { userPoolId, userPoolClientId, loginWith } = cognito;
    Amplify.configure({
      ...config,
      Auth: { Cognito: { userPoolId, userPoolClientId, loginWith, userPoolEndpoint: localCustom(outputs).user_pool_endpoint } },
    });

    await signOut();
    const signedIn = await signIn({ username: 'customer2@pizza.example', password: DEMO_PASSWORD });
    expect(signedIn.isSignedIn).toBe(true);
    // Amplify bundles its own graphql-js, so the typed documents go as text; the types still name the results.
    const mine = await generateClient().graphql<GraphQLQuery<MineQuery>>({ query: print(MineDocument) });
    expect(mine.data.myOrders.items).toEqual([]);
    const stores = await generateClient({ authMode: 'apiKey' }).graphql<GraphQLQuery<StoresQuery>>({ query: print(StoresDocument) });
    expect(stores.data.listStores.map((s) => s.storeId)).toContain(SEED_STORE_ID);
  });
});

describe('the explorer', () => {
  it("pre-loads the README's example operations", async () => {
    const html = await (await fetch(stack.explorerUrl)).text();
    for (const operation of ['mutation Place', 'subscription Track', 'query Queue', 'query Offers', 'query Stores'])
      expect(html).toContain(operation);
  });
});

/** A CORS preflight for a POST from `origin` asking for `headers`. */
function preflight(origin: string, headers: string): Promise<Response> {
  return fetch(stack.graphqlUrl, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });
}

/** Opens the realtime socket as a browser page on `origin` would: 'open', or the handshake error. */
function openRealtime(origin: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(stack.realtimeUrl, ['graphql-ws'], { headers: { origin } });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('error', (error) => resolve(error.message));
  });
}

describe('browser pages on the running stack (CORS)', () => {
  it("lets Apollo Studio's explorer call the API with the headers it asks for, and open the realtime socket", async () => {
    const asked = 'authorization, content-type, apollographql-client-name, apollographql-client-version, x-api-key';
    const res = await preflight(STUDIO, asked.replaceAll(' ', ''));
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO);
    expect(res.headers.get('access-control-allow-headers')).toBe(asked);

    const query = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { origin: STUDIO, 'content-type': 'application/json', 'x-api-key': stack.apiKey, 'apollographql-client-name': 'studio' },
      body: JSON.stringify({ query: '{ listStores { storeId } }' }),
    });
    expect(query.status).toBe(200);
    expect(query.headers.get('access-control-allow-origin')).toBe(STUDIO);
    const body = (await query.json()) as { data: { listStores: { storeId: string }[] } };
    expect(body.data.listStores.map((s) => s.storeId)).toContain(SEED_STORE_ID);
    expect(await openRealtime(STUDIO)).toBe('open');
  });

  it("lets the embedded Sandbox, the stack's own pages and this run's extra origin in", async () => {
    const port = new URL(stack.graphqlUrl).port;
    for (const origin of [
      'https://sandbox.embed.apollographql.com',
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      EXTRA_ORIGIN,
    ]) {
      const res = await preflight(origin, 'content-type,authorization');
      expect([origin, res.status, res.headers.get('access-control-allow-origin')]).toEqual([origin, 204, origin]);
    }
  });

  it('refuses a foreign page: no CORS headers and 403 over HTTP, no realtime socket', async () => {
    const res = await preflight('https://evil.example', 'content-type,x-api-key');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const query = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json', 'x-api-key': stack.apiKey },
      body: JSON.stringify({ query: '{ listStores { storeId } }' }),
    });
    expect(query.status).toBe(403);
    expect(await query.json()).toEqual({ errors: [{ errorType: 'ForbiddenException', message: 'Origin not allowed.' }] });
    expect(await openRealtime('https://evil.example')).toBe('Unexpected server response: 403');
  });
});

describe('introspection off (npm start -- --no-introspection, as stage prod)', () => {
  it("answers an introspection query with AppSync's validation error; __typename still works", async () => {
    const post = (query: string) =>
      fetch(stack.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': stack.apiKey },
        body: JSON.stringify({ query }),
      });
    const res = await post('{ __schema { types { name } } }');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: null,
          message: "Validation error of type FieldUndefined: Field 'types' in type '__Schema' is undefined @ '__schema/types'",
        },
      ],
    });
    expect(await (await post('{ __typename }')).json()).toEqual({ data: { __typename: 'Query' } });
  });
});
