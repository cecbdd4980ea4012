/**
 * The local user pool as strict as the AWS pool and app client the CDK stack deploys: admin
 * operations need a valid SigV4 signature from a known principal (Cognito's error shapes
 * otherwise), flows the app client does not enable are refused, and with a CORS policy a page
 * on another origin gets nothing. Each refusal changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCorsPolicy } from '../appsync/server/cors.js';
import { startCognitoUserPool, type CognitoUserPool } from './index.js';
import { callPool } from './test-kit.js';

const PASSWORD = 'Pizza-Lover-42';
const USERNAME = 'staff@example.com';
/** The web demo's origin in this test (the API's port: any fixed number will do for the policy). */
const DEMO_PORT = 4000;

describe('the local user pool, as strict as AWS', () => {
  let pool: CognitoUserPool;

  beforeAll(async () => {
    pool = await startCognitoUserPool({
      groups: ['drivers'],
      // The CDK app client's flows (infra/cdk/identity.ts: `authFlows: { userSrp: true }`).
      authFlows: ['USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH'],
      cors: localCorsPolicy(DEMO_PORT),
    });
    await pool.createUser({ username: USERNAME, password: PASSWORD, attributes: { email: USERNAME } });
  });
  afterAll(async () => {
    await pool?.dispose();
  });

  const addToDrivers = { UserPoolId: '', Username: USERNAME, GroupName: 'drivers' };
  const groups = async () =>
    (await callPool(pool.endpoint, 'AdminListGroupsForUser', { UserPoolId: pool.userPoolId, Username: USERNAME })).body.Groups;

  it.each([
    ['unsigned', null, 'MissingAuthenticationTokenException', /^Missing Authentication Token$/],
    [
      'signed with the local key id and another secret (forged)',
      { accessKeyId: 'local', secretAccessKey: 'forged' },
      'InvalidSignatureException',
      /signature/,
    ],
    [
      'signed by a principal the pool does not know',
      { accessKeyId: 'stranger', secretAccessKey: 'stranger' },
      'UnrecognizedClientException',
      /security token/,
    ],
  ])('refuses an admin call %s with %s, and changes nothing', async (_what, credentials, errorType, message) => {
    const reply = await callPool(pool.endpoint, 'AdminAddUserToGroup', { ...addToDrivers, UserPoolId: pool.userPoolId }, { credentials });

    expect(reply).toMatchObject({ status: 400, errorType, body: { __type: errorType, message: expect.stringMatching(message) } });
    expect(await groups()).toEqual([]);
  });

  it('refuses CreateGroup signed for another region', async () => {
    const reply = await callPool(
      pool.endpoint,
      'CreateGroup',
      { UserPoolId: pool.userPoolId, GroupName: 'store:x' },
      { region: 'eu-west-1' },
    );

    expect(reply).toMatchObject({ status: 400, errorType: 'InvalidSignatureException' });
    expect((await callPool(pool.endpoint, 'CreateGroup', { UserPoolId: pool.userPoolId, GroupName: 'store:x' })).status).toBe(200);
  });

  it('answers an admin call signed by the local credentials, as the functions’ SDK client signs it', async () => {
    const reply = await callPool(pool.endpoint, 'AdminAddUserToGroup', { ...addToDrivers, UserPoolId: pool.userPoolId });

    expect(reply).toMatchObject({ status: 200, body: {} });
    expect(await groups()).toMatchObject([{ GroupName: 'drivers' }]);
  });

  it('refuses USER_PASSWORD_AUTH, which the app client does not enable, as Cognito does', async () => {
    const reply = await callPool(pool.endpoint, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: pool.clientId,
      AuthParameters: { USERNAME, PASSWORD },
    });

    expect(reply).toMatchObject({
      status: 400,
      errorType: 'InvalidParameterException',
      body: { __type: 'InvalidParameterException', message: 'USER_PASSWORD_AUTH flow not enabled for this client' },
    });
  });

  it('answers the web demo’s origins only: another page gets no CORS headers and 403, before anything runs', async () => {
    const preflight = (origin: string) =>
      fetch(pool.endpoint, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target' },
      });
    const signUp = (origin: string, username: string) =>
      callPool(
        pool.endpoint,
        'SignUp',
        { ClientId: pool.clientId, Username: username, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: username }] },
        { headers: { origin } },
      );

    for (const origin of [`http://127.0.0.1:${DEMO_PORT}`, `http://localhost:${DEMO_PORT}`]) {
      const allowed = await preflight(origin);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const foreign = await preflight('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(await signUp('https://evil.example', 'lured@example.com')).toMatchObject({ status: 403, errorType: 'ForbiddenException' });
    expect(await signUp(`http://localhost:${DEMO_PORT + 1}`, 'lured@example.com')).toMatchObject({ status: 403 });

    // Nothing was created: the same sign-up from the demo's origin is a new user.
    expect(await signUp(`http://localhost:${DEMO_PORT}`, 'lured@example.com')).toMatchObject({
      status: 200,
      body: { UserConfirmed: false },
    });
  });
});
