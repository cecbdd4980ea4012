/**
 * openrouteservice client. The API key lives in SSM Parameter Store (SecureString), read through
 * Powertools Parameters (`routingKey`): decrypted, cached in the container for a bounded time;
 * the parameter's absence, a failed read or call, or a timeout all fall back to the
 * straight-line estimate, with the reason logged.
 */
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { parseOrsDirections, straightLineEstimate, type DeliveryEstimate } from '../../domain/eta.js';
import type { CoordinatesValue } from '../../domain/order.js';
import { ssmClient } from './clients.js';

/** @default 3000 ms: the estimate is a nicety; the workflow must not wait long for it. */
export const ROUTING_TIMEOUT_MS = 3000;

/**
 * How long a container keeps the routing key (or its absence) before asking SSM again.
 * @default 300 s. Bounded, so a rotated or newly configured key is used within five minutes with
 * no redeploy; long enough that SSM is asked about once per container per five minutes rather
 * than once per order (GetParameter's account-wide throughput is shared, and a burst of
 * deliveries must not be throttled into straight-line estimates).
 */
export const ROUTING_KEY_MAX_AGE_SECONDS = 300;

/** The routing key, or null when none is configured; throws when SSM cannot be read. */
export type ApiKeySource = () => Promise<string | null>;

export interface RoutingDeps {
  readonly apiKey: ApiKeySource;
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly log: (message: string) => void;
}

let defaultProvider: SSMProvider | undefined;
/** Parameters found absent, with when to ask again (Powertools caches values only). */
const absentUntil = new Map<string, number>();

/**
 * The key in SSM parameter `name`, decrypted, through Powertools' SSMProvider over the shared SSM
 * client (functions/lib/clients.ts: AWS_ENDPOINT_URL_SSM locally, traced on Lambda). The provider
 * is one per container, so its cache outlives the invocation.
 */
export function routingKey(
  name: string,
  provider: SSMProvider = (defaultProvider ??= new SSMProvider({ awsSdkV3Client: ssmClient() })),
  now: () => number = Date.now,
): ApiKeySource {
  return async () => {
    if ((absentUntil.get(name) ?? 0) > now()) return null;
    try {
      const value = await provider.get(name, { decrypt: true, maxAge: ROUTING_KEY_MAX_AGE_SECONDS, throwOnMissing: true });
      return value === undefined || value === '' ? null : value;
    } catch (error) {
      if (!(error instanceof ParameterNotFoundError)) throw error;
      absentUntil.set(name, now() + ROUTING_KEY_MAX_AGE_SECONDS * 1000);
      return null;
    }
  };
}

export async function estimateRoute(from: CoordinatesValue, to: CoordinatesValue, deps: RoutingDeps): Promise<DeliveryEstimate> {
  let key: string | null;
  try {
    key = await deps.apiKey();
  } catch (error) {
    deps.log(`routing key unavailable (${error instanceof Error ? error.name : 'error'}); using straight line`);
    return straightLineEstimate(from, to);
  }
  if (key === null) {
    deps.log('no routing API key configured; using straight line');
    return straightLineEstimate(from, to);
  }
  try {
    const response = await deps.fetch(`${deps.baseUrl.replace(/\/$/, '')}/v2/directions/driving-car/geojson`, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/json', accept: 'application/geo+json, application/json' },
      body: JSON.stringify({
        coordinates: [
          [from.longitude, from.latitude],
          [to.longitude, to.latitude],
        ],
      }),
      signal: AbortSignal.timeout(ROUTING_TIMEOUT_MS),
    });
    if (!response.ok) {
      deps.log(`routing service answered HTTP ${response.status}; using straight line`);
      return straightLineEstimate(from, to);
    }
    return parseOrsDirections(await response.json()) ?? straightLineEstimate(from, to);
  } catch (error) {
    deps.log(`routing service failed (${error instanceof Error ? error.name : 'error'}); using straight line`);
    return straightLineEstimate(from, to);
  }
}
