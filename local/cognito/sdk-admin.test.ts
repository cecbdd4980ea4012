/**
 * The functions' user-pool admin client (functions/lib/user-pool.ts, on
 * `@aws-sdk/client-cognito-identity-provider`) against this emulator over a real socket: the
 * requests the SDK sends are answered, and the emulator's errors reach the caller as the codes
 * Cognito would answer. The endpoint comes the way a Lambda gets it locally: only from
 * `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserPoolError, userPoolAdmin, type UserPoolAdmin } from '../../functions/lib/user-pool.js';
import { LOCAL_CREDENTIALS } from '../util/aws.js';
import { startCognitoUserPool, type CognitoUserPool } from './index.js';

const USERNAME = 'staff@example.com';
const ENDPOINT_VARIABLE = 'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER';

describe('the functions’ user-pool admin client against the local user pool', () => {
  let pool: CognitoUserPool;
  let admin: UserPoolAdmin;
  const previous = process.env[ENDPOINT_VARIABLE];

  beforeAll(async () => {
    pool = await startCognitoUserPool({ groups: ['stores'] });
    await pool.createUser({ username: USERNAME, password: 'Pizza-Lover-42', attributes: { email: USERNAME } });
    process.env[ENDPOINT_VARIABLE] = pool.endpoint;
    admin = userPoolAdmin({ userPoolId: pool.userPoolId, region: pool.region, credentials: LOCAL_CREDENTIALS });
  });

  afterAll(async () => {
    if (previous === undefined) delete process.env[ENDPOINT_VARIABLE];
    else process.env[ENDPOINT_VARIABLE] = previous;
    await pool.dispose();
  });

  it('creates a group once: ensuring it again leaves it as it is', async () => {
    await admin.ensureGroup('store:a', 'Staff of store a');
    await admin.ensureGroup('store:a', 'Staff of store a');
    await admin.addToGroup(USERNAME, 'store:a');
    expect(await admin.groupsOf(USERNAME)).toEqual(['store:a']);
  });

  it('adds a user to groups and removes them again', async () => {
    await admin.addToGroup(USERNAME, 'stores');
    expect((await admin.groupsOf(USERNAME)).sort()).toEqual(['store:a', 'stores']);
    await admin.removeFromGroup(USERNAME, 'store:a');
    expect(await admin.groupsOf(USERNAME)).toEqual(['stores']);
  });

  it('answers an unknown user with UserPoolError UserNotFoundException', async () => {
    const error: unknown = await admin.groupsOf('nobody@example.com').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserPoolError);
    expect(error).toMatchObject({ code: 'UserNotFoundException', name: 'UserNotFoundException' });
  });

  it('answers a group that does not exist with its code', async () => {
    const error: unknown = await admin.addToGroup(USERNAME, 'store:missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserPoolError);
    expect(error).toMatchObject({ code: 'ResourceNotFoundException' });
  });
});
