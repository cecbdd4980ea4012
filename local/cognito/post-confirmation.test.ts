/**
 * The PostConfirmation trigger (functions/post-confirmation.ts) as the local user pool runs it:
 * the real handler, reaching the pool through `@aws-sdk/client-cognito-identity-provider` (SigV4,
 * the endpoint from `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`), as the local stack wires it.
 * A confirmed self sign-up joins `customers`; other trigger sources and repeats change nothing; a
 * failing trigger fails the confirmation call as Cognito does, the user staying confirmed.
 */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIRM_SIGN_UP, handler } from '../../functions/post-confirmation.js';
import { LOCAL_CREDENTIALS } from '../util/aws.js';
import { startCognitoUserPool, type CognitoUserPool } from './index.js';
import { callPool } from './test-kit.js';

const PASSWORD = 'Pizza-Lover-42';
/** What the handler's SDK client reads from the environment, as a local Lambda does. */
const ENVIRONMENT = {
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: '',
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: '',
};

describe('the PostConfirmation trigger against the local user pool', () => {
  let pool: CognitoUserPool;
  /** Without a `customers` group: the trigger's AdminAddUserToGroup fails there. */
  let broken: CognitoUserPool;
  const previous = Object.fromEntries(Object.keys(ENVIRONMENT).map((name) => [name, process.env[name]]));
  let nextUser = 0;

  beforeAll(async () => {
    pool = await startCognitoUserPool({
      userPoolId: 'us-east-1_postConfirmation',
      groups: ['customers'],
      triggers: { postConfirmation: handler },
    });
    broken = await startCognitoUserPool({ userPoolId: 'us-east-1_noCustomersGroup', triggers: { postConfirmation: handler } });
    Object.assign(process.env, ENVIRONMENT, { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: pool.endpoint });
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await Promise.all([pool?.dispose(), broken?.dispose()]);
  });

  async function signUp(target: CognitoUserPool): Promise<string> {
    const username = `customer-${++nextUser}@example.com`;
    const reply = await callPool(target.endpoint, 'SignUp', {
      ClientId: target.clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: username }],
    });
    expect(reply.body).toMatchObject({ UserConfirmed: false });
    return username;
  }

  const groupsOf = async (target: CognitoUserPool, username: string) =>
    (await callPool(target.endpoint, 'AdminListGroupsForUser', { UserPoolId: target.userPoolId, Username: username })).body;

  function event(username: string, triggerSource: PostConfirmationTriggerEvent['triggerSource']): PostConfirmationTriggerEvent {
    return {
      version: '1',
      region: pool.region,
      userPoolId: pool.userPoolId,
      userName: username,
      callerContext: { awsSdkVersion: 'test', clientId: pool.clientId },
      triggerSource,
      request: { userAttributes: { email: username } },
      response: {},
    };
  }

  it('adds a customer who confirms their sign-up with the emailed code to customers, and returns the event', async () => {
    const username = await signUp(pool);
    expect(await groupsOf(pool, username)).toMatchObject({ Groups: [] });

    const confirmed = await callPool(pool.endpoint, 'ConfirmSignUp', {
      ClientId: pool.clientId,
      Username: username,
      ConfirmationCode: pool.confirmationCode(username),
    });

    expect(confirmed).toMatchObject({ status: 200, body: {} });
    expect(await groupsOf(pool, username)).toMatchObject({ Groups: [{ GroupName: 'customers' }] });
    const again = event(username, CONFIRM_SIGN_UP);
    expect(await handler(again)).toBe(again);
  });

  it('runs on AdminConfirmSignUp too, and a repeated invocation leaves one membership', async () => {
    const username = await signUp(pool);

    expect((await callPool(pool.endpoint, 'AdminConfirmSignUp', { UserPoolId: pool.userPoolId, Username: username })).status).toBe(200);
    await handler(event(username, CONFIRM_SIGN_UP));

    expect(await groupsOf(pool, username)).toMatchObject({ Groups: [{ GroupName: 'customers' }] });
  });

  it('does nothing for a confirmed password reset', async () => {
    const username = await signUp(pool);
    const reset = event(username, 'PostConfirmation_ConfirmForgotPassword');

    expect(await handler(reset)).toBe(reset);

    expect(await groupsOf(pool, username)).toMatchObject({ Groups: [] });
  });

  it('fails the confirmation with UserLambdaValidationException when the trigger fails; the user stays confirmed', async () => {
    process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = broken.endpoint;
    try {
      const username = await signUp(broken);
      const confirmed = await callPool(broken.endpoint, 'ConfirmSignUp', {
        ClientId: broken.clientId,
        Username: username,
        ConfirmationCode: broken.confirmationCode(username),
      });

      expect(confirmed.errorType).toBe('UserLambdaValidationException');
      expect(confirmed.body.message).toMatch(/^PostConfirmation failed with error .*ResourceNotFoundException/);
      const user = await callPool(broken.endpoint, 'AdminGetUser', { UserPoolId: broken.userPoolId, Username: username });
      expect(user.body).toMatchObject({ UserStatus: 'CONFIRMED' });
    } finally {
      process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = pool.endpoint;
    }
  });
});
