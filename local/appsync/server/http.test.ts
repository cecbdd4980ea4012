import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnknownResolverFieldError } from './execution.js';
import { API_KEY, iamHeaders, postGraphQL, startTestServer } from './test-kit.js';

/** `{ a { a { … } } }`, `levels` selection sets deep (not valid against any schema; never parsed). */
const nested = (levels: number) => `{${' a {'.repeat(levels - 1)} b${' }'.repeat(levels)}`;

function getGraphQL(url: string, query: string, headers: Record<string, string> = { 'x-api-key': API_KEY }) {
  return fetch(`${url}?query=${encodeURIComponent(query)}`, { headers });
}

function preflight(url: string, origin: string, headers = 'x-api-key,content-type,apollographql-client-name,apollographql-client-version') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });
}

/** A preflight with a Host header of the test's choosing (fetch sets Host from the URL). */
function rawPreflight(port: number, headers: { host: string; origin: string }): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'OPTIONS', headers: { ...headers, 'access-control-request-method': 'POST' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const UNAUTHORIZED = { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] };

describe('POST /graphql authentication', () => {
  it('answers 401 with x-amzn-ErrorType when the API key is missing', async () => {
    const res = await postGraphQL(server.url, { query: '{ hello }' }, {});
    expect(res.status).toBe(401);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(res.json).toEqual(UNAUTHORIZED);
  });

  it('answers 401 for an unknown API key', async () => {
    const res = await postGraphQL(server.url, { query: '{ hello }' }, { 'x-api-key': 'da2-wrong' });
    expect(res.status).toBe(401);
    expect(res.json).toEqual(UNAUTHORIZED);
  });

  it('answers 401 for a malformed SigV4 header', async () => {
    const res = await postGraphQL(
      server.url,
      { query: '{ hello }' },
      { authorization: 'AWS4-HMAC-SHA256 garbage', 'x-amz-date': '20250101T120000Z' },
    );
    expect(res.status).toBe(401);
  });

  it('answers 401 for SigV4 without x-amz-date', async () => {
    const { authorization = '' } = await iamHeaders(server.url, { query: '{ secret }' });
    const res = await postGraphQL(server.url, { query: '{ secret }' }, { authorization });
    expect(res.status).toBe(401);
  });

  it('answers 401 UnauthorizedException for a made-up signature, and runs nothing', async () => {
    const body = { query: '{ secret }' };
    const headers = await iamHeaders(server.url, body);
    headers['authorization'] = (headers['authorization'] ?? '').replace(/Signature=[0-9a-f]{64}/, `Signature=${'a'.repeat(64)}`);
    const before = server.calls.length;
    const res = await postGraphQL(server.url, body, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(res.json).toEqual(UNAUTHORIZED);
    expect(server.calls.length).toBe(before);
  });

  it('answers 401 for a valid signature by an access key the API does not know', async () => {
    const body = { query: '{ secret }' };
    const credentials = { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'its-own-secret' };
    const res = await postGraphQL(server.url, body, await iamHeaders(server.url, body, { credentials }));
    expect(res.status).toBe(401);
    expect(res.json).toEqual(UNAUTHORIZED);
  });

  it('runs a query with a valid API key', async () => {
    const res = await postGraphQL(server.url, { query: '{ hello }' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ data: { hello: 'world' } });
  });
});

describe('field-level authorization', () => {
  it('refuses an IAM-only field to an API key caller with an Unauthorized field error', async () => {
    const res = await postGraphQL(server.url, { query: '{ hello secret }' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      data: { hello: 'world', secret: null },
      errors: [
        {
          path: ['secret'],
          data: null,
          errorType: 'Unauthorized',
          errorInfo: null,
          locations: [{ line: 1, column: 9, sourceName: null }],
          message: 'Not Authorized to access secret on type Query',
        },
      ],
    });
  });

  it('accepts a SigV4 caller on an @aws_iam field and passes an IAM identity to the resolver', async () => {
    const body = { query: '{ secret both }' };
    const res = await postGraphQL(server.url, body, await iamHeaders(server.url, body));
    expect(res.json).toEqual({ data: { secret: 's3cret', both: 'both' } });
    const call = server.calls.find((c) => c.info.fieldName === 'secret');
    expect(call?.authType).toBe('AWS_IAM');
    expect(call?.identity).toMatchObject({ username: 'AKIDPUBLISHER', accountId: '000000000000' });
  });

  it('accepts execute-api as the signing service (Amplify signs customEndpoint requests for it)', async () => {
    const body = { query: '{ secret }' };
    const res = await postGraphQL(server.url, body, await iamHeaders(server.url, body, { service: 'execute-api' }));
    expect(res.json).toEqual({ data: { secret: 's3cret' } });
  });

  it('refuses a field with no auth directive to an IAM caller (only the default mode may read it)', async () => {
    const body = { query: '{ hello }' };
    const res = await postGraphQL(server.url, body, await iamHeaders(server.url, body));
    expect(res.json).toMatchObject({
      data: { hello: null },
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access hello on type Query' }],
    });
  });

  it('refuses an @aws_iam mutation to an API key caller and publishes nothing', async () => {
    const res = await postGraphQL(server.url, {
      query: 'mutation { publishThing(thing: "{\\"id\\":\\"1\\",\\"status\\":\\"NEW\\"}") { id } }',
    });
    expect(res.json).toMatchObject({ data: { publishThing: null }, errors: [{ errorType: 'Unauthorized' }] });
    expect(server.calls.some((c) => c.info.fieldName === 'publishThing')).toBe(false);
  });
});

describe('resolver invocation', () => {
  it('refuses to start with a resolver for a field the schema lacks', async () => {
    await expect(startTestServer({ resolvers: new Map([['Query.nope', async () => ({ data: null, errors: [] })]]) })).rejects.toThrow(
      UnknownResolverFieldError,
    );
  });

  it('passes arguments, lower-cased headers without cookie, and the selection set', async () => {
    await postGraphQL(
      server.url,
      { query: 'query Q($id: ID!) { getThing(id: $id) { id renamed: owner parts { name } } }', variables: { id: 't1' } },
      {
        'x-api-key': API_KEY,
        'X-Custom-Header': 'yes',
        cookie: 'session=secret',
      },
    );
    const call = server.calls.findLast((c) => c.info.fieldName === 'getThing');
    expect(call?.arguments).toEqual({ id: 't1' });
    expect(call?.source).toBeNull();
    expect(call?.request.headers['x-custom-header']).toBe('yes');
    expect(call?.request.headers['cookie']).toBeUndefined();
    expect(call?.info.parentTypeName).toBe('Query');
    expect(call?.info.variables).toEqual({ id: 't1' });
    expect(call?.info.selectionSetList).toEqual(['id', 'renamed', 'parts', 'parts/name']);
    expect(call?.info.selectionSetGraphQL).toContain('renamed: owner');
  });

  it('parses AWSJSON arguments for the resolver and serializes AWSJSON results', async () => {
    const body = {
      query: 'mutation M($t: AWSJSON!) { publishThing(thing: $t) { id status } }',
      variables: { t: JSON.stringify({ id: 'j1', status: 'NEW' }) },
    };
    const res = await postGraphQL(server.url, body, await iamHeaders(server.url, body));
    expect(res.json).toEqual({ data: { publishThing: { id: 'j1', status: 'NEW' } } });
    expect(server.calls.findLast((c) => c.info.fieldName === 'publishThing')?.arguments).toEqual({ thing: { id: 'j1', status: 'NEW' } });
  });
});

describe('error shapes', () => {
  it('reports a resolver error with AppSync fields and a null field', async () => {
    const res = await postGraphQL(server.url, { query: '{\n  fails { id }\n}' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      data: { fails: null },
      errors: [
        {
          path: ['fails'],
          data: null,
          errorType: 'NotFound',
          errorInfo: { hint: 1 },
          locations: [{ line: 2, column: 3, sourceName: null }],
          message: 'No such thing',
        },
      ],
    });
  });

  it('keeps the value and reports appended errors', async () => {
    const res = await postGraphQL(server.url, { query: '{ appended }' });
    expect(res.json).toMatchObject({
      data: { appended: 'partial' },
      errors: [{ path: ['appended'], errorType: 'Warning', message: 'Heads up' }],
    });
  });

  it('nulls the parent when a non-null mutation field fails, with only the resolver error, and answers 200', async () => {
    const res = await postGraphQL(server.url, { query: 'mutation { requiredThing(id: "1") { id } }' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      data: null,
      errors: [{ path: ['requiredThing'], errorType: 'InvalidTransition', message: 'Cannot do it' }],
    });
    expect((res.json as { errors: unknown[] }).errors).toHaveLength(1);
  });

  it('answers 200 without leaking internals when a resolver throws', async () => {
    const res = await postGraphQL(server.url, { query: '{ boom }' });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json)).not.toContain('internal detail');
    expect(res.json).toMatchObject({ data: { boom: null }, errors: [{ errorType: 'InternalFailure' }] });
    expect(server.logs.some((l) => l.includes('resolver bug with internal detail'))).toBe(true);
  });

  it('reports an invalid AWSDateTime result as a field error', async () => {
    const res = await postGraphQL(server.url, { query: '{ badDate }' });
    expect(res.json).toMatchObject({ data: { badDate: null }, errors: [{ path: ['badDate'] }] });
    expect(JSON.stringify(res.json)).toContain('AWSDateTime');
  });
});

describe('validation and parse errors', () => {
  it('answers 200 with data null and AppSync wording for an unknown field', async () => {
    const res = await postGraphQL(server.url, { query: '{badfield}' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: [{ line: 1, column: 2, sourceName: null }],
          message: "Validation error of type FieldUndefined: Field 'badfield' in type 'Query' is undefined @ 'badfield'",
        },
      ],
    });
  });

  it('reports a null non-null variable in AppSync wording', async () => {
    const res = await postGraphQL(server.url, { query: 'query Q($id: ID!) { getThing(id: $id) { id } }', variables: { id: null } });
    expect(res.json).toEqual({
      data: null,
      errors: [{ path: null, locations: null, message: "Variable 'id' has coerced Null value for NonNull type 'ID!'" }],
    });
  });

  it('answers 400 MalformedHttpRequestException for an empty body', async () => {
    const res = await postGraphQL(server.url, '');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ errors: [{ message: 'Request body is empty.', errorType: 'MalformedHttpRequestException' }] });
  });

  it.each(['meow', '{}', '{}}', '[]'])('answers 400 "Unable to parse GraphQL query." for body %s', async (body) => {
    const res = await postGraphQL(server.url, body);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ errors: [{ message: 'Unable to parse GraphQL query.', errorType: 'MalformedHttpRequestException' }] });
  });

  it('answers 200 with data null for a GraphQL syntax error', async () => {
    const res = await postGraphQL(server.url, { query: '{ hello ' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ data: null, errors: [{ path: null, message: expect.stringContaining('Invalid Syntax') }] });
  });

  it('refuses subscriptions over HTTP', async () => {
    const res = await postGraphQL(server.url, { query: 'subscription { onThing { id } }' });
    expect(res.json).toMatchObject({ data: null, errors: [{ errorType: 'UnsupportedOperation' }] });
  });
});

describe('other request forms', () => {
  it('accepts application/graphql bodies', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/graphql', 'x-api-key': API_KEY },
      body: '{ hello }',
    });
    expect(await res.json()).toEqual({ data: { hello: 'world' } });
  });

  it('accepts GET with query parameters', async () => {
    const res = await fetch(
      `${server.url}?query=${encodeURIComponent('query($id: ID!) { getThing(id: $id) { id } }')}&variables=${encodeURIComponent('{"id":"g1"}')}`,
      {
        headers: { 'x-api-key': API_KEY },
      },
    );
    expect(await res.json()).toEqual({ data: { getThing: { id: 'g1' } } });
  });

  it('lets extraRoutes serve other pages and 404s the rest', async () => {
    const other = await startTestServer({
      extraRoutes: (req, res) => {
        if (req.url !== '/demo') return false;
        res.end('demo page');
        return true;
      },
    });
    try {
      expect(await (await fetch(`http://127.0.0.1:${other.port}/demo`)).text()).toBe('demo page');
      expect((await fetch(`http://127.0.0.1:${other.port}/nope`)).status).toBe(404);
    } finally {
      await other.stop();
    }
  });
});

describe('CORS', () => {
  it.each(['127.0.0.1', 'localhost'])(
    "answers preflights from the server's own origin on %s with exactly the headers the browser asks for",
    async (host) => {
      const origin = `http://${host}:${server.port}`;
      const res = await preflight(server.url, origin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-headers')).toBe(
        'x-api-key, content-type, apollographql-client-name, apollographql-client-version',
      );
      expect(res.headers.get('vary')).toBe('origin, access-control-request-headers');
      const signed = await preflight(
        server.url,
        origin,
        'Authorization, X-Amz-Date, X-Amz-Security-Token, X-Amz-User-Agent, x-custom-trace',
      );
      expect(signed.headers.get('access-control-allow-headers')).toBe(
        'authorization, x-amz-date, x-amz-security-token, x-amz-user-agent, x-custom-trace',
      );
    },
  );

  it('refuses another origin: no CORS headers, 403, and the request does not run', async () => {
    const res = await preflight(server.url, 'http://127.0.0.1:5173');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-headers')).toBeNull();
    const before = server.calls.length;
    const post = await postGraphQL(
      server.url,
      { query: 'mutation { putThing(id: "evil") { id } }' },
      { 'x-api-key': API_KEY, origin: 'https://evil.example' },
    );
    expect(post.status).toBe(403);
    expect(post.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    expect(post.json).toEqual({ errors: [{ errorType: 'ForbiddenException', message: 'Origin not allowed.' }] });
    expect(server.calls.length).toBe(before);
  });

  it('allows an origin configured explicitly, with the headers it asks for', async () => {
    const other = await startTestServer({ corsOrigins: ['https://studio.apollographql.com'] });
    try {
      const res = await preflight(other.url, 'https://studio.apollographql.com');
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
      expect(res.headers.get('access-control-allow-headers')).toBe(
        'x-api-key, content-type, apollographql-client-name, apollographql-client-version',
      );
      expect((await preflight(other.url, 'https://sandbox.embed.apollographql.com')).status).toBe(403);
    } finally {
      await other.stop();
    }
  });

  it('allows the IP address the page was served from (a LAN address), never a DNS name pointed here', async () => {
    // The browser sets Host from the URL it calls: a page at http://192.168.1.20:<port> served by
    // this server calls it with that Host. A page on a name (DNS rebinding) has no such right.
    const lan = `192.168.1.20:${server.port}`;
    const own = await rawPreflight(server.port, { host: lan, origin: `http://${lan}` });
    expect(own.statusCode).toBe(204);
    expect(own.headers['access-control-allow-origin']).toBe(`http://${lan}`);
    const rebound = `evil.example:${server.port}`;
    expect((await rawPreflight(server.port, { host: rebound, origin: `http://${rebound}` })).statusCode).toBe(403);
    // Another port or scheme of the same address is another origin.
    expect((await rawPreflight(server.port, { host: lan, origin: 'http://192.168.1.20:5173' })).statusCode).toBe(403);
    expect((await rawPreflight(server.port, { host: lan, origin: `https://${lan}` })).statusCode).toBe(403);
  });
});

describe('request limits', () => {
  let limited: Server;
  beforeAll(async () => {
    limited = await startTestServer({
      limits: { queryDepthLimit: 2, resolverCountLimit: 3, rootFieldLimits: { 'Mutation.putThing': 2 } },
    });
  });
  afterAll(async () => {
    await limited.stop();
  });

  it('never runs a mutation sent with GET: 405, Allow: POST', async () => {
    const before = server.calls.length;
    const res = await getGraphQL(server.url, 'mutation { putThing(id: "via-get") { id } }');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('x-amzn-errortype')).toBe('MethodNotAllowedException');
    expect(await res.json()).toEqual({
      data: null,
      errors: [
        { path: null, locations: null, errorType: 'MethodNotAllowedException', message: 'A mutation cannot be sent with GET; use POST.' },
      ],
    });
    expect(server.calls.length).toBe(before);
  });

  it('answers a query nested 5,000 levels deep with a 400 validation error, not a 500, and runs nothing', async () => {
    const before = server.calls.length;
    // A root field with a resolver beside the nesting: a server that ran any of it would call it.
    const res = await postGraphQL(server.url, { query: `{ hello ${nested(5000).slice(1)}` });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('QueryDepthLimitExceeded');
    expect(res.json).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: null,
          errorType: 'QueryDepthLimitExceeded',
          message: 'Validation error: the document nests deeper than 256 levels and was not parsed.',
        },
      ],
    });
    expect(server.calls.length).toBe(before);
  });

  it('refuses a fragment bomb (each fragment spreading the next twice) without walking it all', async () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Query { hello }` : `fragment F${i} on Query { ...F${i + 1} a${i}: hello ...F${i + 1} }`,
    ).join('\n');
    const res = await postGraphQL(server.url, { query: `query { ...F0 }\n${fragments}` });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ data: null, errors: [{ errorType: 'ResolverCountLimitExceeded' }] });
  });

  it('refuses a query deeper than queryDepthLimit, through fragments too, before any resolver runs', async () => {
    const before = limited.calls.length;
    const direct = await postGraphQL(limited.url, { query: '{ getThing(id: "1") { parts { name } } }' });
    const viaFragment = await postGraphQL(limited.url, {
      query: 'query { getThing(id: "1") { ...F } } fragment F on Thing { parts { name } }',
    });
    for (const res of [direct, viaFragment]) {
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        data: null,
        errors: [{ path: null, locations: null, errorType: 'QueryDepthLimitExceeded', message: 'Query depth limit of 2 exceeded.' }],
      });
    }
    expect(limited.calls.length).toBe(before);
    expect((await postGraphQL(limited.url, { query: '{ getThing(id: "1") { id } }' })).json).toEqual({ data: { getThing: { id: '1' } } });
  });

  it('refuses a request with more resolvers than resolverCountLimit before any runs', async () => {
    const before = limited.calls.length;
    const res = await postGraphQL(limited.url, { query: '{ a: hello b: hello c: hello d: hello }' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: null,
          errorType: 'ResolverCountLimitExceeded',
          message: 'Resolver count limit of 3 exceeded (4 resolvers).',
        },
      ],
    });
    expect(limited.calls.length).toBe(before);
  });

  it('refuses 1,000 aliases of a capped mutation before anything is written or published', async () => {
    const before = limited.calls.length;
    const aliases = Array.from({ length: 1000 }, (_, i) => `o${i}: putThing(id: "x${i}") { id }`).join('\n');
    const res = await postGraphQL(limited.url, { query: `mutation {\n${aliases}\n}` });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      data: null,
      errors: [
        {
          path: null,
          locations: null,
          errorType: 'RequestLimitExceeded',
          message: 'One request may call putThing at most 2 times; this one calls it 1000 times.',
        },
      ],
    });
    expect(limited.calls.length).toBe(before);
    const two = await postGraphQL(limited.url, { query: 'mutation { a: putThing(id: "a") { id } b: putThing(id: "b") { id } }' });
    expect(two.json).toEqual({ data: { a: { id: 'a' }, b: { id: 'b' } } });
  });
});

describe('introspection', () => {
  it('is on by default', async () => {
    const res = await postGraphQL(server.url, { query: '{ __schema { queryType { name } } }' });
    expect(res.json).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('when switched off, answers introspection with a validation error but still serves __typename', async () => {
    const closed = await startTestServer({ introspection: false });
    try {
      const res = await postGraphQL(closed.url, { query: '{ __schema { types { name } } }' });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        data: null,
        errors: [
          {
            path: null,
            locations: null,
            message: "Validation error of type FieldUndefined: Field 'types' in type '__Schema' is undefined @ '__schema/types'",
          },
        ],
      });
      const typeQuery = await postGraphQL(closed.url, { query: '{ t: __type(name: "Thing") { name } }' });
      expect((typeQuery.json as { errors: { message: string }[] }).errors[0]?.message).toBe(
        "Validation error of type FieldUndefined: Field 'name' in type '__Type' is undefined @ 't/name'",
      );
      expect((await postGraphQL(closed.url, { query: '{ __typename hello }' })).json).toEqual({
        data: { __typename: 'Query', hello: 'world' },
      });
    } finally {
      await closed.stop();
    }
  });
});
