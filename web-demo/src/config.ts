/**
 * The demo's only configuration is `/amplify-config.json` on its own origin: the local stack
 * serves it, and the same file is written from a deployed stack's outputs. It is checked here
 * before it reaches `Amplify.configure()`, so a wrong file fails with a message, not later.
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

/** Accepts the `{ API: { GraphQL: { … } } }` shape with API-key auth (the only mode the demo uses). */
export function parseAmplifyConfig(raw: unknown): ResourcesConfig {
  const graphql = record(record(record(raw, 'config').API, 'API').GraphQL, 'API.GraphQL');
  if (graphql.defaultAuthMode !== 'apiKey') throw new ConfigError('API.GraphQL.defaultAuthMode must be "apiKey"');
  const customEndpoint = optionalText(graphql.customEndpoint, 'API.GraphQL.customEndpoint');
  const customEndpointRegion = optionalText(graphql.customEndpointRegion, 'API.GraphQL.customEndpointRegion');
  return {
    API: {
      GraphQL: {
        endpoint: text(graphql.endpoint, 'API.GraphQL.endpoint'),
        region: text(graphql.region, 'API.GraphQL.region'),
        defaultAuthMode: 'apiKey',
        apiKey: text(graphql.apiKey, 'API.GraphQL.apiKey'),
        ...(customEndpoint === undefined ? {} : { customEndpoint }),
        ...(customEndpointRegion === undefined ? {} : { customEndpointRegion }),
      },
    },
  };
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
