import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authenticate, FieldAuthorization } from './auth.js';
import { buildAppSyncSchema } from './schema.js';

const projectSchema = buildAppSyncSchema(readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8'));
const options = { apiKeys: ['da2-a'], region: 'us-east-1', remoteAddress: '127.0.0.1' };
const sigv4 = (scope: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDX/20250101/${scope}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

describe('authenticate', () => {
  it('accepts a known API key with no identity', () => {
    expect(authenticate({ 'x-api-key': 'da2-a' }, options)).toEqual({ ok: true, auth: { authType: 'API_KEY', identity: null } });
  });

  it('builds an IAM identity from the access key id and source IPs', () => {
    const r = authenticate(
      { authorization: sigv4('us-east-1/appsync'), 'x-amz-date': '20250101T000000Z', 'x-forwarded-for': '10.0.0.1' },
      options,
    );
    expect(r).toMatchObject({
      ok: true,
      auth: {
        authType: 'AWS_IAM',
        identity: { username: 'AKIDX', userArn: 'arn:aws:iam::000000000000:user/AKIDX', sourceIp: ['10.0.0.1', '127.0.0.1'] },
      },
    });
  });

  it.each([
    ['another region', { authorization: sigv4('eu-west-1/appsync'), 'x-amz-date': '20250101T000000Z' }],
    ['another service', { authorization: sigv4('us-east-1/s3'), 'x-amz-date': '20250101T000000Z' }],
    ['a date that differs from the scope', { authorization: sigv4('us-east-1/appsync'), 'x-amz-date': '20250102T000000Z' }],
    ['a bearer token', { authorization: 'Bearer abc' }],
    ['nothing', {}],
  ])('refuses %s', (_label, headers) => {
    expect(authenticate(headers, options).ok).toBe(false);
  });
});

describe('FieldAuthorization on the project schema', () => {
  const authz = new FieldAuthorization(projectSchema);

  it('lets only IAM call publishOrderUpdate', () => {
    expect(authz.allows('Mutation', 'publishOrderUpdate', 'AWS_IAM')).toBe(true);
    expect(authz.allows('Mutation', 'publishOrderUpdate', 'API_KEY')).toBe(false);
  });

  it('lets only the default mode (API key) call undecorated fields such as placeOrder and onOrderUpdated', () => {
    expect(authz.allows('Mutation', 'placeOrder', 'API_KEY')).toBe(true);
    expect(authz.allows('Mutation', 'placeOrder', 'AWS_IAM')).toBe(false);
    expect(authz.allows('Subscription', 'onOrderUpdated', 'API_KEY')).toBe(true);
  });

  it('lets both modes read Order fields (type-level @aws_api_key @aws_iam)', () => {
    expect(authz.allows('Order', 'status', 'AWS_IAM')).toBe(true);
    expect(authz.allows('Order', 'status', 'API_KEY')).toBe(true);
    expect(authz.allows('Store', 'name', 'AWS_IAM')).toBe(false);
  });
});
