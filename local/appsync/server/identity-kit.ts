/**
 * Test fixture for the identity contract: the project's schema.graphql served with the project's
 * auth modes (user pools the default, IAM and the API key additional), a real local Cognito user
 * pool with one account per party, a granted and an ungranted IAM principal, and the subscription
 * resolver run by the real APPSYNC_JS runtime. Resolvers other than the subscription's return
 * fixed data: what is under test here is authentication and field authorization, not the policy.
 */
import { readFile } from 'node:fs/promises';
import { ROLE_GROUPS, storeGroup } from '../../../domain/party.js';
import { startCognitoUserPool, type CognitoUserPool } from '../../cognito/index.js';
import { createFieldResolver, loadResolver } from '../runtime/index.js';
import type { FieldResolver, ResolverInvocation, ResolverOutcome } from '../types.js';
import { LOCAL_ACCOUNT_ID, type AuthModes, type IamPrincipal } from './auth.js';
import { startTestServer, TEST_IAM_PRINCIPAL } from './test-kit.js';

/** The project's modes, as infra/manifest.ts declares them. */
export const PROJECT_AUTH_MODES: AuthModes = { defaultMode: 'AMAZON_COGNITO_USER_POOLS', additionalModes: ['AWS_IAM', 'API_KEY'] };

/** A principal the API knows (its signatures verify) but that no grant names. */
export const UNGRANTED_IAM_PRINCIPAL: IamPrincipal = {
  accessKeyId: 'AKIDUNGRANTED',
  secretAccessKey: 'ungranted-secret',
  arn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/ungranted`,
};

export const PASSWORD = 'Pizza-Test-1';

/** One account per party; `twoStores` is staff of two stores, which is no party (partyOf → none). */
export const ACCOUNTS = {
  customer1: [],
  customer2: [],
  staff1: [ROLE_GROUPS.store, storeGroup('s1')],
  twoStores: [ROLE_GROUPS.store, storeGroup('s1'), storeGroup('s2')],
  driver1: [ROLE_GROUPS.driver],
  driver2: [ROLE_GROUPS.driver],
  operator: [ROLE_GROUPS.operator],
} as const satisfies Record<string, readonly string[]>;
export type Account = keyof typeof ACCOUNTS;
const ACCOUNT_NAMES: readonly Account[] = ['customer1', 'customer2', 'staff1', 'twoStores', 'driver1', 'driver2', 'operator'];

const ok = (data: unknown): ResolverOutcome => ({ data, errors: [] });

export const STORE = { storeId: 's1', name: 'Pizza One', coordinates: { latitude: 51, longitude: -114 } };

/** A complete Order as publishOrderUpdate would receive it. */
export function order(patch: Record<string, unknown>): Record<string, unknown> {
  return {
    orderId: 'o-1',
    customerId: 'nobody',
    storeId: 's1',
    paymentId: 'pay_1',
    pies: [{ size: 'LARGE', cheese: 'MEDIUM', toppings: ['HAM'] }],
    deliveryAddress: {
      coordinates: { latitude: 51, longitude: -114 },
      streetAddress: '1 Main St',
      city: 'Calgary',
      postalCode: 'T2P 1B3',
      province: 'AB',
    },
    status: 'PLACED',
    version: 1,
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    driverId: null,
    ...patch,
  };
}

export interface IdentityServer extends Awaited<ReturnType<typeof startTestServer>> {
  readonly pool: CognitoUserPool;
  /** Every invocation of this server's resolvers (newest last). */
  readonly invocations: ResolverInvocation[];
  /** The account's `sub` (its user id). */
  sub(account: Account): string;
  /** A fresh access token of `account` (USER_PASSWORD_AUTH against the local pool). */
  accessToken(account: Account): Promise<string>;
  /** Stops the server and the pool. */
  dispose(): Promise<void>;
}

export const usernameOf = (account: Account): string => `${account}@pizza.test`;

export async function startIdentityServer(): Promise<IdentityServer> {
  const pool = await startCognitoUserPool({
    autoConfirm: true,
    groups: [...Object.values(ROLE_GROUPS), storeGroup('s1'), storeGroup('s2')],
  });
  const subs = new Map<Account, string>();
  for (const account of ACCOUNT_NAMES) {
    const username = usernameOf(account);
    const { sub } = await pool.createUser({ username, password: PASSWORD, groups: ACCOUNTS[account], attributes: { email: username } });
    subs.set(account, sub);
  }
  const subscription = await loadResolver(new URL('./fixtures/Subscription.onOrderUpdated.ts', import.meta.url).pathname);
  const invocations: ResolverInvocation[] = [];
  const resolvers = new Map<string, FieldResolver>(
    Object.entries<FieldResolver>({
      'Query.listStores': async () => ok([STORE]),
      'Query.getOrder': async (inv) => ok(order({ orderId: inv.arguments['orderId'] })),
      'Query.myOrders': async () => ok({ items: [], nextToken: null }),
      'Mutation.publishOrderUpdate': async (inv) => ok(inv.arguments['order']),
      'Subscription.onOrderUpdated': createFieldResolver(subscription, { type: 'NONE' }),
    }).map(([field, resolve]): [string, FieldResolver] => [
      field,
      (inv) => {
        invocations.push(inv);
        return resolve(inv);
      },
    ]),
  );
  const schemaSdl = await readFile(new URL('../../../schema.graphql', import.meta.url), 'utf8');
  const server = await startTestServer({
    schemaSdl,
    resolvers,
    authModes: PROJECT_AUTH_MODES,
    userPool: { issuer: pool.issuer, clientIds: [pool.clientId] },
    iamPrincipals: [TEST_IAM_PRINCIPAL, UNGRANTED_IAM_PRINCIPAL],
    iamGrants: { 'Mutation.publishOrderUpdate': [TEST_IAM_PRINCIPAL.arn] },
  });
  return Object.assign(server, {
    pool,
    invocations,
    sub(account: Account): string {
      const sub = subs.get(account);
      if (sub === undefined) throw new Error(`no account ${account}`);
      return sub;
    },
    async accessToken(account: Account): Promise<string> {
      const response = await fetch(pool.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
        body: JSON.stringify({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: pool.clientId,
          AuthParameters: { USERNAME: usernameOf(account), PASSWORD },
        }),
      });
      const body: unknown = await response.json();
      const result = typeof body === 'object' && body !== null && 'AuthenticationResult' in body ? body.AuthenticationResult : undefined;
      const token = typeof result === 'object' && result !== null && 'AccessToken' in result ? result.AccessToken : undefined;
      if (typeof token !== 'string') throw new Error(`no access token for ${account}: ${JSON.stringify(body)}`);
      return token;
    },
    async dispose(): Promise<void> {
      await server.stop();
      await pool.dispose();
    },
  });
}
