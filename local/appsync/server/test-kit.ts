/**
 * Shared fixtures for this folder's tests: a tiny AppSync schema, hand-written FieldResolvers,
 * a started server (explorer off), a real SigV4 signer and a raw `ws` client that records frames.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket, type ClientOptions } from 'ws';
import type { FieldResolver, ResolverInvocation, ResolverOutcome } from '../types.js';
import {
  LOCAL_ACCOUNT_ID,
  lowerCaseHeaders,
  realtimeConnectRequest,
  realtimeStartRequest,
  type IamPrincipal,
  type SignedRequest,
} from './auth.js';
import { startAppSyncServer, type AppSyncServerOptions, type RunningAppSyncServer } from './server.js';

export const API_KEY = 'da2-testkey0000000000000000';
export const REGION = 'us-east-1';

/** The IAM caller every test server knows (its signatures verify). */
export const TEST_IAM_PRINCIPAL: IamPrincipal = {
  accessKeyId: 'AKIDPUBLISHER',
  secretAccessKey: 'test-publisher-secret',
  arn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/publisher`,
};

export const TEST_SCHEMA = /* GraphQL */ `
  schema {
    query: Query
    mutation: Mutation
    subscription: Subscription
  }

  type Query {
    hello: String
    getThing(id: ID!): Thing
    secret: String @aws_iam
    both: String @aws_iam @aws_api_key
    fails: Thing
    appended: String
    boom: String
    badDate: AWSDateTime
  }

  type Mutation {
    putThing(id: ID!, owner: String, size: Int): Thing
    publishThing(thing: AWSJSON!): Thing @aws_iam
    requiredThing(id: ID!): Thing!
    closeThing(id: ID!): Thing
  }

  type Subscription {
    onThing(id: ID, owner: String): Thing @aws_subscribe(mutations: ["putThing", "publishThing"])
    onThingFiltered(minSize: Int): Thing @aws_subscribe(mutations: ["putThing"])
    onSecret: Thing @aws_iam @aws_subscribe(mutations: ["putThing"])
    onWatched(id: ID!): Thing @aws_subscribe(mutations: ["putThing"])
  }

  type Thing @aws_api_key @aws_iam {
    id: ID!
    owner: String
    size: Int
    status: String!
    parts: [Part!]
  }

  type Part @aws_api_key @aws_iam {
    name: String!
  }
`;

const ok = (data: unknown): ResolverOutcome => ({ data, errors: [] });

/** Resolvers plus a log of every invocation they received (newest last). */
export function testResolvers(): { resolvers: Map<string, FieldResolver>; calls: ResolverInvocation[] } {
  const calls: ResolverInvocation[] = [];
  const record =
    (fn: (inv: ResolverInvocation) => ResolverOutcome): FieldResolver =>
    async (inv) => {
      calls.push(inv);
      return fn(inv);
    };
  const resolvers = new Map<string, FieldResolver>([
    ['Query.hello', record(() => ok('world'))],
    ['Query.secret', record(() => ok('s3cret'))],
    ['Query.both', record(() => ok('both'))],
    ['Query.getThing', record((inv) => ok({ id: inv.arguments['id'], owner: 'olga', size: 1, status: 'NEW', parts: [{ name: 'crust' }] }))],
    [
      'Query.fails',
      record(() => ({ data: null, errors: [{ message: 'No such thing', errorType: 'NotFound', errorInfo: { hint: 1 }, data: null }] })),
    ],
    [
      'Query.appended',
      record(() => ({ data: 'partial', errors: [{ message: 'Heads up', errorType: 'Warning', errorInfo: null, data: null }] })),
    ],
    [
      'Query.boom',
      record(() => {
        throw new Error('resolver bug with internal detail');
      }),
    ],
    ['Query.badDate', record(() => ok('2024-01-01T10:00:00'))],
    ['Mutation.putThing', record((inv) => ok({ status: 'NEW', parts: [{ name: 'crust' }], ...inv.arguments }))],
    ['Mutation.publishThing', record((inv) => ok(inv.arguments['thing']))],
    [
      'Mutation.requiredThing',
      record(() => ({ data: null, errors: [{ message: 'Cannot do it', errorType: 'InvalidTransition', errorInfo: null, data: null }] })),
    ],
    [
      'Mutation.closeThing',
      record(
        (inv) =>
          ({
            data: { id: inv.arguments['id'], status: 'CLOSED' },
            errors: [],
            extensions: { invalidations: [{ subscriptionField: 'onWatched', payload: { id: inv.arguments['id'] } }] },
          }) as ResolverOutcome,
      ),
    ],
    [
      'Subscription.onWatched',
      record(
        (inv) =>
          ({
            data: null,
            errors: [],
            extensions: {
              subscriptionInvalidationFilter: {
                filterGroup: [{ filters: [{ fieldName: 'id', operator: 'eq', value: inv.arguments['id'] }] }],
              },
            },
          }) as ResolverOutcome,
      ),
    ],
    [
      'Subscription.onThingFiltered',
      record(
        (inv) =>
          ({
            data: null,
            errors: [],
            // The APPSYNC_JS runtime's RuntimeOutcome carries `extensions`; the server reads it structurally.
            extensions: {
              subscriptionFilter: {
                filterGroup: [{ filters: [{ fieldName: 'size', operator: 'ge', value: inv.arguments['minSize'] ?? 0 }] }],
              },
            },
          }) as ResolverOutcome,
      ),
    ],
  ]);
  return { resolvers, calls };
}

export async function startTestServer(
  overrides: Partial<AppSyncServerOptions> = {},
): Promise<RunningAppSyncServer & { calls: ResolverInvocation[]; logs: string[] }> {
  const { resolvers, calls } = testResolvers();
  const logs: string[] = [];
  const server = await startAppSyncServer({
    schemaSdl: TEST_SCHEMA,
    resolvers,
    apiKeys: [API_KEY],
    region: REGION,
    iamPrincipals: [TEST_IAM_PRINCIPAL],
    explorer: false,
    logger: (line) => logs.push(line),
    ...overrides,
  });
  return Object.assign(server, { calls, logs });
}

/** The headers Amplify signs for a realtime connection or start (its AWS_APPSYNC_REALTIME_HEADERS). */
export const REALTIME_SIGNED_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json, text/javascript',
  'content-encoding': 'amz-1.0',
  'content-type': 'application/json; charset=UTF-8',
};

export interface SignOptions {
  /** Whose secret signs. @default TEST_IAM_PRINCIPAL */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** `appsync`, or `execute-api` as Amplify signs for a customEndpoint. @default 'appsync' */
  readonly service?: string;
  /** Signing time in ms. @default Date.now() */
  readonly at?: number;
  /** Headers signed besides host and x-amz-date. @default { 'content-type': 'application/json' } */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Really signs `request` to the server at `url` (its host is signed) with SigV4, as the publisher
 * Lambda and Amplify do (@smithy/signature-v4); returns lower-cased headers including `host`.
 */
export async function signRequest(url: string, request: SignedRequest, options: SignOptions = {}): Promise<Record<string, string>> {
  const { host, hostname, port, protocol } = new URL(url);
  const signer = new SignatureV4({
    service: options.service ?? 'appsync',
    region: REGION,
    credentials: options.credentials ?? TEST_IAM_PRINCIPAL,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol,
      hostname,
      port: port === '' ? undefined : Number(port),
      path: request.path,
      query: Object.fromEntries(new URLSearchParams(request.query)),
      headers: { host, ...(options.headers ?? { 'content-type': 'application/json' }) },
      body: request.body,
    },
    { signingDate: new Date(options.at ?? Date.now()) },
  );
  return lowerCaseHeaders(signed.headers);
}

/** SigV4 headers for `POST <url>` with `body` (a JSON text, or a value postGraphQL would send). */
export function iamHeaders(url: string, body: unknown, options: SignOptions = {}): Promise<Record<string, string>> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return signRequest(url, { method: 'POST', path: new URL(url).pathname, query: '', body: text }, options);
}

/** SigV4 headers for a realtime connection (the `header-` subprotocol), signed as Amplify signs them. */
export function iamConnectHeaders(url: string, options: SignOptions = {}): Promise<Record<string, string>> {
  return signRequest(url, realtimeConnectRequest(new URL(url).pathname), { headers: REALTIME_SIGNED_HEADERS, ...options });
}

/** The `data` text RawClient.start sends for `query` and `variables` (what a start's signature covers). */
export function startData(query: string, variables: Record<string, unknown> = {}): string {
  return JSON.stringify({ query, variables });
}

/** SigV4 headers for a start's `extensions.authorization`: a POST of its `data` to the GraphQL path. */
export function iamStartHeaders(url: string, data: string, options: SignOptions = {}): Promise<Record<string, string>> {
  return signRequest(url, realtimeStartRequest(data, new URL(url).pathname), { headers: REALTIME_SIGNED_HEADERS, ...options });
}

export async function postGraphQL(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'x-api-key': API_KEY },
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

export interface Frame {
  readonly type?: string;
  readonly id?: string;
  readonly payload?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary frames
}

/** A raw realtime client: records frames, lets a test wait for one that matches. */
export class RawClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  closeCode: number | null = null;
  private waiters: (() => void)[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  /** @param options more `ws` client options, e.g. the `ca` a `wss://` URL needs */
  constructor(url: string, protocols: string[] = ['graphql-ws'], headers: Record<string, string> = {}, options: ClientOptions = {}) {
    this.ws = new WebSocket(url, protocols, { ...options, headers });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code) => {
        this.closeCode = code;
        this.notify();
        resolve(code);
      }),
    );
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      this.notify();
    });
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first recorded frame (from `from` on) matching `pred`. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 3000, from = 0): Promise<Frame> {
    return this.until(() => this.frames.slice(from).find(pred), timeoutMs);
  }

  /** Resolves with the recorded frames matching `pred` once there are at least `count` of them. */
  waitForCount(pred: (f: Frame) => boolean, count: number, timeoutMs = 3000): Promise<Frame[]> {
    return this.until(() => {
      const hits = this.frames.filter(pred);
      return hits.length >= count ? hits : undefined;
    }, timeoutMs);
  }

  /** Re-runs `probe` on each frame (and on close) until it returns a value; no polling. */
  private async until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = probe();
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Opens, sends connection_init and waits for the ack. */
  async init(): Promise<Frame> {
    await this.opened;
    this.send({ type: 'connection_init' });
    return this.waitFor((f) => f.type === 'connection_ack');
  }

  start(
    id: string,
    query: string,
    variables: Record<string, unknown> = {},
    authorization: Record<string, string> | null = { 'x-api-key': API_KEY, host: 'localhost' },
  ): void {
    this.send({
      id,
      type: 'start',
      payload: { data: startData(query, variables), extensions: authorization ? { authorization } : {} },
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** `header-<base64url JSON>` subprotocol, as Amplify ≥ 6.6 sends it. */
export function headerProtocol(auth: Record<string, string>): string {
  return `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`;
}
