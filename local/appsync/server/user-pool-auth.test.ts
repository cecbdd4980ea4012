import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unauthorizedBody } from './errors.js';
import type { ResolverInvocation } from '../types.js';
import { API_KEY, headerProtocol, postGraphQL, RawClient, startTestServer } from './test-kit.js';
import { cachingTokenVerifier, remoteJwks, verifyUserPoolToken, type Jwks } from './user-pool-auth.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const CLIENT_ID = 'localclient0000000000000000';
const OTHER_CLIENT_ID = 'otherclient0000000000000000';

function keyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const current = keyPair();
const rotated = keyPair();
const stranger = keyPair();

/** A JWKS endpoint on port 0 whose key set a test can change (key rotation); counts fetches. */
async function startJwksServer(initial: Record<string, KeyObject>): Promise<{
  url: string;
  issuer: string;
  fetches: () => number;
  setKeys: (keys: Record<string, KeyObject>) => void;
  stop: () => Promise<void>;
}> {
  let keys = initial;
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    const body = JSON.stringify({
      keys: Object.entries(keys).map(([kid, key]) => ({ ...key.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' })),
    });
    res.writeHead(req.url === '/pool/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/pool/.well-known/jwks.json`,
    issuer: `${origin}/pool`,
    fetches: () => count,
    setKeys: (next) => {
      keys = next;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function jwt(claims: Record<string, unknown>, { kid = 'k1', key = current.privateKey, alg = 'RS256' } = {}): string {
  const head = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
}

describe('verifyUserPoolToken', () => {
  let jwksServer: Awaited<ReturnType<typeof startJwksServer>>;
  let jwks: Jwks;
  beforeAll(async () => {
    jwksServer = await startJwksServer({ k1: current.publicKey });
  });
  afterAll(async () => {
    await jwksServer.stop();
  });

  const idClaims = (): Record<string, unknown> => ({
    sub: 'user-sub-1',
    aud: CLIENT_ID,
    'cognito:username': 'alice',
    'cognito:groups': ['customers'],
    email: 'alice@example.com',
    iss: jwksServer.issuer,
    token_use: 'id',
    auth_time: NOW / 1000 - 60,
    iat: NOW / 1000 - 60,
    exp: NOW / 1000 + 3600,
  });
  const accessClaims = (): Record<string, unknown> => ({
    sub: 'user-sub-1',
    client_id: CLIENT_ID,
    username: 'alice',
    iss: jwksServer.issuer,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    iat: NOW / 1000 - 60,
    exp: NOW / 1000 + 3600,
  });
  const verifyAt = (token: string) =>
    verifyUserPoolToken(token, { jwks, issuer: jwksServer.issuer, clientIds: [CLIENT_ID], now: NOW, sourceIp: ['10.0.0.1'] });

  beforeAll(() => {
    jwks = remoteJwks(jwksServer.url);
  });

  it('accepts an id token and returns the identity AppSync gives resolvers', async () => {
    const claims = idClaims();
    expect(await verifyAt(jwt(claims))).toEqual({
      ok: true,
      identity: {
        sub: 'user-sub-1',
        issuer: jwksServer.issuer,
        username: 'alice',
        claims,
        sourceIp: ['10.0.0.1'],
        defaultAuthStrategy: 'ALLOW',
        groups: ['customers'],
      },
    });
  });

  it('accepts an access token (client_id, username) with groups null when the user is in none', async () => {
    const r = await verifyAt(jwt(accessClaims()));
    expect(r).toMatchObject({ ok: true, identity: { sub: 'user-sub-1', username: 'alice', groups: null } });
  });

  it('fetches the JWKS once and serves later tokens from its cache', async () => {
    const before = jwksServer.fetches();
    await verifyAt(jwt(idClaims()));
    await verifyAt(jwt(accessClaims()));
    expect(jwksServer.fetches()).toBe(before);
  });

  it.each<[string, () => string, RegExp]>([
    ['an expired token', () => jwt({ ...idClaims(), exp: NOW / 1000 - 1 }), /expired/],
    ['a token not valid yet', () => jwt({ ...idClaims(), nbf: NOW / 1000 + 60 }), /not valid yet/],
    ['a token signed by another key under the known kid', () => jwt(idClaims(), { key: stranger.privateKey }), /signature is invalid/],
    [
      'a token whose claims were changed after signing',
      () => {
        const [head = '', , signature = ''] = jwt(idClaims()).split('.');
        return `${head}.${b64({ ...idClaims(), 'cognito:groups': ['admins'] })}.${signature}`;
      },
      /signature is invalid/,
    ],
    [
      'a token from another issuer',
      () => jwt({ ...idClaims(), iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' }),
      /issuer/,
    ],
    ['an id token for another app client', () => jwt({ ...idClaims(), aud: OTHER_CLIENT_ID }), /client/],
    ['an access token for another app client', () => jwt({ ...accessClaims(), client_id: OTHER_CLIENT_ID }), /client/],
    ['a refresh-like token_use', () => jwt({ ...idClaims(), token_use: 'refresh' }), /token_use/],
    ['a token with an unknown kid', () => jwt(idClaims(), { kid: 'nobody', key: stranger.privateKey }), /no JWKS key with kid nobody/],
    ['an unsigned token (alg none)', () => `${b64({ alg: 'none', kid: 'k1' })}.${b64(idClaims())}.`, /compact JWS|RS256/],
    ['an HS256 token', () => jwt(idClaims(), { alg: 'HS256' }), /not RS256/],
    ['something that is not a JWT', () => 'not-a-token', /compact JWS/],
  ])('refuses %s', async (_label, token, reason) => {
    const r = await verifyAt(token());
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });

  it('refetches the JWKS for an unknown kid, so a rotated key is accepted', async () => {
    const rotating = await startJwksServer({ k1: current.publicKey });
    try {
      const cache = remoteJwks(rotating.url);
      const claims = { ...idClaims(), iss: rotating.issuer };
      const options = { jwks: cache, issuer: rotating.issuer, clientIds: [CLIENT_ID], now: NOW };
      expect((await verifyUserPoolToken(jwt(claims), options)).ok).toBe(true);
      rotating.setKeys({ k1: current.publicKey, k2: rotated.publicKey });
      expect((await verifyUserPoolToken(jwt(claims, { kid: 'k2', key: rotated.privateKey }), options)).ok).toBe(true);
      expect(rotating.fetches()).toBe(2);
    } finally {
      await rotating.stop();
    }
  });

  it('refuses every token while the JWKS cannot be fetched', async () => {
    const unreachable = remoteJwks(`${jwksServer.issuer}/missing.json`);
    const r = await verifyUserPoolToken(jwt(idClaims()), {
      jwks: unreachable,
      issuer: jwksServer.issuer,
      clientIds: [CLIENT_ID],
      now: NOW,
    });
    expect(r).toEqual({ ok: false, reason: 'no JWKS key with kid k1' });
  });
});

describe('cachingTokenVerifier', () => {
  const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_local';
  /** A JWKS whose key for k1 a test can swap (a rotation that reuses the kid). */
  function swappableJwks(initial: KeyObject) {
    let key = initial;
    const jwks: Jwks = { key: async (kid) => (kid === 'k1' ? key : null) };
    return { jwks, swap: (next: KeyObject) => (key = next) };
  }
  const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    sub: 'user-sub-1',
    client_id: CLIENT_ID,
    username: 'alice',
    'cognito:groups': ['customers'],
    iss: ISSUER,
    token_use: 'access',
    exp: NOW / 1000 + 3600,
    ...extra,
  });
  const options = (extra: { now?: number; clientIds?: string[] } = {}) => ({ issuer: ISSUER, clientIds: [CLIENT_ID], now: NOW, ...extra });

  it('remembers a verified token and answers it again with a fresh identity', async () => {
    const tokens = cachingTokenVerifier(swappableJwks(current.publicKey).jwks);
    const token = jwt(claims());

    const first = await tokens.verify(token, options());
    if (first.ok) Object.assign(first.identity.claims, { 'cognito:groups': ['admins'] }); // a careless consumer
    const second = await tokens.verify(token, options());

    expect(tokens.size).toBe(1);
    expect(second).toMatchObject({ ok: true, identity: { sub: 'user-sub-1', claims: { 'cognito:groups': ['customers'] } } });
  });

  it('refuses a remembered token once it has expired, and forgets it', async () => {
    const tokens = cachingTokenVerifier(swappableJwks(current.publicKey).jwks);
    const token = jwt(claims({ exp: NOW / 1000 + 60 }));
    expect((await tokens.verify(token, options())).ok).toBe(true);

    const later = await tokens.verify(token, options({ now: NOW + 60_000 }));

    expect(later).toEqual({ ok: false, reason: 'token has expired' });
    expect(tokens.size).toBe(0);
  });

  it('checks the claims of a remembered token on every call (another app client is refused)', async () => {
    const tokens = cachingTokenVerifier(swappableJwks(current.publicKey).jwks);
    const token = jwt(claims());
    expect((await tokens.verify(token, options())).ok).toBe(true);

    const other = await tokens.verify(token, options({ clientIds: [OTHER_CLIENT_ID] }));

    expect(other.ok ? '' : other.reason).toMatch(/client .* is not accepted/);
  });

  it('never remembers a bad signature or an expired token', async () => {
    const tokens = cachingTokenVerifier(swappableJwks(current.publicKey).jwks);
    const forged = jwt(claims(), { key: stranger.privateKey });
    const expired = jwt(claims({ exp: NOW / 1000 - 1 }));

    for (let i = 0; i < 2; i++) {
      expect(await tokens.verify(forged, options())).toEqual({ ok: false, reason: 'token signature is invalid' });
      expect(await tokens.verify(expired, options())).toEqual({ ok: false, reason: 'token has expired' });
    }
    expect(tokens.size).toBe(0);
  });

  it('verifies a remembered token again when its kid now names another key', async () => {
    const { jwks, swap } = swappableJwks(current.publicKey);
    const tokens = cachingTokenVerifier(jwks);
    const token = jwt(claims());
    expect((await tokens.verify(token, options())).ok).toBe(true);

    swap(stranger.publicKey);

    expect(await tokens.verify(token, options())).toEqual({ ok: false, reason: 'token signature is invalid' });
    expect(tokens.size).toBe(0);
  });

  it('keeps at most its bound of tokens', async () => {
    const tokens = cachingTokenVerifier(swappableJwks(current.publicKey).jwks, 2);

    for (const jti of ['a', 'b', 'c']) expect((await tokens.verify(jwt(claims({ jti })), options())).ok).toBe(true);

    expect(tokens.size).toBe(2);
  });
});

describe('a server with a user pool', () => {
  let jwksServer: Awaited<ReturnType<typeof startJwksServer>>;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const seen: ResolverInvocation[] = [];
  beforeAll(async () => {
    jwksServer = await startJwksServer({ k1: current.publicKey });
    server = await startTestServer({
      schemaSdl: 'type Query { me: String @aws_cognito_user_pools\n hello: String }',
      resolvers: new Map([
        [
          'Query.me',
          (invocation: ResolverInvocation) => {
            seen.push(invocation);
            return Promise.resolve({ data: 'me', errors: [] });
          },
        ],
        ['Query.hello', () => Promise.resolve({ data: 'world', errors: [] })],
      ]),
      userPool: { issuer: jwksServer.issuer, clientIds: [CLIENT_ID] },
    });
  });
  afterAll(async () => {
    await server.stop();
    await jwksServer.stop();
  });
  const token = (claims: Record<string, unknown> = {}) =>
    jwt({
      sub: 'user-sub-2',
      aud: CLIENT_ID,
      'cognito:username': 'bob',
      iss: jwksServer.issuer,
      token_use: 'id',
      exp: Math.floor(Date.now() / 1000) + 3600,
      ...claims,
    });

  it('authenticates `Authorization: <id token>` as that user, and resolvers see the user-pool identity', async () => {
    const res = await postGraphQL(server.url, { query: '{ me }' }, { authorization: token() });
    expect(res).toMatchObject({ status: 200, json: { data: { me: 'me' } } });
    expect(seen.at(-1)).toMatchObject({
      authType: 'AMAZON_COGNITO_USER_POOLS',
      identity: { sub: 'user-sub-2', username: 'bob', issuer: jwksServer.issuer, groups: null, defaultAuthStrategy: 'ALLOW' },
    });
  });

  it('lets a user-pool caller read only fields that grant the mode', async () => {
    const res = await postGraphQL(server.url, { query: '{ hello }' }, { authorization: token() });
    expect(res).toMatchObject({ status: 200, json: { errors: [{ errorType: 'Unauthorized' }] } });
  });

  it.each([
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 10 })],
    ['a token from another issuer', () => token({ iss: 'https://elsewhere.example/pool' })],
    ['a token for another client', () => token({ aud: OTHER_CLIENT_ID })],
  ])('answers %s with 401 UnauthorizedException', async (_label, make) => {
    const res = await postGraphQL(server.url, { query: '{ me }' }, { authorization: make() });
    expect(res.status).toBe(401);
    expect(res.json).toEqual(unauthorizedBody());
  });

  it('still serves the API key', async () => {
    const res = await postGraphQL(server.url, { query: '{ hello }' }, { 'x-api-key': API_KEY });
    expect(res.status).toBe(200);
  });

  it('acknowledges a realtime connection carrying a valid token, and refuses an expired one', async () => {
    const host = new URL(server.url).host;
    const ok = new RawClient(server.realtimeUrl, ['graphql-ws', headerProtocol({ Authorization: token(), host })]);
    expect((await ok.init()).type).toBe('connection_ack');
    await ok.close();
    const expired = token({ exp: Math.floor(Date.now() / 1000) - 10 });
    const bad = new RawClient(server.realtimeUrl, ['graphql-ws', headerProtocol({ Authorization: expired, host })]);
    await bad.opened;
    bad.send({ type: 'connection_init' });
    expect((await bad.waitFor((f) => f.type === 'connection_error')).payload.errors[0]).toMatchObject({
      errorType: 'UnauthorizedException',
      errorCode: 401,
    });
    await bad.closed;
  });
});
