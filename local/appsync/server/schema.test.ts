import { graphqlSync, GraphQLScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AppSyncSchemaError, buildAppSyncSchema } from './schema.js';

const SDL = `
type Query {
  echoDateTime(v: AWSDateTime): AWSDateTime
  echoJson(v: AWSJSON): AWSJSON
  echo(date: AWSDate, time: AWSTime, ts: AWSTimestamp, email: AWSEmail, url: AWSURL, phone: AWSPhone, ip: AWSIPAddress): String
  old: String @deprecated(reason: "no")
}
type Subscription { onX: String @aws_subscribe(mutations: ["m"]) @aws_api_key @aws_iam }
`;

function scalar(name: string): GraphQLScalarType {
  const t = buildAppSyncSchema(SDL).getType(name);
  if (!(t instanceof GraphQLScalarType)) throw new Error(`${name} missing`);
  return t;
}

describe('buildAppSyncSchema', () => {
  it('accepts AppSync SDL that uses the undeclared AWS scalars and @aws_* directives', () => {
    const schema = buildAppSyncSchema(SDL);
    expect(schema.getDirective('aws_subscribe')).toBeDefined();
    expect(schema.getType('AWSPhone')).toBeDefined();
  });

  it('does not redeclare a scalar or directive the SDL declares itself', () => {
    expect(() =>
      buildAppSyncSchema(`scalar AWSJSON\ndirective @aws_iam on FIELD_DEFINITION | OBJECT\ntype Query { a: AWSJSON @aws_iam }`),
    ).not.toThrow();
  });

  it('throws AppSyncSchemaError for an invalid schema', () => {
    expect(() => buildAppSyncSchema('type Query { a: Missing }')).toThrow(AppSyncSchemaError);
    expect(() => buildAppSyncSchema('type Query {')).toThrow(AppSyncSchemaError);
  });
});

describe('AWSDateTime', () => {
  it('accepts ISO-8601 with an offset', () => {
    for (const v of ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.123Z', '2024-05-01T10:00+02:00', '2024-05-01T10:00:00-07:00']) {
      expect(scalar('AWSDateTime').parseValue(v)).toBe(v);
    }
  });

  it('rejects values without an offset or not dates at all', () => {
    for (const v of ['2024-05-01T10:00:00', '2024-05-01', 'yesterday', 12, '2024-13-01T10:00:00Z']) {
      expect(() => scalar('AWSDateTime').parseValue(v)).toThrow();
    }
  });
});

describe('AWSJSON', () => {
  it('parses JSON text for resolvers and serializes values to JSON text', () => {
    const t = scalar('AWSJSON');
    expect(t.parseValue('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(t.serialize({ a: 1 })).toBe('{"a":1}');
    expect(t.serialize('{"already":"json"}')).toBe('{"already":"json"}');
  });

  it('rejects text that is not JSON and non-string variables', () => {
    expect(() => scalar('AWSJSON').parseValue('{nope')).toThrow();
    expect(() => scalar('AWSJSON').parseValue({ a: 1 })).toThrow();
  });

  it('parses literals in documents', () => {
    const schema = buildAppSyncSchema(SDL);
    const res = graphqlSync({ schema, source: '{ echoJson(v: "[1,true]") }', rootValue: { echoJson: (a: { v: unknown }) => a.v } });
    expect(res).toEqual({ data: { echoJson: '[1,true]' } });
  });
});

describe('other AWS scalars', () => {
  it.each([
    ['AWSDate', '2024-05-01', '2024-5-1'],
    ['AWSTime', '10:15:30.5+01:00', '25:00'],
    ['AWSEmail', 'olga@example.com', 'not-an-email'],
    ['AWSURL', 'https://example.com/x?y=1', 'example.com'],
    ['AWSPhone', '+1 (403) 555-0100', 'call me'],
    ['AWSIPAddress', '10.0.0.0/8', '999.1.1.1'],
  ])('%s accepts %s and rejects %s', (name, good, bad) => {
    expect(scalar(name).parseValue(good)).toBe(good);
    expect(() => scalar(name).parseValue(bad)).toThrow();
  });

  it('AWSTimestamp takes integer seconds', () => {
    expect(scalar('AWSTimestamp').parseValue(1714557600)).toBe(1714557600);
    expect(() => scalar('AWSTimestamp').parseValue(1.5)).toThrow();
    expect(() => scalar('AWSTimestamp').parseValue('1714557600')).toThrow();
  });

  it('AWSIPAddress accepts IPv6 and rejects an oversized prefix', () => {
    expect(scalar('AWSIPAddress').parseValue('::1')).toBe('::1');
    expect(() => scalar('AWSIPAddress').parseValue('10.0.0.0/33')).toThrow();
  });
});
