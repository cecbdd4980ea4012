/**
 * The unmodified aws-amplify v6 Auth client against the local user pool, in Node, configured
 * only with `{ userPoolId, userPoolClientId, userPoolEndpoint }`: Amplify's default sign-in
 * (USER_SRP_AUTH) end to end, and the id token checked against the served JWKS with node:crypto.
 */
import { createPublicKey, verify } from 'node:crypto';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  resendSignUpCode,
  signIn,
  signOut,
  signUp,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler as postConfirmationHandler } from '../../functions/post-confirmation.js';
import { LOCAL_CREDENTIALS } from '../util/aws.js';
import { startCognitoUserPool, type CognitoUserPool } from './index.js';
import { callPool as callWire, type PoolReply } from './test-kit.js';

const PASSWORD = 'Pizza-Lover-42';

/** Amplify's token storage, readable so a test can reach the refresh token Amplify keeps. */
const storage = new Map<string, string>();
let pool: CognitoUserPool;
let nextUser = 0;
const newEmail = () => `customer-${++nextUser}@example.com`;

/** The PostConfirmation trigger's SDK client (functions/post-confirmation.ts) reaches the pool through these. */
const ENVIRONMENT = ['AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
const previous = Object.fromEntries(ENVIRONMENT.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  pool = await startCognitoUserPool({
    userPoolId: 'us-east-1_amplifyAuth',
    groups: ['customers', 'store', 'drivers', 'operators'],
    customAttributes: ['storeId'],
    // The manifest's trigger, as the local stack runs it: a confirmed sign-up joins `customers`.
    triggers: { postConfirmation: postConfirmationHandler },
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: pool.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: '',
  });
  Amplify.configure({
    Auth: { Cognito: { userPoolId: pool.userPoolId, userPoolClientId: pool.clientId, userPoolEndpoint: pool.endpoint } },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage({
    setItem: async (key, value) => void storage.set(key, value),
    getItem: async (key) => storage.get(key) ?? null,
    removeItem: async (key) => void storage.delete(key),
    clear: async () => storage.clear(),
  });
});
afterEach(async () => {
  await signOut();
});
afterAll(async () => {
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await pool?.dispose();
});

async function signedUpCustomer(): Promise<{ email: string; sub: string }> {
  const email = newEmail();
  const { userId } = await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
  await confirmSignUp({ username: email, confirmationCode: pool.confirmationCode(email) ?? '' });
  return { email, sub: userId ?? '' };
}

function decode(token: string): Record<string, unknown> {
  const [, payload = ''] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Verifies an RS256 JWT against the pool's published JWKS, independently of the emulator's code. */
async function verifiesAgainstJwks(token: string): Promise<boolean> {
  const jwks = (await (await fetch(pool.jwksUri)).json()) as { keys: { kid: string; kty: string; n: string; e: string }[] };
  const [header = '', payload = '', signature = ''] = token.split('.');
  const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid: string; alg: string };
  const jwk = jwks.keys.find((key) => key.kid === kid);
  if (alg !== 'RS256' || jwk === undefined) return false;
  const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  return verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
}

function storedRefreshToken(): string | undefined {
  return [...storage.entries()].find(([key]) => key.endsWith('.refreshToken'))?.[1];
}

/** A raw call (admin operations signed with the local credentials, as an operator's SDK signs them). */
function callPool(operation: string, body: object): Promise<PoolReply> {
  return callWire(pool.endpoint, operation, body);
}

describe('aws-amplify v6 Auth against the local user pool', () => {
  it('signs up, confirms with the code, signs in with SRP and holds tokens signed by the JWKS key', async () => {
    const email = newEmail();

    const signedUp = await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
    expect(signedUp).toMatchObject({
      isSignUpComplete: false,
      nextStep: {
        signUpStep: 'CONFIRM_SIGN_UP',
        codeDeliveryDetails: { destination: 'c***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' },
      },
    });
    const code = pool.confirmationCode(email);
    expect(code).toMatch(/^\d{6}$/);
    expect(await confirmSignUp({ username: email, confirmationCode: code ?? '' })).toMatchObject({ isSignUpComplete: true });

    expect(await signIn({ username: email, password: PASSWORD })).toEqual({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    const { tokens } = await fetchAuthSession();
    const idToken = tokens?.idToken?.toString() ?? '';
    const accessToken = tokens?.accessToken.toString() ?? '';

    expect(await verifiesAgainstJwks(idToken)).toBe(true);
    expect(await verifiesAgainstJwks(accessToken)).toBe(true);
    const id = decode(idToken);
    const access = decode(accessToken);
    expect(id).toMatchObject({
      sub: signedUp.userId,
      aud: pool.clientId,
      iss: pool.issuer,
      token_use: 'id',
      email,
      email_verified: true,
      'cognito:username': email,
      'cognito:groups': ['customers'],
    });
    expect(access).toMatchObject({
      sub: signedUp.userId,
      client_id: pool.clientId,
      iss: pool.issuer,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: email,
      'cognito:groups': ['customers'],
    });
    expect(id.exp).toBe(Number(id.iat) + 3600);
    expect(access.jti).toEqual(expect.any(String));
    expect(pool.issuer).toBe(`${pool.endpoint}/${pool.userPoolId}`);
    expect(await getCurrentUser()).toMatchObject({ username: email, userId: signedUp.userId });
    expect(await fetchUserAttributes()).toEqual({ sub: signedUp.userId, email, email_verified: 'true' });
  });

  it('refuses a wrong password with NotAuthorizedException', async () => {
    const { email } = await signedUpCustomer();
    await expect(signIn({ username: email, password: 'Wrong-Password-1' })).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(storedRefreshToken()).toBeUndefined();
  });

  it('refuses an unknown user exactly as a wrong password, so accounts cannot be probed', async () => {
    await expect(signIn({ username: 'nobody@example.com', password: PASSWORD })).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('refuses a weak password at sign-up with InvalidPasswordException and creates no user', async () => {
    const email = newEmail();
    await expect(signUp({ username: email, password: 'pizza', options: { userAttributes: { email } } })).rejects.toMatchObject({
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
    });
    await expect(signUp({ username: email, password: 'pizzapizza1!', options: { userAttributes: { email } } })).rejects.toMatchObject({
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password must have uppercase characters',
    });
    await expect(signIn({ username: email, password: 'pizza' })).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('refuses a second sign-up for the same email with UsernameExistsException', async () => {
    const { email } = await signedUpCustomer();
    await expect(signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } })).rejects.toMatchObject({
      name: 'UsernameExistsException',
    });
  });

  it('does not let a customer give themselves a store id at sign-up', async () => {
    const email = newEmail();
    await expect(
      signUp({ username: email, password: PASSWORD, options: { userAttributes: { email, 'custom:storeId': 'store-1' } } }),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'A client attempted to write unauthorized attribute' });
  });

  it('asks an unconfirmed user to confirm, refuses a wrong code, and accepts a resent one', async () => {
    const email = newEmail();
    await signUp({ username: email, password: PASSWORD, options: { userAttributes: { email } } });
    const first = pool.confirmationCode(email);

    expect(await signIn({ username: email, password: PASSWORD })).toMatchObject({
      isSignedIn: false,
      nextStep: { signInStep: 'CONFIRM_SIGN_UP' },
    });
    await expect(confirmSignUp({ username: email, confirmationCode: first === '000000' ? '111111' : '000000' })).rejects.toMatchObject({
      name: 'CodeMismatchException',
    });
    await resendSignUpCode({ username: email });
    const second = pool.confirmationCode(email);
    expect(second).toMatch(/^\d{6}$/);
    await confirmSignUp({ username: email, confirmationCode: second ?? '' });
    expect(await signIn({ username: email, password: PASSWORD })).toMatchObject({ isSignedIn: true });
  });

  it('refreshes the tokens of the same sign-in with forceRefresh', async () => {
    const { email } = await signedUpCustomer();
    await signIn({ username: email, password: PASSWORD });
    const before = (await fetchAuthSession()).tokens;

    const after = (await fetchAuthSession({ forceRefresh: true })).tokens;

    const [old, fresh] = [decode(before?.accessToken.toString() ?? ''), decode(after?.accessToken.toString() ?? '')];
    expect(fresh.jti).not.toBe(old.jti);
    expect(fresh).toMatchObject({ sub: old.sub, origin_jti: old.origin_jti, auth_time: old.auth_time, token_use: 'access' });
    expect(await verifiesAgainstJwks(after?.idToken?.toString() ?? '')).toBe(true);
  });

  it('signOut revokes the refresh token and the session’s access tokens', async () => {
    const { email } = await signedUpCustomer();
    await signIn({ username: email, password: PASSWORD });
    const accessToken = (await fetchAuthSession()).tokens?.accessToken.toString();
    const refreshToken = storedRefreshToken();
    expect(refreshToken).toEqual(expect.any(String));

    await signOut();

    expect(storedRefreshToken()).toBeUndefined();
    const refreshed = await callPool('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: pool.clientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    expect(refreshed).toMatchObject({ status: 400, body: { __type: 'NotAuthorizedException', message: 'Invalid Refresh Token' } });
    const user = await callPool('GetUser', { AccessToken: accessToken });
    expect(user).toMatchObject({ status: 400, body: { __type: 'NotAuthorizedException', message: 'Access Token has been revoked' } });
  });

  it('signs in a seeded store account whose tokens carry its group and store id', async () => {
    await pool.createUser({
      username: 'staff@store-1.example',
      password: PASSWORD,
      attributes: { email: 'staff@store-1.example', 'custom:storeId': 'store-1' },
      groups: ['store'],
    });

    await signIn({ username: 'Staff@Store-1.example', password: PASSWORD });

    const id = decode((await fetchAuthSession()).tokens?.idToken?.toString() ?? '');
    expect(id).toMatchObject({
      'cognito:username': 'staff@store-1.example',
      'cognito:groups': ['store'],
      'custom:storeId': 'store-1',
      email_verified: true,
    });
  });

  it('signs in with USER_PASSWORD_AUTH when the client asks for it', async () => {
    const { email } = await signedUpCustomer();
    await expect(
      signIn({ username: email, password: 'Wrong-Password-1', options: { authFlowType: 'USER_PASSWORD_AUTH' } }),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(await signIn({ username: email, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } })).toMatchObject({
      isSignedIn: true,
    });
    expect(decode((await fetchAuthSession()).tokens?.idToken?.toString() ?? '')).toMatchObject({
      'cognito:username': email,
      iss: pool.issuer,
    });
  });

  it('makes an operator-created user choose a new password at first sign-in', async () => {
    const created = await callPool('AdminCreateUser', {
      UserPoolId: pool.userPoolId,
      Username: 'driver-1@example.com',
      TemporaryPassword: 'Temporary-Pass-1',
      UserAttributes: [{ Name: 'email', Value: 'driver-1@example.com' }],
      MessageAction: 'SUPPRESS',
    });
    expect(created).toMatchObject({
      status: 200,
      body: { User: { Username: 'driver-1@example.com', UserStatus: 'FORCE_CHANGE_PASSWORD' } },
    });
    await callPool('AdminAddUserToGroup', { UserPoolId: pool.userPoolId, Username: 'driver-1@example.com', GroupName: 'drivers' });

    const first = await signIn({ username: 'driver-1@example.com', password: 'Temporary-Pass-1' });
    expect(first).toMatchObject({ isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED' } });
    expect(await confirmSignIn({ challengeResponse: 'Brand-New-Pass-2' })).toMatchObject({ isSignedIn: true });

    expect(decode((await fetchAuthSession()).tokens?.accessToken.toString() ?? '')).toMatchObject({ 'cognito:groups': ['drivers'] });
    await signOut();
    expect(await signIn({ username: 'driver-1@example.com', password: 'Brand-New-Pass-2' })).toMatchObject({ isSignedIn: true });
  });
});
