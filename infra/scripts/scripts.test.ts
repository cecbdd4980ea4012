import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Amplify, type ResourcesConfig } from 'aws-amplify';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTPUT, outputKey } from '../cdk/outputs.js';
import { SEED_STORE_ID, SEED_STORES } from '../seed-stores.js';
import { amplifyConfiguration, amplifyOutputs } from '../../client/amplify-files.js';
import { schemaErrors } from '../../client/validate.js';
import { amplifyConfigFromOutputs, clientEndpointsFromConfig } from './amplify-config.js';
import { seedRequests, seedStores } from './seed.js';
import { parseFlags, parseStackOutputs, readStackOutputs, StackOutputsError } from './stack-outputs.js';

const deployed = {
  [OUTPUT.graphqlUrl]: 'https://abcdefghijklmnopqrstuvwxyz.appsync-api.us-east-1.amazonaws.com/graphql',
  [OUTPUT.realtimeUrl]: 'wss://abcdefghijklmnopqrstuvwxyz.appsync-realtime-api.us-east-1.amazonaws.com/graphql',
  [OUTPUT.apiKey]: 'da2-deployedkey',
  [OUTPUT.region]: 'us-east-1',
  [OUTPUT.userPoolId]: 'us-east-1_AbCdEf123',
  [OUTPUT.userPoolClientId]: '1example23456789abcdefghij',
  [outputKey('TableName', 'Stores')]: 'ServerlessPizza-dev-StoresTable-XYZ',
};

describe('amplifyConfigFromOutputs', () => {
  it('gives the Amplify v6 config of the deployed API (HTTPS endpoint, user pool by default, API key for the store list) and its user pool', () => {
    expect(amplifyConfigFromOutputs(deployed)).toEqual({
      API: { GraphQL: { endpoint: deployed.GraphqlUrl, region: 'us-east-1', defaultAuthMode: 'userPool', apiKey: 'da2-deployedkey' } },
      Auth: {
        Cognito: {
          userPoolId: 'us-east-1_AbCdEf123',
          userPoolClientId: '1example23456789abcdefghij',
          loginWith: { email: true },
          signUpVerificationMethod: 'code',
        },
      },
    });
  });

  it('is a config aws-amplify v6 takes as it is: signed-in users by default, the API key only where a call asks for it', () => {
    // Typed as Amplify's own ResourcesConfig: a shape Amplify does not accept fails the type check.
    const config: ResourcesConfig = amplifyConfigFromOutputs(deployed);
    Amplify.configure(config);
    expect(Amplify.getConfig()).toEqual(config);
    expect(Amplify.getConfig().API?.GraphQL?.defaultAuthMode).toBe('userPool');
  });

  it('rejects outputs without the user pool or its client (a stack deployed before identity)', () => {
    const { [OUTPUT.userPoolId]: _pool, ...withoutPool } = deployed;
    expect(() => amplifyConfigFromOutputs(withoutPool)).toThrow(/UserPoolId/);
    const { [OUTPUT.userPoolClientId]: _client, ...withoutClient } = deployed;
    expect(() => amplifyConfigFromOutputs(withoutClient)).toThrow(/UserPoolClientId/);
  });

  it('rejects a user pool of another region than the API', () => {
    expect(() => amplifyConfigFromOutputs({ ...deployed, [OUTPUT.userPoolId]: 'eu-west-1_AbCdEf123' })).toThrow(StackOutputsError);
  });

  it('rejects outputs without an API key', () => {
    const { [OUTPUT.apiKey]: _omitted, ...withoutKey } = deployed;
    expect(() => amplifyConfigFromOutputs(withoutKey)).toThrow(/ApiKey/);
  });

  it('rejects a GraphQL URL that is not https', () => {
    expect(() => amplifyConfigFromOutputs({ ...deployed, [OUTPUT.graphqlUrl]: 'http://127.0.0.1:4000/graphql' })).toThrow(
      StackOutputsError,
    );
  });
});

describe('the mobile config files of a deployed stack', () => {
  const endpoints = clientEndpointsFromConfig(amplifyConfigFromOutputs(deployed));

  it('writes amplify_outputs.json (Gen 2) that conforms to the published schema, with no local endpoints', () => {
    const outputs = amplifyOutputs(endpoints);
    expect(schemaErrors('amplify_outputs', outputs)).toEqual([]);
    expect(outputs.data).toMatchObject({ url: deployed.GraphqlUrl, aws_region: 'us-east-1', api_key: 'da2-deployedkey' });
    expect(outputs.data.default_authorization_type).toBe('AMAZON_COGNITO_USER_POOLS');
    expect(outputs.auth).toMatchObject({ user_pool_id: 'us-east-1_AbCdEf123', user_pool_client_id: '1example23456789abcdefghij' });
    expect(outputs).not.toHaveProperty('custom');
  });

  it('writes amplifyconfiguration.json (Gen 1) that conforms to its schema', () => {
    const configuration = amplifyConfiguration(endpoints);
    expect(schemaErrors('amplifyconfiguration', configuration)).toEqual([]);
    expect(Object.values(configuration.api.plugins.awsAPIPlugin)).toEqual([
      {
        endpointType: 'GraphQL',
        endpoint: deployed.GraphqlUrl,
        region: 'us-east-1',
        authorizationType: 'AMAZON_COGNITO_USER_POOLS',
        apiKey: 'da2-deployedkey',
      },
    ]);
  });

  it('gives aws-amplify v6 the same API and user pool as amplify-config.json', () => {
    Amplify.configure(amplifyOutputs(endpoints));
    const fromOutputs = Amplify.getConfig();
    const fromConfig = amplifyConfigFromOutputs(deployed);
    expect(fromOutputs.API?.GraphQL).toMatchObject(fromConfig.API.GraphQL);
    expect(fromOutputs.Auth?.Cognito).toMatchObject({
      userPoolId: fromConfig.Auth.Cognito.userPoolId,
      userPoolClientId: fromConfig.Auth.Cognito.userPoolClientId,
      loginWith: { email: true },
    });
  });
});

describe('parseStackOutputs', () => {
  it('takes the only stack of a cdk --outputs-file', () => {
    expect(parseStackOutputs({ 'ServerlessPizza-dev': deployed })).toEqual(deployed);
  });

  it('needs a stack name when the file has several', () => {
    expect(() => parseStackOutputs({ a: deployed, b: deployed })).toThrow(/--stack/);
    expect(parseStackOutputs({ a: deployed, b: { X: 'y' } }, 'b')).toEqual({ X: 'y' });
  });

  it('rejects a non-string output value', () => {
    expect(() => parseStackOutputs({ s: { GraphqlUrl: 42 } })).toThrow(StackOutputsError);
  });
});

describe('readStackOutputs', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('reads the outputs file and says how to make it when missing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pizza-outputs-'));
    const file = join(dir, 'cdk-outputs.json');
    await expect(readStackOutputs(file)).rejects.toThrow(/--outputs-file/);
    await writeFile(file, JSON.stringify({ 'ServerlessPizza-dev': deployed }));
    expect(await readStackOutputs(file)).toEqual(deployed);
  });
});

describe('parseFlags', () => {
  it('reads known --flag value pairs and rejects others', () => {
    expect(parseFlags(['--stack', 'S', '--out', 'x.json'], ['stack', 'out'])).toEqual({ stack: 'S', out: 'x.json' });
    expect(() => parseFlags(['--nope', 'x'], ['stack'])).toThrow(/unknown argument/);
    expect(() => parseFlags(['--stack'], ['stack'])).toThrow(/needs a value/);
  });
});

describe('seedStores', () => {
  it('puts every seed store, the original Calgary store included, keyed by storeId', () => {
    const requests = seedRequests('Stores');
    expect(requests).toHaveLength(SEED_STORES.length);
    expect(requests.map((r) => r.Item?.storeId)).toContainEqual({ S: SEED_STORE_ID });
    expect(requests[0]?.Item?.coordinates).toEqual({
      M: { latitude: { N: '51.04900775883393' }, longitude: { N: '-114.08263067482211' } },
    });
  });

  it('sends the same unconditional puts on every run (idempotent)', async () => {
    const sent: unknown[] = [];
    const client = { send: async (command: PutItemCommand) => void sent.push(command.input) };
    await seedStores(client, 'Stores');
    await seedStores(client, 'Stores');
    expect(sent).toHaveLength(2 * SEED_STORES.length);
    expect(sent.slice(0, SEED_STORES.length)).toEqual(sent.slice(SEED_STORES.length));
    expect(sent.every((input) => typeof input === 'object' && input !== null && !('ConditionExpression' in input))).toBe(true);
  });
});
