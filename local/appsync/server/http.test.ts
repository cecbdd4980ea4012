import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnknownResolverFieldError } from './execution.js';
import { API_KEY, iamHeaders, postGraphQL, startTestServer } from './test-kit.js';

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
    const { authorization = '' } = iamHeaders();
    const res = await postGraphQL(server.url, { query: '{ secret }' }, { authorization });
    expect(res.status).toBe(401);
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
    const res = await postGraphQL(server.url, { query: '{ secret both }' }, iamHeaders('AKIDPUBLISHER'));
    expect(res.json).toEqual({ data: { secret: 's3cret', both: 'both' } });
    const call = server.calls.find((c) => c.info.fieldName === 'secret');
    expect(call?.authType).toBe('AWS_IAM');
    expect(call?.identity).toMatchObject({ username: 'AKIDPUBLISHER', accountId: '000000000000' });
  });

  it('accepts execute-api as the signing service (Amplify signs customEndpoint requests for it)', async () => {
    const res = await postGraphQL(server.url, { query: '{ secret }' }, iamHeaders('AKID2', 'execute-api'));
    expect(res.json).toEqual({ data: { secret: 's3cret' } });
  });

  it('refuses a field with no auth directive to an IAM caller (only the default mode may read it)', async () => {
    const res = await postGraphQL(server.url, { query: '{ hello }' }, iamHeaders());
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
    const res = await postGraphQL(
      server.url,
      {
        query: 'mutation M($t: AWSJSON!) { publishThing(thing: $t) { id status } }',
        variables: { t: JSON.stringify({ id: 'j1', status: 'NEW' }) },
      },
      iamHeaders(),
    );
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

  it('answers CORS preflights for a browser app on another port', async () => {
    const res = await fetch(server.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-api-key');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-amz-security-token');
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
