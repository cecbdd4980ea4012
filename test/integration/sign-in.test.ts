/**
 * Identity, wired: the local stack starts its Cognito user pool, seeds the demo accounts in
 * their groups, writes the Auth section into amplify-config, and its AppSync server accepts that
 * pool's tokens (authMode 'userPool') beside the API key. Driven by the real aws-amplify v6
 * client, configured once (Amplify is a process-wide singleton) with the stack's own config.
 */
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession, signIn, signOut, signUp } from 'aws-amplify/auth';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_STORES } from '../../infra/seed-stores.js';
import type { DemoUser } from '../../local/stack.js';
import { gql, startHarness, type Harness } from './harness.js';
import { LIST_STORES } from './operations.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await signOut();
});
afterAll(async () => {
  await h?.stop();
});

function demoUser(predicate: (u: DemoUser) => boolean): DemoUser {
  const found = h.stack.demoUsers.find(predicate);
  if (found === undefined) throw new Error('no such demo user');
  return found;
}

function claims(token: string): Record<string, unknown> {
  const [, payload = ''] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Signs in through Amplify's default flow (SRP) and returns the session's tokens. */
async function signInAs(username: string, password: string) {
  const result = await signIn({ username, password });
  expect(result.isSignedIn).toBe(true);
  const { tokens } = await fetchAuthSession();
  if (tokens?.accessToken === undefined || tokens.idToken === undefined) throw new Error('no tokens after sign-in');
  return { access: tokens.accessToken.toString(), id: tokens.idToken.toString() };
}

type UserPoolGraphql = (o: { query: string; authMode: 'userPool' }) => Promise<{ data: { listStores: { storeId: string }[] } }>;
const listStoresSignedIn = () => (generateClient().graphql as unknown as UserPoolGraphql)({ query: LIST_STORES, authMode: 'userPool' });

/** A raw GraphQL POST with `Authorization: <token>`, as Amplify sends it in userPool mode. */
async function postWithToken(token: string): Promise<number> {
  const response = await fetch(h.stack.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query: '{ listStores { storeId } }' }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('local identity', () => {
  it('puts the user pool into amplify-config beside the API', () => {
    expect(h.stack.amplifyConfig.Auth.Cognito).toEqual({
      userPoolId: h.stack.userPool.userPoolId,
      userPoolClientId: h.stack.userPool.clientId,
      userPoolEndpoint: h.stack.userPool.endpoint,
      loginWith: { email: true },
      signUpVerificationMethod: 'code',
    });
    expect(h.stack.userPool.issuer).toBe(`${h.stack.userPool.endpoint}/${h.stack.userPool.userPoolId}`);
  });

  it('seeds two customers, one staff account per store, two drivers and an operator', () => {
    const roles = h.stack.demoUsers.map((u) => u.role);
    expect(roles.filter((r) => r === 'customer')).toHaveLength(2);
    expect(roles.filter((r) => r === 'driver')).toHaveLength(2);
    expect(roles.filter((r) => r === 'operator')).toHaveLength(1);
    const staff = h.stack.demoUsers.filter((u) => u.role === 'store');
    expect(staff.map((u) => u.storeId).sort()).toEqual(SEED_STORES.map((s) => s.storeId).sort());
    expect(new Set(h.stack.demoUsers.map((u) => u.username)).size).toBe(h.stack.demoUsers.length);
  });

  it('signs a seeded customer in, and the API accepts their token in userPool mode', async () => {
    const customer = demoUser((u) => u.role === 'customer');
    const { access } = await signInAs(customer.username, customer.password);
    expect(claims(access)['cognito:groups']).toEqual(['customers']);
    expect(claims(access)['iss']).toBe(h.stack.userPool.issuer);

    const { data } = await listStoresSignedIn();
    expect(data.listStores.map((s) => s.storeId)).toEqual(expect.arrayContaining(SEED_STORES.map((s) => s.storeId)));
  });

  it('puts store staff in `stores` and their own `store:<storeId>` group', async () => {
    const staff = demoUser((u) => u.role === 'store' && u.storeId === SEED_STORES[1]?.storeId);
    const { access } = await signInAs(staff.username, staff.password);
    expect(claims(access)['cognito:groups']).toEqual(expect.arrayContaining(['stores', `store:${staff.storeId ?? ''}`]));
    expect(claims(access)['cognito:groups']).toHaveLength(2);
  });

  it('puts drivers in `drivers` and the operator in `operators`', async () => {
    const driver = demoUser((u) => u.role === 'driver');
    expect(claims((await signInAs(driver.username, driver.password)).access)['cognito:groups']).toEqual(['drivers']);
    await signOut();
    const operator = demoUser((u) => u.role === 'operator');
    expect(claims((await signInAs(operator.username, operator.password)).access)['cognito:groups']).toEqual(['operators']);
  });

  it('refuses a tampered token with 401 and accepts the same token untouched', async () => {
    const customer = demoUser((u) => u.role === 'customer');
    const { access } = await signInAs(customer.username, customer.password);
    const [header = '', payload = '', signature = ''] = access.split('.');
    const widened = Buffer.from(JSON.stringify({ ...claims(access), 'cognito:groups': ['operators'] })).toString('base64url');

    expect(await postWithToken(access)).toBe(200);
    expect(await postWithToken(`${header}.${widened}.${signature}`)).toBe(401);
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    expect(await postWithToken(`${header}.${payload}.${flipped}`)).toBe(401);
  });

  it('lets a new customer sign up, confirmed at once, and sign in as a customer', async () => {
    const email = `new-customer-${process.pid}-${Date.now()}@example.com`;
    const signedUp = await signUp({ username: email, password: 'Fresh-Pie-42', options: { userAttributes: { email } } });
    expect(signedUp.nextStep.signUpStep).toBe('DONE');
    expect(signedUp.isSignUpComplete).toBe(true);

    const { access } = await signInAs(email, 'Fresh-Pie-42');
    expect(claims(access)['cognito:groups']).toEqual(['customers']);
    const { data } = await listStoresSignedIn();
    expect(data.listStores.length).toBeGreaterThan(0);
  });

  it('keeps the API key working for the store list, for clients that have not signed in', async () => {
    const { listStores } = await gql<{ listStores: { storeId: string }[] }>(h.apiKey, LIST_STORES);
    expect(listStores.length).toBe(SEED_STORES.length);
  });
});
