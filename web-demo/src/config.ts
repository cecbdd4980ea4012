/**
 * The demo's only configuration is `/amplify-config.json` on its own origin: the local stack
 * serves it, and the same file is written from a deployed stack's outputs. It is checked here
 * before it reaches `Amplify.configure()`, so a wrong file fails with a message, not later.
 * Locally `/demo-users.json` (customers, staff, drivers) and `/demo-operators.json` list the
 * seeded accounts for one-click sign-in.
 */
import type { ResourcesConfig } from 'aws-amplify';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ConfigError(`${where} must be an object`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${where} must be a non-empty string`);
  return value;
}

function optionalText(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : text(value, where);
}

const AUTH_MODES = ['userPool', 'apiKey'] as const;
type DemoAuthMode = (typeof AUTH_MODES)[number];

function authMode(value: unknown): DemoAuthMode {
  const mode = AUTH_MODES.find((m) => m === value);
  if (mode === undefined) throw new ConfigError('API.GraphQL.defaultAuthMode must be "userPool" or "apiKey"');
  return mode;
}

/**
 * Accepts `{ API: { GraphQL: { … } }, Auth: { Cognito: { … } } }`: the API with its API key
 * (which serves only the public store list) and the user pool everyone signs in to. The demo
 * names the auth mode on every request, so either default mode works. `userPoolEndpoint` is
 * present only locally (the emulator's URL); on AWS Amplify derives Cognito's endpoint itself.
 */
export function parseAmplifyConfig(raw: unknown): ResourcesConfig {
  const config = record(raw, 'config');
  const graphql = record(record(config.API, 'API').GraphQL, 'API.GraphQL');
  const customEndpoint = optionalText(graphql.customEndpoint, 'API.GraphQL.customEndpoint');
  const customEndpointRegion = optionalText(graphql.customEndpointRegion, 'API.GraphQL.customEndpointRegion');
  const cognito = record(record(config.Auth, 'Auth').Cognito, 'Auth.Cognito');
  const userPoolEndpoint = optionalText(cognito.userPoolEndpoint, 'Auth.Cognito.userPoolEndpoint');
  return {
    API: {
      GraphQL: {
        endpoint: text(graphql.endpoint, 'API.GraphQL.endpoint'),
        region: text(graphql.region, 'API.GraphQL.region'),
        defaultAuthMode: authMode(graphql.defaultAuthMode),
        apiKey: text(graphql.apiKey, 'API.GraphQL.apiKey'),
        ...(customEndpoint === undefined ? {} : { customEndpoint }),
        ...(customEndpointRegion === undefined ? {} : { customEndpointRegion }),
      },
    },
    Auth: {
      Cognito: {
        userPoolId: text(cognito.userPoolId, 'Auth.Cognito.userPoolId'),
        userPoolClientId: text(cognito.userPoolClientId, 'Auth.Cognito.userPoolClientId'),
        ...(userPoolEndpoint === undefined ? {} : { userPoolEndpoint }),
        // The demo signs in with an email address; sign-ups confirm it with an emailed code.
        loginWith: { email: true },
        signUpVerificationMethod: 'code',
      },
    },
  };
}

/** A seeded account the sign-in page offers as one click (local stack only). */
export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly role: 'customer' | 'store' | 'driver' | 'operator';
  readonly storeId?: string;
}

const ROLES: readonly DemoUser['role'][] = ['customer', 'store', 'driver', 'operator'];

/**
 * The `[{ username, password, role, storeId? }]` of `/demo-users.json` or `/demo-operators.json`;
 * entries of another shape are skipped.
 */
export function parseDemoUsers(raw: unknown): DemoUser[] {
  if (!Array.isArray(raw)) throw new ConfigError('demo users must be an array');
  return raw.flatMap((entry: unknown): DemoUser[] => {
    if (!isRecord(entry)) return [];
    const { username, password, role, storeId } = entry;
    const knownRole = ROLES.find((r) => r === role);
    if (typeof username !== 'string' || typeof password !== 'string' || knownRole === undefined) return [];
    return [{ username, password, role: knownRole, ...(typeof storeId === 'string' ? { storeId } : {}) }];
  });
}

/** The files of seeded accounts, in the order the sign-in page lists them. */
export const DEMO_ACCOUNT_FILES = ['/demo-users.json', '/demo-operators.json'] as const;

/** The demo accounts beside the config; none from a file that is missing (a deployed stack answers 404) or malformed. */
export async function loadDemoUsers(urls: readonly string[] = DEMO_ACCOUNT_FILES): Promise<DemoUser[]> {
  const lists = await Promise.all(
    urls.map(async (url) => {
      try {
        const response = await fetch(url, { cache: 'no-store' });
        return response.ok ? parseDemoUsers(await response.json()) : [];
      } catch {
        return [];
      }
    }),
  );
  return lists.flat();
}

export async function loadAmplifyConfig(url = '/amplify-config.json'): Promise<ResourcesConfig> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new ConfigError(`GET ${url} answered ${response.status}`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError(`${url} is not JSON`);
  }
  return parseAmplifyConfig(raw);
}
