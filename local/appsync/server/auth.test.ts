import { readFileSync } from 'node:fs';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticate,
  DEFAULT_AUTH_TYPE,
  FieldAuthorization,
  LOCAL_IAM_PRINCIPAL,
  lowerCaseHeaders,
  realtimeConnectRequest,
  realtimeStartRequest,
  enabledModes,
  signingKeyOf,
  type AuthContext,
  type AuthModes,
  type SignedRequest,
} from './auth.js';
import type { AuthType } from '../types.js';
import { unauthorizedBody } from './errors.js';
import { buildAppSyncSchema } from './schema.js';
import { headerProtocol, postGraphQL, RawClient, startTestServer } from './test-kit.js';
import type { UserPoolVerifier } from './user-pool-auth.js';

/** The project's modes (infra/manifest.ts `auth`). */
const USER_POOL_DEFAULT: AuthModes = { defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: ['AWS_IAM', 'API_KEY'] };

const projectSchema = buildAppSyncSchema(readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8'));
const options = { apiKeys: ['da2-a'], region: 'us-east-1', remoteAddress: '127.0.0.1', iamPrincipals: [LOCAL_IAM_PRINCIPAL] };
const sigv4 = (scope: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDX/20250101/${scope}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

describe('authenticate', () => {
  it('accepts a known API key with no identity', async () => {
    expect(await authenticate({ 'x-api-key': 'da2-a' }, options)).toEqual({ ok: true, auth: { authType: 'API_KEY', identity: null } });
  });

  it('refuses a well-formed SigV4 header whose signature nobody made (the form alone proves nothing)', async () => {
    const date = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const made = `AWS4-HMAC-SHA256 Credential=${LOCAL_IAM_PRINCIPAL.accessKeyId}/${date.slice(0, 8)}/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`;
    const request: SignedRequest = { method: 'POST', path: '/graphql', query: '', body: '{}' };
    expect(await authenticate({ authorization: made, 'x-amz-date': date, host: 'localhost' }, { ...options, request })).toEqual({
      ok: false,
      reason: 'SigV4 signature does not match',
    });
  });

  it.each([
    ['another region', { authorization: sigv4('eu-west-1/appsync'), 'x-amz-date': '20250101T000000Z' }],
    ['another service', { authorization: sigv4('us-east-1/s3'), 'x-amz-date': '20250101T000000Z' }],
    ['a date that differs from the scope', { authorization: sigv4('us-east-1/appsync'), 'x-amz-date': '20250102T000000Z' }],
    ['a bearer token', { authorization: 'Bearer abc' }],
    ['nothing', {}],
  ])('refuses %s', async (_label, headers) => {
    expect((await authenticate(headers, options)).ok).toBe(false);
  });
});

describe('authenticate with modes the API does not serve', () => {
  const userPool: UserPoolVerifier = {
    verify: async () => ({
      ok: true,
      identity: { sub: 's', issuer: 'i', username: 'u', claims: {}, sourceIp: [], defaultAuthStrategy: 'ALLOW', groups: null },
    }),
  };

  it('refuses a valid API key when API_KEY is not a mode', async () => {
    const modes = new Set<AuthType>(['AMAZON_COGNITO_USER_POOLS', 'AWS_IAM']);
    expect(await authenticate({ 'x-api-key': 'da2-a' }, { ...options, modes })).toEqual({
      ok: false,
      reason: 'API_KEY is not an auth mode of this API',
    });
  });

  it('refuses SigV4 when AWS_IAM is not a mode, before looking at the signature', async () => {
    const modes = new Set<AuthType>(['API_KEY']);
    const r = await authenticate({ authorization: sigv4('us-east-1/appsync'), 'x-amz-date': '20250101T000000Z' }, { ...options, modes });
    expect(r).toEqual({ ok: false, reason: 'AWS_IAM is not an auth mode of this API' });
  });

  it('does not take a token as a user-pool caller when AMAZON_COGNITO_USER_POOLS is not a mode', async () => {
    const r = await authenticate({ authorization: 'eyJ.a.b' }, { ...options, userPool, modes: new Set<AuthType>(['API_KEY']) });
    expect(r.ok).toBe(false);
    const served = await authenticate({ authorization: 'eyJ.a.b' }, { ...options, userPool, modes: enabledModes(USER_POOL_DEFAULT) });
    expect(served).toMatchObject({ ok: true, auth: { authType: 'AMAZON_COGNITO_USER_POOLS' } });
  });

  it('enabledModes lists the default mode and the additional ones', () => {
    expect([...enabledModes(USER_POOL_DEFAULT)]).toEqual(['AMAZON_COGNITO_USER_POOLS', 'AWS_IAM', 'API_KEY']);
  });
});

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOST = '127.0.0.1:4000';
const verifying = { ...options, now: () => NOW };
/** The headers Amplify signs for a realtime connection or start (its AWS_APPSYNC_REALTIME_HEADERS). */
const REALTIME_HEADERS = {
  accept: 'application/json, text/javascript',
  'content-encoding': 'amz-1.0',
  'content-type': 'application/json; charset=UTF-8',
};

interface SignInput {
  readonly request: SignedRequest;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly at?: number;
  readonly host?: string;
  readonly headers?: Record<string, string>;
}

/** Signs as the publisher Lambda does (functions/lib/graphql-iam.ts): @smithy/signature-v4, service appsync. */
async function sign({
  request,
  credentials = LOCAL_IAM_PRINCIPAL,
  at = NOW,
  host = HOST,
  headers,
}: SignInput): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'appsync', region: 'us-east-1', credentials, sha256: Sha256 });
  const [hostname = '', port] = host.split(':');
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname,
      port: port === undefined ? undefined : Number(port),
      path: request.path,
      query: Object.fromEntries(new URLSearchParams(request.query)),
      headers: { host, ...(headers ?? { 'content-type': 'application/json' }) },
      body: request.body,
    },
    { signingDate: new Date(at) },
  );
  return lowerCaseHeaders(signed.headers);
}

const post = (body: string): SignedRequest => ({ method: 'POST', path: '/graphql', query: '', body });
const MUTATION = JSON.stringify({ query: 'mutation { publishOrderUpdate(input: {}) { orderId } }', variables: {} });

describe('authenticate with iamPrincipals (SigV4 verified)', () => {
  it('accepts a signature made by the real signer with a known key, as that principal', async () => {
    const headers = await sign({ request: post(MUTATION) });
    const r = await authenticate(headers, { ...verifying, request: post(MUTATION) });
    expect(r).toMatchObject({
      ok: true,
      auth: { authType: 'AWS_IAM', identity: { accountId: '000000000000', userArn: LOCAL_IAM_PRINCIPAL.arn, username: 'local' } },
    });
  });

  it('accepts a signed GET whose query string is part of the signature', async () => {
    const get: SignedRequest = { method: 'GET', path: '/graphql', query: 'query=%7B%20hello%20%7D&variables=%7B%7D', body: '' };
    expect((await authenticate(await sign({ request: get }), { ...verifying, request: get })).ok).toBe(true);
  });

  it('refuses a forged signature for a known access key', async () => {
    const headers = await sign({ request: post(MUTATION), credentials: { accessKeyId: 'local', secretAccessKey: 'guessed' } });
    expect(await authenticate(headers, { ...verifying, request: post(MUTATION) })).toEqual({
      ok: false,
      reason: 'SigV4 signature does not match',
    });
  });

  it('keeps only the signing key: a verified request does not let a changed one through in the same scope', async () => {
    const headers = await sign({ request: post(MUTATION) });
    expect((await authenticate(headers, { ...verifying, request: post(MUTATION) })).ok).toBe(true);

    const again = await authenticate(headers, { ...verifying, request: post(MUTATION.replace('{}', '{"x":1}')) });
    const forged = await sign({ request: post(MUTATION), credentials: { accessKeyId: 'local', secretAccessKey: 'guessed' } });

    expect(again).toEqual({ ok: false, reason: 'x-amz-content-sha256 does not match the body' });
    expect(await authenticate(forged, { ...verifying, request: post(MUTATION) })).toEqual({
      ok: false,
      reason: 'SigV4 signature does not match',
    });
  });

  it('derives the signing key as AWS documents it, per secret and scope', () => {
    // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
    const key = signingKeyOf('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');

    expect(key.toString('hex')).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
    expect(signingKeyOf('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam')).toEqual(key);
    expect(signingKeyOf('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120216', 'us-east-1', 'iam')).not.toEqual(key);
    expect(signingKeyOf('another-secret', '20120215', 'us-east-1', 'iam')).not.toEqual(key);
  });

  it('refuses a made-up signature value', async () => {
    const headers = await sign({ request: post(MUTATION) });
    headers['authorization'] = (headers['authorization'] ?? '').replace(/Signature=[0-9a-f]{64}/, `Signature=${'a'.repeat(64)}`);
    expect((await authenticate(headers, { ...verifying, request: post(MUTATION) })).ok).toBe(false);
  });

  it('refuses a valid signature by an access key it does not know', async () => {
    const headers = await sign({
      request: post(MUTATION),
      credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'its-own-secret' },
    });
    expect(await authenticate(headers, { ...verifying, request: post(MUTATION) })).toEqual({
      ok: false,
      reason: 'unknown access key AKIDSTRANGER',
    });
  });

  it.each([
    ['more than 5 minutes old', NOW - 5 * 60_000 - 1000],
    ['more than 5 minutes ahead', NOW + 5 * 60_000 + 1000],
  ])('refuses a signature dated %s', async (_label, at) => {
    const headers = await sign({ request: post(MUTATION), at });
    const r = await authenticate(headers, { ...verifying, request: post(MUTATION) });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/more than 5 minutes from now/);
  });

  it('accepts a signature dated within the 5 minutes', async () => {
    const headers = await sign({ request: post(MUTATION), at: NOW - 4 * 60_000 });
    expect((await authenticate(headers, { ...verifying, request: post(MUTATION) })).ok).toBe(true);
  });

  it('refuses a body changed after signing, with or without the signed x-amz-content-sha256', async () => {
    const headers = await sign({ request: post(MUTATION) });
    const tampered = post(MUTATION.replace('publishOrderUpdate', 'publishOrderUpdatX'));
    expect(await authenticate(headers, { ...verifying, request: tampered })).toEqual({
      ok: false,
      reason: 'x-amz-content-sha256 does not match the body',
    });
    const withoutHash = await sign({ request: post(MUTATION) });
    delete withoutHash['x-amz-content-sha256'];
    expect((await authenticate(withoutHash, { ...verifying, request: tampered })).ok).toBe(false);
  });

  it('refuses a signature for another path or another host', async () => {
    const headers = await sign({ request: post(MUTATION) });
    expect((await authenticate(headers, { ...verifying, request: { ...post(MUTATION), path: '/graphql/other' } })).ok).toBe(false);
    expect((await authenticate({ ...headers, host: 'evil.example' }, { ...verifying, request: post(MUTATION) })).ok).toBe(false);
  });

  it('refuses a signed header that is missing from the request', async () => {
    const headers = await sign({ request: post(MUTATION) });
    delete headers['content-type'];
    expect(await authenticate(headers, { ...verifying, request: post(MUTATION) })).toEqual({
      ok: false,
      reason: 'signed header content-type is missing',
    });
  });

  it('refuses when there is no request to check the signature against', async () => {
    expect((await authenticate(await sign({ request: post(MUTATION) }), verifying)).ok).toBe(false);
  });

  describe('realtime (what Amplify signs)', () => {
    const data = JSON.stringify({ query: 'subscription { onOrderUpdated { orderId } }', variables: {} });

    it('accepts a connection header signed over POST /graphql/connect with body {}', async () => {
      const headers = await sign({ request: realtimeConnectRequest(), headers: REALTIME_HEADERS });
      expect((await authenticate(headers, { ...verifying, request: realtimeConnectRequest() })).ok).toBe(true);
    });

    it('accepts a start signed over POST /graphql with the subscription data, and refuses it for other data', async () => {
      const headers = await sign({ request: realtimeStartRequest(data), headers: REALTIME_HEADERS });
      expect((await authenticate(headers, { ...verifying, request: realtimeStartRequest(data) })).ok).toBe(true);
      const other = JSON.stringify({ query: 'subscription { onOrderUpdated(storeId: "s2") { orderId } }', variables: {} });
      expect((await authenticate(headers, { ...verifying, request: realtimeStartRequest(other) })).ok).toBe(false);
    });

    it('refuses a start signature replayed as a connection header', async () => {
      const headers = await sign({ request: realtimeStartRequest(data), headers: REALTIME_HEADERS });
      expect((await authenticate(headers, { ...verifying, request: realtimeConnectRequest() })).ok).toBe(false);
    });
  });
});

describe('a server with iamPrincipals', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ iamPrincipals: [LOCAL_IAM_PRINCIPAL] });
  });
  afterAll(async () => {
    await server.stop();
  });
  const body = JSON.stringify({ query: '{ secret }' });
  const signFor = (request: SignedRequest, extra: Partial<SignInput> = {}) =>
    sign({ request, at: Date.now(), host: new URL(server.url).host, ...extra });

  it('answers a signed request from a known principal', async () => {
    const res = await postGraphQL(server.url, body, await signFor(post(body)));
    expect(res.status).toBe(200);
    expect(server.calls.at(-1)?.identity).toMatchObject({ userArn: LOCAL_IAM_PRINCIPAL.arn });
  });

  it('answers a forged signature with 401 UnauthorizedException', async () => {
    const headers = await signFor(post(body), { credentials: { accessKeyId: 'local', secretAccessKey: 'forged' } });
    const res = await postGraphQL(server.url, body, headers);
    expect(res.status).toBe(401);
    expect(res.json).toEqual(unauthorizedBody());
  });

  it('answers a body swapped after signing with 401', async () => {
    const headers = await signFor(post(body));
    const res = await postGraphQL(server.url, JSON.stringify({ query: '{ both }' }), headers);
    expect(res.status).toBe(401);
  });

  it('acknowledges a realtime connection signed like Amplify, and refuses a forged one', async () => {
    const good = await signFor(realtimeConnectRequest(), { headers: REALTIME_HEADERS });
    const ok = new RawClient(server.realtimeUrl, ['graphql-ws', headerProtocol(good)]);
    expect((await ok.init()).type).toBe('connection_ack');
    await ok.close();

    const forged = await signFor(realtimeConnectRequest(), {
      headers: REALTIME_HEADERS,
      credentials: { accessKeyId: 'local', secretAccessKey: 'x' },
    });
    const bad = new RawClient(server.realtimeUrl, ['graphql-ws', headerProtocol(forged)]);
    await bad.opened;
    bad.send({ type: 'connection_init' });
    const err = await bad.waitFor((f) => f.type === 'connection_error');
    expect(err.payload.errors[0]).toMatchObject({ errorType: 'UnauthorizedException', errorCode: 401 });
    await bad.closed;
  });

  it('starts a subscription whose start is signed over its data, and refuses one signed over other data', async () => {
    const c = new RawClient(server.realtimeUrl, [
      'graphql-ws',
      headerProtocol(await signFor(realtimeConnectRequest(), { headers: REALTIME_HEADERS })),
    ]);
    await c.init();
    const query = 'subscription { onSecret { id } }';
    const data = JSON.stringify({ query, variables: {} });
    c.start('good', query, {}, await signFor(realtimeStartRequest(data), { headers: REALTIME_HEADERS }));
    expect((await c.waitFor((f) => f.id === 'good' && (f.type === 'start_ack' || f.type === 'error'))).type).toBe('start_ack');
    const otherData = JSON.stringify({ query: 'subscription { onThing { id } }', variables: {} });
    c.start('bad', query, {}, await signFor(realtimeStartRequest(otherData), { headers: REALTIME_HEADERS }));
    const err = await c.waitFor((f) => f.id === 'bad' && (f.type === 'start_ack' || f.type === 'error'));
    expect(err).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'UnauthorizedException' }] } });
    await c.close();
  });
});

describe('FieldAuthorization on the project schema (user pools the default mode)', () => {
  const authz = new FieldAuthorization(projectSchema, { defaultMode: 'AMAZON_COGNITO_USER_POOLS' });

  it('lets only IAM call publishOrderUpdate', () => {
    expect(authz.allows('Mutation', 'publishOrderUpdate', 'AWS_IAM')).toBe(true);
    expect(authz.allows('Mutation', 'publishOrderUpdate', 'API_KEY')).toBe(false);
    expect(authz.allows('Mutation', 'publishOrderUpdate', 'AMAZON_COGNITO_USER_POOLS')).toBe(false);
  });

  it('opens fields without a directive (placeOrder, myOrders, onOrderUpdated) to the default mode only', () => {
    for (const [type, field] of [
      ['Mutation', 'placeOrder'],
      ['Query', 'myOrders'],
      ['Subscription', 'onOrderUpdated'],
      ['OrderConnection', 'items'],
    ] as const) {
      expect(authz.allows(type, field, 'AMAZON_COGNITO_USER_POOLS'), `${type}.${field}`).toBe(true);
      expect(authz.allows(type, field, 'API_KEY'), `${type}.${field}`).toBe(false);
      expect(authz.allows(type, field, 'AWS_IAM'), `${type}.${field}`).toBe(false);
    }
  });

  it('lets the API key read the store list and nothing of an order', () => {
    expect(authz.allows('Query', 'listStores', 'API_KEY')).toBe(true);
    expect(authz.allows('Store', 'name', 'API_KEY')).toBe(true);
    expect(authz.allows('Query', 'listStores', 'AWS_IAM')).toBe(false);
    expect(authz.allows('Order', 'status', 'API_KEY')).toBe(false);
  });

  it('lets IAM and user pools read Order fields (type-level @aws_iam @aws_cognito_user_pools)', () => {
    expect(authz.allows('Order', 'status', 'AWS_IAM')).toBe(true);
    expect(authz.allows('Order', 'customerId', 'AMAZON_COGNITO_USER_POOLS')).toBe(true);
    expect(authz.allows('Store', 'name', 'AWS_IAM')).toBe(false);
  });
});

describe('FieldAuthorization without a default mode', () => {
  it('falls back to DEFAULT_AUTH_TYPE (the API key) for fields without directives', () => {
    const authz = new FieldAuthorization(projectSchema);
    expect(DEFAULT_AUTH_TYPE).toBe('API_KEY');
    expect(authz.allows('Mutation', 'placeOrder', 'API_KEY')).toBe(true);
    expect(authz.allows('Mutation', 'placeOrder', 'AMAZON_COGNITO_USER_POOLS')).toBe(false);
  });
});

describe('FieldAuthorization with IAM grants', () => {
  const publisher = 'arn:aws:iam::000000000000:role/publisher';
  const authz = new FieldAuthorization(projectSchema, { iamGrants: { 'Mutation.publishOrderUpdate': [publisher] } });
  const iam = (userArn: string): AuthContext => ({
    authType: 'AWS_IAM',
    identity: {
      accountId: '000000000000',
      userArn,
      username: 'x',
      sourceIp: [],
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
    },
  });

  it('lets the granted principal call publishOrderUpdate and read the Order it returns', () => {
    expect(authz.allowsCaller('Mutation', 'publishOrderUpdate', iam(publisher))).toBe(true);
    expect(authz.allowsCaller('Order', 'status', iam(publisher))).toBe(true);
  });

  it('refuses publishOrderUpdate to a verified principal without the grant', () => {
    expect(authz.allowsCaller('Mutation', 'publishOrderUpdate', iam('arn:aws:iam::000000000000:user/someone'))).toBe(false);
  });

  it('still refuses a mode the field does not allow, grant or not', () => {
    expect(authz.allowsCaller('Mutation', 'publishOrderUpdate', { authType: 'API_KEY', identity: null })).toBe(false);
  });

  it('without grants, lets every IAM caller through as before', () => {
    expect(new FieldAuthorization(projectSchema).allowsCaller('Mutation', 'publishOrderUpdate', iam('arn:aws:iam::1:user/any'))).toBe(true);
  });
});

describe('FieldAuthorization for user-pool callers', () => {
  const schema = buildAppSyncSchema(`
    type Query {
      myOrders: String @aws_cognito_user_pools
      storeOrders: String @aws_cognito_user_pools(cognito_groups: ["store"])
      stores: Store @aws_api_key @aws_cognito_user_pools
      open: String
    }
    type Store @aws_cognito_user_pools(cognito_groups: ["store", "driver"]) @aws_api_key {
      name: String
      id: String @aws_cognito_user_pools
    }
  `);
  const authz = new FieldAuthorization(schema);
  const user = (groups: string[] | null): AuthContext => ({
    authType: 'AMAZON_COGNITO_USER_POOLS',
    identity: { sub: 's', issuer: 'i', username: 'u', claims: {}, sourceIp: [], defaultAuthStrategy: 'ALLOW', groups },
  });

  it('lets any signed-in user read a field marked @aws_cognito_user_pools, but not an undecorated one', () => {
    expect(authz.allowsCaller('Query', 'myOrders', user(null))).toBe(true);
    expect(authz.allowsCaller('Query', 'open', user(null))).toBe(false);
  });

  it('lets only members of cognito_groups read a field that lists them', () => {
    expect(authz.allowsCaller('Query', 'storeOrders', user(['store']))).toBe(true);
    expect(authz.allowsCaller('Query', 'storeOrders', user(['customer']))).toBe(false);
    expect(authz.allowsCaller('Query', 'storeOrders', user(null))).toBe(false);
  });

  it("applies a type's groups to its fields unless a field declares its own", () => {
    expect(authz.allowsCaller('Store', 'name', user(['driver']))).toBe(true);
    expect(authz.allowsCaller('Store', 'name', user(['customer']))).toBe(false);
    expect(authz.allowsCaller('Store', 'id', user(['customer']))).toBe(true);
    expect(authz.allowsCaller('Store', 'name', { authType: 'API_KEY', identity: null })).toBe(true);
  });
});
