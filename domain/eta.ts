/**
 * Delivery estimates. A routing service gives real driving directions; when it is missing or
 * fails, a straight-line estimate stands in (labelled as such) so an order never fails on routing.
 */
import type { CoordinatesValue, DeliveryStepValue, EstimateSource } from './order.js';

export interface DeliveryEstimate {
  readonly source: EstimateSource;
  /** Seconds of driving from the store to the customer. */
  readonly durationSeconds: number;
  /** Metres. */
  readonly distanceMeters: number;
  readonly steps: readonly DeliveryStepValue[];
}

const EARTH_RADIUS_METERS = 6_371_000;
/** Roads are longer than the crow flies; 1.3 is a common urban detour factor. */
export const DETOUR_FACTOR = 1.3;
/** Average city driving speed for the straight-line estimate. @default 30 km/h */
export const CITY_SPEED_METERS_PER_SECOND = 30_000 / 3600;

export function haversineMeters(a: CoordinatesValue, b: CoordinatesValue): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(h));
}

export function straightLineEstimate(from: CoordinatesValue, to: CoordinatesValue): DeliveryEstimate {
  const distanceMeters = Math.round(haversineMeters(from, to) * DETOUR_FACTOR);
  const durationSeconds = Math.round(distanceMeters / CITY_SPEED_METERS_PER_SECOND);
  return {
    source: 'STRAIGHT_LINE',
    distanceMeters,
    durationSeconds,
    steps: [
      {
        instruction: 'Drive to the delivery address (straight-line estimate; no route available)',
        distance: distanceMeters,
        duration: durationSeconds,
      },
    ],
  };
}

/**
 * Reads an openrouteservice `/v2/directions/{profile}/geojson` response. Returns null when it
 * has no usable route (the caller then falls back to the straight line).
 */
export function parseOrsDirections(body: unknown): DeliveryEstimate | null {
  if (typeof body !== 'object' || body === null || !('features' in body) || !Array.isArray(body.features)) return null;
  const feature: unknown = body.features[0];
  if (typeof feature !== 'object' || feature === null || !('properties' in feature)) return null;
  const props = feature.properties;
  if (typeof props !== 'object' || props === null || !('summary' in props) || !('segments' in props)) return null;
  const summary = props.summary;
  if (typeof summary !== 'object' || summary === null || !('distance' in summary) || !('duration' in summary)) return null;
  const { distance, duration } = summary;
  if (typeof distance !== 'number' || typeof duration !== 'number') return null;
  const steps: DeliveryStepValue[] = [];
  if (Array.isArray(props.segments)) {
    for (const segment of props.segments as unknown[]) {
      if (typeof segment !== 'object' || segment === null || !('steps' in segment) || !Array.isArray(segment.steps)) continue;
      for (const step of segment.steps as unknown[]) {
        if (typeof step !== 'object' || step === null) continue;
        const s = step as Record<string, unknown>;
        if (typeof s.instruction === 'string' && typeof s.distance === 'number' && typeof s.duration === 'number') {
          steps.push({ instruction: s.instruction, distance: s.distance, duration: s.duration });
        }
      }
    }
  }
  return { source: 'ROUTING_SERVICE', distanceMeters: distance, durationSeconds: Math.round(duration), steps };
}
