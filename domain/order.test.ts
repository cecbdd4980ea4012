import { describe, expect, it } from 'vitest';
import { orderRecord } from '../test/factories.js';
import { PUBLIC_ORDER_FIELDS, TRANSITIONS, canApply, toPublicOrder } from './order.js';
import { haversineMeters, parseOrsDirections, straightLineEstimate } from './eta.js';

const record = orderRecord({ storeTaskToken: 'secret-token', driverTaskToken: 'another-secret' });

describe('transitions', () => {
  it('lets only a PLACED order be accepted, declined or cancelled', () => {
    for (const action of ['accept', 'decline', 'cancel'] as const) {
      expect(canApply('PLACED', action)).toBe(true);
      expect(canApply('ACCEPTED', action)).toBe(false);
      expect(canApply('CANCELLED', action)).toBe(false);
    }
  });

  it('refuses a pickup before acceptance', () => {
    expect(canApply('PLACED', 'pickup')).toBe(false);
    expect(canApply('ACCEPTED', 'pickup')).toBe(true);
    expect(TRANSITIONS.pickup.to).toBe('OUT_FOR_DELIVERY');
  });
});

describe('toPublicOrder', () => {
  it('drops task tokens and the idempotency key', () => {
    const view = toPublicOrder(record);
    expect(JSON.stringify(view)).not.toContain('secret');
    expect(Object.keys(view).sort()).toEqual([...PUBLIC_ORDER_FIELDS].sort());
  });
});

describe('delivery estimates', () => {
  it('measures a known distance (Calgary tower to the seed store, about 1 km)', () => {
    const meters = haversineMeters({ latitude: 51.0443, longitude: -114.0631 }, { latitude: 51.049, longitude: -114.0826 });
    expect(meters).toBeGreaterThan(1300);
    expect(meters).toBeLessThan(1600);
  });

  it('labels the straight-line estimate', () => {
    const estimate = straightLineEstimate({ latitude: 51, longitude: -114 }, { latitude: 51.01, longitude: -114 });
    expect(estimate.source).toBe('STRAIGHT_LINE');
    expect(estimate.durationSeconds).toBeGreaterThan(0);
  });

  it('reads an openrouteservice response and rejects a malformed one', () => {
    const body = {
      features: [
        {
          properties: {
            summary: { distance: 2500.5, duration: 301.2 },
            segments: [{ steps: [{ instruction: 'Head north', distance: 100, duration: 20 }] }],
          },
        },
      ],
    };
    expect(parseOrsDirections(body)).toEqual({
      source: 'ROUTING_SERVICE',
      distanceMeters: 2500.5,
      durationSeconds: 301,
      steps: [{ instruction: 'Head north', distance: 100, duration: 20 }],
    });
    expect(parseOrsDirections({ features: [] })).toBeNull();
  });
});
