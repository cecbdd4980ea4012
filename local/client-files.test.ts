import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir, type NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import { Amplify } from 'aws-amplify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amplifyConfiguration, amplifyOutputs, API_NAME } from '../client/amplify-files.js';
import { schemaErrors } from '../client/validate.js';
import {
  amplifyConfigAt,
  jsonFileRoutes,
  localClientEndpoints,
  PublicHostError,
  resolvePublicHost,
  withHost,
  writeLocalAmplifyFiles,
} from './client-files.js';
import { amplifyConfigFor, DEMO_OPERATORS, DEMO_USERS, webDemoCorsPolicy, writeDemoUsers } from './stack.js';

let server: Server;
let base: string;
let config: unknown;

beforeAll(async () => {
  const routes = jsonFileRoutes({ '/amplify-config.json': () => config, '/demo-users.json': () => DEMO_USERS });
  server = createServer((req, res) => {
    if (routes(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('demo-users.json and demo-operators.json (as npm start writes them)', () => {
  /** The file's entries, checked key by key: issue 7's contract is exactly `{ username, password, role, storeId? }`. */
  async function written(users: Parameters<typeof writeDemoUsers>[0]): Promise<Record<string, unknown>[]> {
    const dir = await mkdtemp(join(tmpdir(), 'demo-users-'));
    try {
      const text = await readFile(await writeDemoUsers(users, join(dir, 'demo.json')), 'utf8');
      const parsed: unknown = JSON.parse(text);
      expect(Array.isArray(parsed)).toBe(true);
      return parsed as Record<string, unknown>[];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('lists customers, staff and drivers with only username, password, role and (staff only) storeId', async () => {
    const users = await written(DEMO_USERS);
    expect(users.length).toBeGreaterThanOrEqual(6);
    for (const user of users) {
      expect(['customer', 'store', 'driver']).toContain(user.role);
      expect(Object.keys(user).sort()).toEqual(
        user.role === 'store' ? ['password', 'role', 'storeId', 'username'] : ['password', 'role', 'username'],
      );
      for (const value of Object.values(user)) expect(typeof value === 'string' && value !== '').toBe(true);
    }
    expect(new Set(users.map((u) => u.role))).toEqual(new Set(['customer', 'store', 'driver']));
  });

  it('keeps the operator in a file of its own, in the same shape with role operator', async () => {
    expect(await written(DEMO_OPERATORS)).toEqual([{ username: 'operator@pizza.example', password: 'Pizza-Demo-1', role: 'operator' }]);
  });
});

describe("webDemoCorsPolicy (the user pool's browser origins)", () => {
  it('allows the web demo at each loopback name on the API port and, with TLS, its HTTPS port; nothing else', () => {
    const policy = webDemoCorsPolicy('http://127.0.0.1:4000/graphql', 4002);

    // A page's request to the user pool: its Origin, and the pool's own address as Host.
    const from = (origin: string | undefined) =>
      ({ headers: { origin, host: '127.0.0.1:4001' }, socket: {} }) as unknown as IncomingMessage;
    for (const origin of [undefined, 'http://127.0.0.1:4000', 'http://localhost:4000', 'http://[::1]:4000', 'https://localhost:4002'])
      expect(policy.allows(from(origin)), origin).toBe(true);
    for (const origin of ['http://localhost:4001', 'http://localhost:4002', 'https://studio.apollographql.com', 'null'])
      expect(policy.allows(from(origin)), origin).toBe(false);
    expect(webDemoCorsPolicy('http://127.0.0.1:4000/graphql', undefined).allows(from('https://localhost:4002'))).toBe(false);
  });
});

describe('jsonFileRoutes', () => {
  it('serves the demo accounts in the shape of demo-users.json, uncached', async () => {
    const res = await fetch(`${base}/demo-users.json?fresh=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const users: unknown = await res.json();
    expect(users).toEqual(JSON.parse(JSON.stringify(DEMO_USERS)));
    expect(users).toContainEqual({ username: 'customer1@pizza.example', password: 'Pizza-Demo-1', role: 'customer' });
  });

  it('leaves a document that is not ready yet, another path or another method to the next route', async () => {
    expect((await fetch(`${base}/amplify-config.json`)).status).toBe(404);
    config = { API: {} };
    expect(await (await fetch(`${base}/amplify-config.json`)).json()).toEqual({ API: {} });
    expect((await fetch(`${base}/other.json`)).status).toBe(404);
    expect((await fetch(`${base}/demo-users.json`, { method: 'POST' })).status).toBe(404);
  });
});

const localStack = {
  graphqlUrl: 'http://0.0.0.0:4000/graphql',
  realtimeUrl: 'ws://0.0.0.0:4000/graphql/realtime',
  region: 'us-east-1',
  apiKey: 'da2-localserverlesspizza0000',
  userPool: {
    endpoint: 'http://0.0.0.0:4001',
    userPoolId: 'us-east-1_local',
    clientId: 'localclient',
    issuer: 'http://127.0.0.1:4001/us-east-1_local',
  },
};

/** One LAN interface, as os.networkInterfaces() lists it. */
function lanInterface(address: string, family: 'IPv4' | 'IPv6' = 'IPv4', internal = false): NetworkInterfaceInfo {
  const base = { address, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
  return family === 'IPv4' ? { ...base, family } : { ...base, family, scopeid: 0 };
}

describe('resolvePublicHost', () => {
  it('uses the bind address when it is one a client can dial', () => {
    expect(resolvePublicHost('127.0.0.1', undefined, {})).toBe('127.0.0.1');
    expect(resolvePublicHost('192.168.1.20', undefined, {})).toBe('192.168.1.20');
  });

  it('replaces a wildcard bind address by the first LAN IPv4 address, never loopback or IPv6', () => {
    const interfaces = {
      lo: [lanInterface('127.0.0.1', 'IPv4', true)],
      eth0: [lanInterface('fe80::1', 'IPv6'), lanInterface('192.168.1.20')],
    };
    expect(resolvePublicHost('0.0.0.0', undefined, interfaces)).toBe('192.168.1.20');
    expect(resolvePublicHost('::', undefined, interfaces)).toBe('192.168.1.20');
  });

  it('asks for --public-host when a wildcard is bound and the machine has no LAN address', () => {
    expect(() => resolvePublicHost('0.0.0.0', undefined, { lo: [lanInterface('127.0.0.1', 'IPv4', true)] })).toThrow(/--public-host/);
  });

  it('takes --public-host as given, but not a wildcard', () => {
    expect(resolvePublicHost('0.0.0.0', 'pizza.lan', {})).toBe('pizza.lan');
    expect(() => resolvePublicHost('0.0.0.0', '0.0.0.0', {})).toThrow(PublicHostError);
  });
});

describe('withHost', () => {
  it('replaces the host name only', () => {
    expect(withHost('http://0.0.0.0:4000/graphql', '192.168.1.20')).toBe('http://192.168.1.20:4000/graphql');
    expect(withHost('ws://0.0.0.0:4000/graphql/realtime', 'pizza.lan')).toBe('ws://pizza.lan:4000/graphql/realtime');
    expect(withHost('http://0.0.0.0:4001', '192.168.1.20')).toBe('http://192.168.1.20:4001');
    expect(withHost('http://127.0.0.1:4000/graphql', '::1')).toBe('http://[::1]:4000/graphql');
  });
});

describe('the mobile config files of the local stack', () => {
  const endpoints = localClientEndpoints(localStack, '192.168.1.20');

  it('writes amplify_outputs.json that conforms to the published Gen 2 schema', () => {
    const outputs = amplifyOutputs(endpoints);
    expect(schemaErrors('amplify_outputs', outputs)).toEqual([]);
    expect(outputs.data).toEqual({
      aws_region: 'us-east-1',
      url: 'http://192.168.1.20:4000/graphql',
      api_key: 'da2-localserverlesspizza0000',
      default_authorization_type: 'AMAZON_COGNITO_USER_POOLS',
      authorization_types: ['API_KEY'],
    });
    expect(outputs.auth).toMatchObject({ aws_region: 'us-east-1', user_pool_id: 'us-east-1_local', user_pool_client_id: 'localclient' });
    // The format has no place for a user-pool endpoint; the local one rides in `custom`.
    expect(outputs.custom?.serverless_pizza_local).toEqual({
      user_pool_endpoint: 'http://192.168.1.20:4001',
      realtime_url: 'ws://192.168.1.20:4000/graphql/realtime',
    });
  });

  it('writes amplifyconfiguration.json that conforms to the Gen 1 schema', () => {
    const configuration = amplifyConfiguration(endpoints);
    expect(schemaErrors('amplifyconfiguration', configuration)).toEqual([]);
    expect(configuration.api.plugins.awsAPIPlugin[API_NAME]).toEqual({
      endpointType: 'GraphQL',
      endpoint: 'http://192.168.1.20:4000/graphql',
      region: 'us-east-1',
      authorizationType: 'AMAZON_COGNITO_USER_POOLS',
      apiKey: 'da2-localserverlesspizza0000',
    });
    expect(configuration.auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default).toEqual({
      PoolId: 'us-east-1_local',
      AppClientId: 'localclient',
      Region: 'us-east-1',
    });
  });

  it('is refused by the schemas when a required field is missing or has a wrong type', () => {
    const { url: _url, ...dataWithoutUrl } = amplifyOutputs(endpoints).data;
    expect(schemaErrors('amplify_outputs', { ...amplifyOutputs(endpoints), data: dataWithoutUrl })).toContain(
      ".data should have required property 'url'",
    );
    expect(
      schemaErrors('amplify_outputs', {
        ...amplifyOutputs(endpoints),
        auth: { ...amplifyOutputs(endpoints).auth, user_pool_endpoint: 'x' },
      }),
    ).toEqual(['.auth should NOT have additional properties']);
    expect(schemaErrors('amplifyconfiguration', { ...amplifyConfiguration(endpoints), Version: '2.0' })).toEqual([
      '.Version should be equal to constant',
    ]);
  });

  it('gives aws-amplify v6 the API and user pool from amplify_outputs.json', () => {
    Amplify.configure(amplifyOutputs(endpoints));
    const config = Amplify.getConfig();
    expect(config.API?.GraphQL).toMatchObject({
      endpoint: 'http://192.168.1.20:4000/graphql',
      region: 'us-east-1',
      defaultAuthMode: 'userPool',
      apiKey: 'da2-localserverlesspizza0000',
    });
    expect(config.Auth?.Cognito).toMatchObject({
      userPoolId: 'us-east-1_local',
      userPoolClientId: 'localclient',
      loginWith: { email: true },
    });
  });

  it('writes both files, naming the public host and never the wildcard bound', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pizza-client-files-'));
    try {
      const files = await writeLocalAmplifyFiles(dir, localStack, '192.168.1.20');
      expect(files).toEqual({ outputs: join(dir, 'amplify_outputs.json'), configuration: join(dir, 'amplifyconfiguration.json') });
      for (const file of Object.values(files)) {
        const text = await readFile(file, 'utf8');
        expect(text).toContain('192.168.1.20');
        expect(text).not.toContain('0.0.0.0');
      }
      expect(schemaErrors('amplify_outputs', JSON.parse(await readFile(files.outputs, 'utf8')))).toEqual([]);
      expect(schemaErrors('amplifyconfiguration', JSON.parse(await readFile(files.configuration, 'utf8')))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the mobile config files of a local stack with its TLS listener (--tls)', () => {
  const tlsStack = {
    ...localStack,
    tls: {
      graphqlUrl: 'https://0.0.0.0:4002/graphql',
      realtimeUrl: 'wss://0.0.0.0:4002/graphql/realtime',
      userPoolEndpoint: 'https://0.0.0.0:4003',
      caFile: '/data/tls/ca.crt',
    },
  };
  const endpoints = localClientEndpoints(tlsStack, '192.168.1.20');

  it('name the https:// endpoints (API and user pool), from which the libraries derive wss://…/graphql/realtime, and still conform to their schemas', () => {
    const outputs = amplifyOutputs(endpoints);
    expect(schemaErrors('amplify_outputs', outputs)).toEqual([]);
    expect(outputs.data.url).toBe('https://192.168.1.20:4002/graphql');
    expect(outputs.custom?.serverless_pizza_local).toEqual({
      user_pool_endpoint: 'https://192.168.1.20:4003',
      realtime_url: 'wss://192.168.1.20:4002/graphql/realtime',
    });
    const configuration = amplifyConfiguration(endpoints);
    expect(schemaErrors('amplifyconfiguration', configuration)).toEqual([]);
    expect(configuration.api.plugins.awsAPIPlugin[API_NAME]?.endpoint).toBe('https://192.168.1.20:4002/graphql');
    expect(configuration.auth.plugins.awsCognitoAuthPlugin.AppSync.Default.ApiUrl).toBe('https://192.168.1.20:4002/graphql');
  });

  it('leave amplify-config.json on the plain http/ws endpoints (browsers and Node need no certificate)', () => {
    const userPool = { ...localStack.userPool, endpoint: 'http://0.0.0.0:4001' };
    const config = amplifyConfigAt(amplifyConfigFor(localStack.graphqlUrl, 'us-east-1', localStack.apiKey, userPool), '192.168.1.20');
    expect(config.API.GraphQL).toMatchObject({
      endpoint: 'ws://192.168.1.20:4000/graphql',
      customEndpoint: 'http://192.168.1.20:4000/graphql',
    });
    expect(config.Auth.Cognito.userPoolEndpoint).toBe('http://192.168.1.20:4001');
  });

  it('write both files with the https:// endpoints, none of the plain ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pizza-client-files-tls-'));
    try {
      const files = await writeLocalAmplifyFiles(dir, tlsStack, '192.168.1.20');
      const outputs: unknown = JSON.parse(await readFile(files.outputs, 'utf8'));
      expect(schemaErrors('amplify_outputs', outputs)).toEqual([]);
      expect(outputs).toMatchObject({
        data: { url: 'https://192.168.1.20:4002/graphql' },
        custom: { serverless_pizza_local: { user_pool_endpoint: 'https://192.168.1.20:4003' } },
      });
      expect(JSON.stringify(outputs)).not.toContain('http://');
      const configuration: unknown = JSON.parse(await readFile(files.configuration, 'utf8'));
      expect(schemaErrors('amplifyconfiguration', configuration)).toEqual([]);
      expect(JSON.stringify(configuration)).not.toContain('http://192.168.1.20:4000');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
