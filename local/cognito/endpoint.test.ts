/**
 * The local user pool over its wire protocol (AWS JSON 1.1, real sockets on port 0): errors,
 * the well-known documents, flows Amplify's default path does not cover, admin operations,
 * expiry, revocation and persistence.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidKeyFileError,
  InvalidUserPoolFileError,
  startCognitoUserPool,
  type CognitoUserPool,
  type CognitoUserPoolOptions,
} from './index.js';
import { callPool, type CallOptions, type PoolReply } from './test-kit.js';

const PASSWORD = 'Pizza-Lover-42';

type Reply = PoolReply;

/** Admin operations signed with the local credentials, public ones unsigned (test-kit.ts). */
function call(pool: CognitoUserPool, operation: string, body: object, options?: CallOptions): Promise<Reply> {
  return callPool(pool.endpoint, operation, body, options);
}

function decode(token: unknown): Record<string, unknown> {
  const [, payload = ''] = String(token).split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function passwordAuth(pool: CognitoUserPool, username: string, password = PASSWORD) {
  return call(pool, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: pool.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
}

function result(reply: Reply): Record<string, string> {
  const authentication = reply.body.AuthenticationResult;
  if (typeof authentication !== 'object' || authentication === null)
    throw new Error(`no AuthenticationResult in ${JSON.stringify(reply.body)}`);
  return authentication as Record<string, string>;
}

const started: CognitoUserPool[] = [];
async function start(options: CognitoUserPoolOptions = {}): Promise<CognitoUserPool> {
  const pool = await startCognitoUserPool(options);
  started.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((pool) => pool.dispose()));
});

describe('the Cognito wire protocol', () => {
  let pool: CognitoUserPool;
  beforeAll(async () => {
    pool = await startCognitoUserPool({ groups: ['store'], customAttributes: ['storeId'] });
  });
  afterAll(async () => {
    await pool?.dispose();
  });

  it('answers an unsupported operation with UnknownOperationException, HTTP 400 and x-amzn-errortype', async () => {
    const reply = await call(pool, 'ForgotPassword', { ClientId: pool.clientId, Username: 'x' });
    expect(reply).toEqual({
      status: 400,
      errorType: 'UnknownOperationException',
      body: {
        __type: 'UnknownOperationException',
        message: 'The local user pool endpoint does not support AWSCognitoIdentityProviderService.ForgotPassword.',
      },
    });
  });

  it('answers an unknown app client with ResourceNotFoundException and a non-object body with SerializationException', async () => {
    const reply = await call(pool, 'SignUp', { ClientId: 'someone-else', Username: 'a@b.c', Password: PASSWORD });
    expect(reply.body).toEqual({ __type: 'ResourceNotFoundException', message: 'User pool client someone-else does not exist.' });
    const raw = await fetch(pool.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp' },
      body: '[1]',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('serves the JWKS and the OpenID configuration under the pool id', async () => {
    const jwks = (await (await fetch(pool.jwksUri)).json()) as { keys: Record<string, string>[] };
    const openid = (await (await fetch(`${pool.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    await pool.createUser({ username: 'jwks@example.com', password: PASSWORD, attributes: { email: 'jwks@example.com' } });
    const token = result(await passwordAuth(pool, 'jwks@example.com')).IdToken ?? '';
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

    expect(pool.jwksUri).toBe(`${pool.endpoint}/${pool.userPoolId}/.well-known/jwks.json`);
    expect(jwks.keys).toEqual([{ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), n: expect.any(String), e: 'AQAB' }]);
    expect(header).toEqual({ kid: jwks.keys[0]?.kid, alg: 'RS256' });
    expect(openid).toMatchObject({ issuer: pool.issuer, jwks_uri: pool.jwksUri, id_token_signing_alg_values_supported: ['RS256'] });
    expect((await fetch(`${pool.endpoint}/us-east-1_other/.well-known/jwks.json`)).status).toBe(404);
  });

  it('answers a browser’s CORS preflight for any origin', async () => {
    const response = await fetch(pool.endpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-target,x-tenant',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type,x-amz-target,x-tenant');
  });

  it.each([
    ['Short-1', 'Password not long enough'],
    ['lowercase-only-1', 'Password must have uppercase characters'],
    ['UPPERCASE-ONLY-1', 'Password must have lowercase characters'],
    ['No-Digits-Here', 'Password must have numeric characters'],
    ['NoSymbols123', 'Password must have symbol characters'],
  ])('refuses the password %s: %s', async (password, detail) => {
    const reply = await call(pool, 'SignUp', {
      ClientId: pool.clientId,
      Username: `${password}@example.com`,
      Password: password,
      UserAttributes: [{ Name: 'email', Value: `${password}@example.com` }],
    });
    expect(reply.body).toEqual({ __type: 'InvalidPasswordException', message: `Password did not conform with policy: ${detail}` });
  });

  it('requires an email at sign-up and refuses attributes the schema does not have', async () => {
    expect((await call(pool, 'SignUp', { ClientId: pool.clientId, Username: 'noemail', Password: PASSWORD })).body).toMatchObject({
      __type: 'InvalidParameterException',
      message: 'Attributes did not conform to the schema: email: The attribute email is required',
    });
    const unknown = await call(pool, 'SignUp', {
      ClientId: pool.clientId,
      Username: 'odd@example.com',
      Password: PASSWORD,
      UserAttributes: [
        { Name: 'email', Value: 'odd@example.com' },
        { Name: 'custom:tier', Value: 'gold' },
      ],
    });
    expect(unknown.body.__type).toBe('InvalidParameterException');
  });

  it('refuses a PASSWORD_VERIFIER with a bad signature, then treats its SECRET_BLOCK as spent', async () => {
    await pool.createUser({ username: 'srp@example.com', password: PASSWORD, attributes: { email: 'srp@example.com' } });
    const challenge = await call(pool, 'InitiateAuth', {
      AuthFlow: 'USER_SRP_AUTH',
      ClientId: pool.clientId,
      AuthParameters: { USERNAME: 'SRP@example.com', SRP_A: randomBytes(384).toString('hex') },
    });
    expect(challenge.body).toMatchObject({
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: {
        USERNAME: 'srp@example.com',
        USER_ID_FOR_SRP: 'srp@example.com',
        SALT: expect.stringMatching(/^[0-9a-f]+$/),
        SRP_B: expect.stringMatching(/^[0-9a-f]+$/),
      },
    });
    const parameters = challenge.body.ChallengeParameters as Record<string, string>;
    const respond = (timestamp: string) =>
      call(pool, 'RespondToAuthChallenge', {
        ChallengeName: 'PASSWORD_VERIFIER',
        ClientId: pool.clientId,
        ChallengeResponses: {
          USERNAME: 'srp@example.com',
          PASSWORD_CLAIM_SECRET_BLOCK: parameters.SECRET_BLOCK,
          TIMESTAMP: timestamp,
          PASSWORD_CLAIM_SIGNATURE: randomBytes(32).toString('base64'),
        },
      });

    expect((await respond('Wed Dec 2 13:22:58 UTC 2026')).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect((await respond('Wed Dec 2 13:22:58 UTC 2026')).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
    });
  });

  it('refuses a tampered access token', async () => {
    await pool.createUser({ username: 'tamper@example.com', password: PASSWORD, attributes: { email: 'tamper@example.com' } });
    const token = result(await passwordAuth(pool, 'tamper@example.com')).AccessToken ?? '';
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decode(token), username: 'someone-else' })).toString('base64url');

    expect((await call(pool, 'GetUser', { AccessToken: `${header}.${forged}.${signature}` })).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Invalid Access Token',
    });
    expect((await call(pool, 'GetUser', { AccessToken: token })).body).toMatchObject({ Username: 'tamper@example.com' });
  });
});

describe('pool options', () => {
  it('with autoConfirm, confirms and verifies a self sign-up at once; refresh returns no new refresh token', async () => {
    const pool = await start({ autoConfirm: true });
    const signUp = await call(pool, 'SignUp', {
      ClientId: pool.clientId,
      Username: 'auto@example.com',
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: 'auto@example.com' }],
    });
    expect(signUp.body).toEqual({ UserConfirmed: true, UserSub: expect.any(String) });
    expect(pool.confirmationCode('auto@example.com')).toBeUndefined();

    const signedIn = result(await passwordAuth(pool, 'auto@example.com'));
    expect(decode(signedIn.IdToken)).toMatchObject({ email_verified: true, sub: signUp.body.UserSub });
    expect(signedIn).toMatchObject({ TokenType: 'Bearer', ExpiresIn: 3600, RefreshToken: expect.any(String) });

    const viaInitiate = result(
      await call(pool, 'InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: pool.clientId,
        AuthParameters: { REFRESH_TOKEN: signedIn.RefreshToken },
      }),
    );
    const viaGetTokens = result(
      await call(pool, 'GetTokensFromRefreshToken', { ClientId: pool.clientId, RefreshToken: signedIn.RefreshToken }),
    );
    for (const refreshed of [viaInitiate, viaGetTokens]) {
      expect(Object.keys(refreshed).sort()).toEqual(['AccessToken', 'ExpiresIn', 'IdToken', 'TokenType']);
      expect(decode(refreshed.AccessToken)).toMatchObject({ origin_jti: decode(signedIn.AccessToken).origin_jti });
    }
  });

  it('refuses SignUp when self sign-up is off', async () => {
    const pool = await start({ selfSignUp: false });
    const reply = await call(pool, 'SignUp', {
      ClientId: pool.clientId,
      Username: 'a@example.com',
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: 'a@example.com' }],
    });
    expect(reply.body).toEqual({ __type: 'NotAuthorizedException', message: 'SignUp is not permitted for this user pool' });
  });

  it('refuses a flow the app client does not allow', async () => {
    const pool = await start({ authFlows: ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'] });
    await pool.createUser({ username: 'srp-only@example.com', password: PASSWORD });
    expect((await passwordAuth(pool, 'srp-only@example.com')).body).toEqual({
      __type: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
  });

  it('lets access tokens and refresh tokens expire by the configured validity', async () => {
    let now = Date.parse('2026-12-02T12:00:00Z');
    const pool = await start({ now: () => now, tokenValidity: { accessSeconds: 300, idSeconds: 300, refreshSeconds: 3600 } });
    await pool.createUser({ username: 'clock@example.com', password: PASSWORD });
    const tokens = result(await passwordAuth(pool, 'clock@example.com'));
    expect(decode(tokens.AccessToken)).toMatchObject({ iat: now / 1000, exp: now / 1000 + 300, auth_time: now / 1000 });

    now += 301_000;
    expect((await call(pool, 'GetUser', { AccessToken: tokens.AccessToken })).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Access Token has expired',
    });
    expect((await call(pool, 'GetTokensFromRefreshToken', { ClientId: pool.clientId, RefreshToken: tokens.RefreshToken })).status).toBe(
      200,
    );

    now += 3600_000;
    expect((await call(pool, 'GetTokensFromRefreshToken', { ClientId: pool.clientId, RefreshToken: tokens.RefreshToken })).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Invalid Refresh Token',
    });
  });

  it('GlobalSignOut ends every sign-in of the user', async () => {
    const pool = await start();
    await pool.createUser({ username: 'twice@example.com', password: PASSWORD });
    const phone = result(await passwordAuth(pool, 'twice@example.com'));
    const laptop = result(await passwordAuth(pool, 'twice@example.com'));

    expect((await call(pool, 'GlobalSignOut', { AccessToken: phone.AccessToken })).body).toEqual({});

    for (const session of [phone, laptop]) {
      expect(
        (await call(pool, 'GetTokensFromRefreshToken', { ClientId: pool.clientId, RefreshToken: session.RefreshToken })).body.__type,
      ).toBe('NotAuthorizedException');
      expect((await call(pool, 'GetUser', { AccessToken: session.AccessToken })).body.message).toBe('Access Token has been revoked');
    }
  });
});

describe('admin operations', () => {
  it('create a user with a permanent password in a group, who then signs in with that group', async () => {
    const pool = await start({ groups: ['store'], customAttributes: ['storeId'] });
    const UserPoolId = pool.userPoolId;
    const created = await call(pool, 'AdminCreateUser', {
      UserPoolId,
      Username: 'staff@example.com',
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: 'staff@example.com' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:storeId', Value: 'store-7' },
      ],
    });
    expect(created.body).toMatchObject({ User: { Username: 'staff@example.com', Enabled: true, UserStatus: 'FORCE_CHANGE_PASSWORD' } });
    expect(
      (await call(pool, 'AdminSetUserPassword', { UserPoolId, Username: 'staff@example.com', Password: PASSWORD, Permanent: true })).body,
    ).toEqual({});
    expect((await call(pool, 'AdminAddUserToGroup', { UserPoolId, Username: 'staff@example.com', GroupName: 'store' })).body).toEqual({});

    expect((await call(pool, 'AdminGetUser', { UserPoolId, Username: 'staff@example.com' })).body).toMatchObject({
      Username: 'staff@example.com',
      UserStatus: 'CONFIRMED',
      UserAttributes: expect.arrayContaining([{ Name: 'custom:storeId', Value: 'store-7' }]),
    });
    const id = decode(result(await passwordAuth(pool, 'staff@example.com')).IdToken);
    expect(id).toMatchObject({ 'cognito:groups': ['store'], 'custom:storeId': 'store-7', email_verified: true });
  });

  it('answer unknown pools, users and groups with ResourceNotFoundException / UserNotFoundException', async () => {
    const pool = await start({ groups: ['store'] });
    await pool.createUser({ username: 'known@example.com', password: PASSWORD });

    expect((await call(pool, 'AdminGetUser', { UserPoolId: 'us-east-1_nope', Username: 'known@example.com' })).body).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'User pool us-east-1_nope does not exist.',
    });
    expect((await call(pool, 'AdminGetUser', { UserPoolId: pool.userPoolId, Username: 'ghost@example.com' })).body).toEqual({
      __type: 'UserNotFoundException',
      message: 'User does not exist.',
    });
    expect(
      (await call(pool, 'AdminAddUserToGroup', { UserPoolId: pool.userPoolId, Username: 'known@example.com', GroupName: 'admins' })).body,
    ).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'Group not found.',
    });
    expect((await call(pool, 'AdminCreateUser', { UserPoolId: pool.userPoolId, Username: 'KNOWN@example.com' })).body.__type).toBe(
      'UsernameExistsException',
    );
  });

  it('create groups and move a user between them (CreateGroup, AdminListGroupsForUser, AdminRemoveUserFromGroup), as Cognito answers', async () => {
    const pool = await start({ groups: ['stores'] });
    const UserPoolId = pool.userPoolId;
    await pool.createUser({ username: 'staff@example.com', password: PASSWORD, groups: ['stores'] });

    const created = await call(pool, 'CreateGroup', { UserPoolId, GroupName: 'store:a', Description: 'Staff of a' });
    expect(created.body).toMatchObject({ Group: { GroupName: 'store:a', UserPoolId, Description: 'Staff of a' } });
    expect(typeof (created.body.Group as { CreationDate: unknown }).CreationDate).toBe('number');
    expect((await call(pool, 'CreateGroup', { UserPoolId, GroupName: 'store:a' })).body).toEqual({
      __type: 'GroupExistsException',
      message: 'A group with the name already exists.',
    });
    expect((await call(pool, 'CreateGroup', { UserPoolId, GroupName: 'has space' })).body.__type).toBe('InvalidParameterException');
    expect((await call(pool, 'CreateGroup', { UserPoolId: 'us-east-1_nope', GroupName: 'x' })).body.__type).toBe(
      'ResourceNotFoundException',
    );
    await call(pool, 'CreateGroup', { UserPoolId, GroupName: 'store:b' });

    expect((await call(pool, 'AdminAddUserToGroup', { UserPoolId, Username: 'staff@example.com', GroupName: 'store:a' })).body).toEqual({});
    const listed = await call(pool, 'AdminListGroupsForUser', { UserPoolId, Username: 'staff@example.com' });
    expect((listed.body.Groups as { GroupName: string }[]).map((g) => g.GroupName)).toEqual(['stores', 'store:a']);
    expect(listed.body.NextToken).toBeUndefined();
    const firstPage = await call(pool, 'AdminListGroupsForUser', { UserPoolId, Username: 'staff@example.com', Limit: 1 });
    expect((firstPage.body.Groups as { GroupName: string }[]).map((g) => g.GroupName)).toEqual(['stores']);
    const secondPage = await call(pool, 'AdminListGroupsForUser', {
      UserPoolId,
      Username: 'staff@example.com',
      Limit: 1,
      NextToken: firstPage.body.NextToken,
    });
    expect((secondPage.body.Groups as { GroupName: string }[]).map((g) => g.GroupName)).toEqual(['store:a']);

    expect(
      (await call(pool, 'AdminRemoveUserFromGroup', { UserPoolId, Username: 'staff@example.com', GroupName: 'store:a' })).body,
    ).toEqual({});
    // Removing a user from a group they are not in is not an error.
    expect(
      (await call(pool, 'AdminRemoveUserFromGroup', { UserPoolId, Username: 'staff@example.com', GroupName: 'store:b' })).body,
    ).toEqual({});
    await call(pool, 'AdminAddUserToGroup', { UserPoolId, Username: 'staff@example.com', GroupName: 'store:b' });
    expect(decode(result(await passwordAuth(pool, 'staff@example.com')).AccessToken)).toMatchObject({
      'cognito:groups': ['stores', 'store:b'],
    });
    expect(
      (await call(pool, 'AdminRemoveUserFromGroup', { UserPoolId, Username: 'ghost@example.com', GroupName: 'store:b' })).body.__type,
    ).toBe('UserNotFoundException');
    expect((await call(pool, 'AdminListGroupsForUser', { UserPoolId, Username: 'ghost@example.com' })).body.__type).toBe(
      'UserNotFoundException',
    );
    expect((await call(pool, 'AdminRemoveUserFromGroup', { UserPoolId, Username: 'staff@example.com', GroupName: 'nope' })).body).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'Group not found.',
    });
  });

  it('AdminConfirmSignUp confirms a pending sign-up, once', async () => {
    const pool = await start();
    await call(pool, 'SignUp', {
      ClientId: pool.clientId,
      Username: 'pending@example.com',
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: 'pending@example.com' }],
    });
    expect((await passwordAuth(pool, 'pending@example.com')).body).toEqual({
      __type: 'UserNotConfirmedException',
      message: 'User is not confirmed.',
    });

    expect((await call(pool, 'AdminConfirmSignUp', { UserPoolId: pool.userPoolId, Username: 'pending@example.com' })).body).toEqual({});
    expect((await call(pool, 'AdminConfirmSignUp', { UserPoolId: pool.userPoolId, Username: 'pending@example.com' })).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'User cannot be confirmed. Current status is CONFIRMED',
    });
    // Like Cognito, an admin confirmation does not verify the email.
    expect(decode(result(await passwordAuth(pool, 'pending@example.com')).IdToken)).toMatchObject({ email_verified: false });
  });
});

describe('persistence', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cognito-local-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps users, refresh sessions and the signing key in dataDir across a restart', async () => {
    const dataDir = join(dir, 'restart');
    const first = await start({ dataDir, groups: ['drivers'] });
    await first.createUser({ username: 'driver@example.com', password: PASSWORD, groups: ['drivers'] });
    await call(first, 'CreateGroup', { UserPoolId: first.userPoolId, GroupName: 'store:kept' });
    const tokens = result(await passwordAuth(first, 'driver@example.com'));
    const kid = ((await (await fetch(first.jwksUri)).json()) as { keys: { kid: string }[] }).keys[0]?.kid;
    await first.dispose();

    const second = await start({ dataDir, groups: ['drivers'] });

    expect(((await (await fetch(second.jwksUri)).json()) as { keys: { kid: string }[] }).keys[0]?.kid).toBe(kid);
    expect(decode(result(await passwordAuth(second, 'driver@example.com')).AccessToken)).toMatchObject({ 'cognito:groups': ['drivers'] });
    // A created group is kept; creating it again is refused as on AWS.
    expect((await call(second, 'CreateGroup', { UserPoolId: second.userPoolId, GroupName: 'store:kept' })).body.__type).toBe(
      'GroupExistsException',
    );
    expect((await call(second, 'GetTokensFromRefreshToken', { ClientId: second.clientId, RefreshToken: tokens.RefreshToken })).status).toBe(
      200,
    );
    const file = await readFile(join(dataDir, 'cognito-user-pool.json'), 'utf8');
    expect(file).not.toContain(PASSWORD);
    expect(file).not.toContain(tokens.RefreshToken);
    expect((await stat(join(dataDir, 'cognito-signing-key.pem'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a data file that belongs to another pool', async () => {
    const dataDir = join(dir, 'other-pool');
    const first = await start({ dataDir, userPoolId: 'us-east-1_first' });
    await first.createUser({ username: 'a@example.com', password: PASSWORD });
    await first.dispose();

    await expect(startCognitoUserPool({ dataDir, userPoolId: 'us-east-1_second' })).rejects.toBeInstanceOf(InvalidUserPoolFileError);
  });

  it('refuses a key file that is not a PEM private key', async () => {
    const keyFile = join(dir, 'bad-key.pem');
    await writeFile(keyFile, 'not a key');
    await expect(startCognitoUserPool({ keyFile })).rejects.toBeInstanceOf(InvalidKeyFileError);
  });
});
