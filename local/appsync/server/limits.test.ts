/** checkRequestLimits keeps its verdicts by query text; these check the key covers all it depends on. */
import { describe, expect, it } from 'vitest';
import { checkRequestLimits, type LimitContext } from './limits.js';
import { buildAppSyncSchema } from './schema.js';

const schema = buildAppSyncSchema(/* GraphQL */ `
  type Query {
    thing: Thing
  }
  type Mutation {
    put: Thing
  }
  type Thing {
    id: ID
    child: Thing
  }
`);

const context = (queryDepthLimit?: number): LimitContext => ({
  schema,
  resolverFields: new Set(['Query.thing', 'Mutation.put']),
  limits: { queryDepthLimit },
  introspection: true,
});

describe('checkRequestLimits verdicts kept by query text', () => {
  it('answers a repeated text the same way', () => {
    const ctx = context(2);
    const deep = '{ thing { child { child { id } } } }';

    const first = checkRequestLimits({ query: deep }, ctx);
    const second = checkRequestLimits({ query: deep }, ctx);

    expect(first).toMatchObject({ status: 400, errorType: 'QueryDepthLimitExceeded' });
    expect(second).toEqual(first);
    expect(checkRequestLimits({ query: '{ thing { id } }' }, ctx)).toBeNull();
  });

  it('keeps GET apart from POST and one operation name apart from another', () => {
    const ctx = context();
    const query = 'query A { thing { id } } mutation B { put { id } }';

    expect(checkRequestLimits({ query, operationName: 'B', method: 'POST' }, ctx)).toBeNull();
    expect(checkRequestLimits({ query, operationName: 'B', method: 'GET' }, ctx)).toMatchObject({ status: 405 });
    expect(checkRequestLimits({ query, operationName: 'A', method: 'GET' }, ctx)).toBeNull();
    expect(checkRequestLimits({ query, operationName: 'B', method: 'POST' }, ctx)).toBeNull();
  });

  it('keeps one server’s verdicts apart from another’s', () => {
    const query = '{ thing { child { child { id } } } }';

    expect(checkRequestLimits({ query }, context(5))).toBeNull();
    expect(checkRequestLimits({ query }, context(2))).toMatchObject({ errorType: 'QueryDepthLimitExceeded' });
  });
});
