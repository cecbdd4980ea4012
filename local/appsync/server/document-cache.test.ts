import { describe, expect, it } from 'vitest';
import { DocumentCache, MAX_CACHED_QUERY_LENGTH } from './document-cache.js';
import { AppSyncEngine } from './execution.js';
import { buildAppSyncSchema } from './schema.js';
import { SubscriptionHub } from './subscriptions.js';

const SDL = `
type Thing { id: ID! name: String }
type Query { thing(id: ID!): Thing hello: String }
`;
const schema = buildAppSyncSchema(SDL);
const QUERY = 'query Q($id: ID!) { thing(id: $id) { id name } }';
const API_KEY_META = { auth: { authType: 'API_KEY' as const, identity: null }, headers: {} };

describe('DocumentCache', () => {
  it('parses and validates a query text once, however often it is checked', () => {
    const cache = new DocumentCache(schema);

    const first = cache.check(QUERY);
    const second = cache.check(QUERY);

    expect(first.ok).toBe(true);
    expect(second).toBe(first);
    expect(cache.parseCount).toBe(1);
    expect(cache.size).toBe(1);
  });

  it('keeps a query that fails validation and answers the same errors again', () => {
    const cache = new DocumentCache(schema);

    const first = cache.check('{ badfield }');
    const second = cache.check('{ badfield }');

    expect(first).toEqual({
      ok: false,
      errors: [
        {
          path: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: "Validation error of type FieldUndefined: Field 'badfield' in type 'Query' is undefined @ 'badfield'",
        },
      ],
    });
    expect(second).toEqual(first);
    expect(cache.parseCount).toBe(1);
  });

  it('keeps a syntax error and answers the same errors again', () => {
    const cache = new DocumentCache(schema);

    const first = cache.check('{ hello ');
    const second = cache.check('{ hello ');

    expect(first.ok).toBe(false);
    expect(!first.ok && first.errors[0]?.message).toMatch(/^Invalid Syntax/);
    expect(second).toEqual(first);
    expect(cache.parseCount).toBe(1);
  });

  it('evicts the least recently used text when full', () => {
    const cache = new DocumentCache(schema, { maxEntries: 2 });
    cache.check('{ hello }');
    cache.check('query A { hello }');
    cache.check('{ hello }'); // now the most recently used

    cache.check('query B { hello }'); // evicts "query A"
    cache.check('{ hello }');
    cache.check('query A { hello }');

    expect(cache.size).toBe(2);
    expect(cache.parseCount).toBe(4);
  });

  it('does not keep very long query texts', () => {
    const cache = new DocumentCache(schema);
    const long = `{ hello }${' '.repeat(MAX_CACHED_QUERY_LENGTH)}`;

    cache.check(long);
    cache.check(long);

    expect(cache.size).toBe(0);
    expect(cache.parseCount).toBe(2);
  });

  it('is per schema: a text valid for one schema is not taken as valid for another', () => {
    const other = buildAppSyncSchema('type Query { hello: String }');
    const a = new DocumentCache(schema);
    const b = new DocumentCache(other);

    expect(a.check(QUERY).ok).toBe(true);
    expect(b.check(QUERY).ok).toBe(false);
  });
});

describe('AppSyncEngine document caching', () => {
  function engine() {
    const resolvers = new Map([['Query.thing', async () => ({ data: { id: 't1', name: 'one' }, errors: [] })]]);
    return new AppSyncEngine({ schema, resolvers, hub: new SubscriptionHub(schema) });
  }

  it('runs the same document with different variables from one parse', async () => {
    const e = engine();

    const first = await e.execute({ query: QUERY, variables: { id: 'a' } }, API_KEY_META);
    const second = await e.execute({ query: QUERY, variables: { id: 'b' } }, API_KEY_META);

    expect(first).toEqual({ data: { thing: { id: 't1', name: 'one' } } });
    expect(second).toEqual(first);
    expect(e.documents.parseCount).toBe(1);
  });

  it('answers a cached invalid query with the same body every time', async () => {
    const e = engine();

    const first = await e.execute({ query: '{ badfield }' }, API_KEY_META);
    const second = await e.execute({ query: '{ badfield }' }, API_KEY_META);

    expect(first).toMatchObject({ data: null, errors: [{ message: expect.stringContaining('FieldUndefined') }] });
    expect(second).toEqual(first);
    expect(e.documents.parseCount).toBe(1);
  });

  it('still checks the operation name per request against the cached document', async () => {
    const e = engine();
    const query = 'query A { hello } query B { hello }';

    const named = await e.execute({ query, operationName: 'B' }, API_KEY_META);
    const unknown = await e.execute({ query, operationName: 'C' }, API_KEY_META);

    expect(named).toEqual({ data: { hello: null } });
    expect(unknown).toMatchObject({ data: null, errors: [{ message: "Unknown operation named 'C'." }] });
    expect(e.documents.parseCount).toBe(1);
  });
});
