/**
 * openrouteservice client. The API key lives in SSM Parameter Store (SecureString) and is
 * decrypted at run time; the parameter's absence, a failed call or a timeout all fall back to
 * the straight-line estimate, with the reason logged.
 */
import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { parseOrsDirections, straightLineEstimate, type DeliveryEstimate } from '../../domain/eta.js';
import type { CoordinatesValue } from '../../domain/order.js';

/** @default 3000 ms: the estimate is a nicety; the workflow must not wait long for it. */
export const ROUTING_TIMEOUT_MS = 3000;

export interface RoutingDeps {
  readonly ssm: SSMClient;
  readonly apiKeyParameter: string;
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  readonly log: (message: string) => void;
}

export async function readApiKey(ssm: SSMClient, name: string): Promise<string | null> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = out.Parameter?.Value;
    return value === undefined || value === '' ? null : value;
  } catch (error) {
    if (error instanceof ParameterNotFound) return null;
    throw error;
  }
}

export async function estimateRoute(from: CoordinatesValue, to: CoordinatesValue, deps: RoutingDeps): Promise<DeliveryEstimate> {
  let key: string | null;
  try {
    key = await readApiKey(deps.ssm, deps.apiKeyParameter);
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
