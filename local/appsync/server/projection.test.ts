/**
 * A published event is shaped and serialized once per kind of subscriber (same document,
 * operation, variables and field-auth caller key), and never shared across kinds.
 */
import { describe, expect, it, vi } from 'vitest';
import { FieldAuthorization, type AuthContext } from './auth.js';
import { AppSyncEngine, type AcceptedSubscription } from './execution.js';
import { buildAppSyncSchema } from './schema.js';
import { SubscriptionHub } from './subscriptions.js';

const schema = buildAppSyncSchema(/* GraphQL */ `
  type Query {
    hello: String
  }
  type Mutation {
    put(id: ID!): Thing @aws_api_key @aws_iam @aws_cognito_user_pools
  }
  type Subscription {
    onPut(id: ID): Thing @aws_api_key @aws_iam @aws_cognito_user_pools @aws_subscribe(mutations: ["put"])
  }
  type Thing @aws_api_key @aws_iam @aws_cognito_user_pools {
    id: ID!
    note: String @aws_iam @aws_cognito_user_pools(cognito_groups: ["staff"])
  }
`);

const ON_PUT = 'subscription S($id: ID) { onPut(id: $id) { id note } }';
const API_KEY: AuthContext = { authType: 'API_KEY', identity: null };
const iam = (userArn: string): AuthContext => ({
  authType: 'AWS_IAM',
  identity: {
    accountId: '000000000000',
    userArn,
    username: 'AKID',
    sourceIp: [],
    cognitoIdentityPoolId: null,
    cognitoIdentityId: null,
    cognitoIdentityAuthType: null,
    cognitoIdentityAuthProvider: null,
  },
});
const user = (sub: string, groups: string[] | null): AuthContext => ({
  authType: 'AMAZON_COGNITO_USER_POOLS',
  identity: { sub, issuer: 'https://pool', username: sub, claims: {}, sourceIp: [], defaultAuthStrategy: 'ALLOW', groups },
});

function engine() {
  return new AppSyncEngine({ schema, resolvers: new Map(), hub: new SubscriptionHub(schema) });
}

async function subscribe(e: AppSyncEngine, auth: AuthContext, variables: Record<string, unknown> = {}): Promise<AcceptedSubscription> {
  const started = await e.subscribe({ query: ON_PUT, variables }, { auth, headers: {} });
  if (!started.ok) throw new Error(JSON.stringify(started.errors));
  return started.subscription;
}

describe('AppSyncEngine.projector', () => {
  it('shapes one event once for subscribers that cannot see it differently', async () => {
    const e = engine();
    const project = vi.spyOn(e, 'project');
    const a = e.projector(await subscribe(e, user('u1', ['staff'])), { auth: user('u1', ['staff']), headers: {} });
    const b = e.projector(await subscribe(e, user('u2', ['staff'])), { auth: user('u2', ['staff']), headers: {} });
    const event = { id: 't1', note: 'ring twice' };

    const first = a(event);
    const second = b(event);

    expect(JSON.parse(first.json)).toEqual({ data: { onPut: { id: 't1', note: 'ring twice' } } });
    expect(second).toBe(first);
    expect(first.bytes).toBe(Buffer.byteLength(first.json));
    expect(project).toHaveBeenCalledTimes(1);
  });

  it('shapes each event anew: a later event is not answered from an earlier one', async () => {
    const e = engine();
    const auth = user('u1', ['staff']);
    const p = e.projector(await subscribe(e, auth), { auth, headers: {} });

    expect(JSON.parse(p({ id: 't1', note: 'a' }).json)).toEqual({ data: { onPut: { id: 't1', note: 'a' } } });
    expect(JSON.parse(p({ id: 't2', note: 'b' }).json)).toEqual({ data: { onPut: { id: 't2', note: 'b' } } });
  });

  it('never shares a projection between callers whose field authorization differs', async () => {
    const e = engine();
    const event = { id: 't1', note: 'ring twice' };
    const shaped = async (auth: AuthContext) => JSON.parse(e.projector(await subscribe(e, auth), { auth, headers: {} })(event).json);

    const staff = await shaped(user('u1', ['staff']));
    const customer = await shaped(user('u2', ['customers']));
    const noGroups = await shaped(user('u3', null));
    const apiKey = await shaped(API_KEY);
    const publisher = await shaped(iam('arn:aws:iam::000000000000:role/a'));

    expect(staff).toEqual({ data: { onPut: { id: 't1', note: 'ring twice' } } });
    expect(publisher).toEqual(staff);
    for (const refused of [customer, noGroups, apiKey]) {
      expect(refused).toMatchObject({ data: { onPut: { id: 't1', note: null } }, errors: [{ errorType: 'Unauthorized' }] });
    }
  });

  it('keys on variables and document too', async () => {
    const e = engine();
    const project = vi.spyOn(e, 'project');
    const event = { id: 't1', note: 'x' };
    const meta = { auth: API_KEY, headers: {} };

    e.projector(await subscribe(e, API_KEY, { id: 't1' }), meta)(event);
    e.projector(await subscribe(e, API_KEY, {}), meta)(event);
    const other = await e.subscribe({ query: 'subscription { onPut { id } }' }, meta);
    if (!other.ok) throw new Error('not started');
    const otherShape = e.projector(other.subscription, meta)(event);

    expect(project).toHaveBeenCalledTimes(3);
    expect(JSON.parse(otherShape.json)).toEqual({ data: { onPut: { id: 't1' } } });
  });
});

describe('FieldAuthorization callerKey', () => {
  it('tells apart what field authorization looks at, and only that', () => {
    const authz = new FieldAuthorization(schema);

    expect(authz.callerKey(user('u1', ['b', 'a']))).toBe(authz.callerKey(user('u2', ['a', 'b'])));
    expect(authz.callerKey(user('u1', ['a']))).not.toBe(authz.callerKey(user('u1', ['a', 'b'])));
    expect(authz.callerKey(iam('arn:a'))).not.toBe(authz.callerKey(iam('arn:b')));
    expect(authz.callerKey(API_KEY)).not.toBe(authz.callerKey(user('u1', null)));
  });
});
