import { describe, expect, it } from 'vitest';
import type { Store } from '../../generated/graphql.js';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { storeLabel } from '../../web-demo/src/components.js';
import { describeError, formatProblem } from '../../web-demo/src/errors.js';
import {
  formatDuration,
  loadMetrics,
  MetricsFormatError,
  orderFigures,
  parseMetricsSummary,
  type MetricsSummary,
  type SeriesSummary,
} from '../../web-demo/src/metrics.js';
import { parseCoordinateFields } from '../../web-demo/src/orders.js';
import { defaultStoreId } from '../../web-demo/src/views/useDefaultStore.js';

function series(name: string, patch: Partial<SeriesSummary> = {}): SeriesSummary {
  return {
    namespace: 'ServerlessPizza',
    name,
    unit: 'Count',
    dimensions: { service: 'orders' },
    samples: 1,
    sum: 1,
    min: 1,
    max: 1,
    avg: 1,
    p50: 1,
    ...patch,
  };
}

const summary: MetricsSummary = {
  since: '2026-12-03T06:00:00.000Z',
  documents: 9,
  rejected: 0,
  series: [
    series('OrderPlaced', { samples: 4, sum: 4 }),
    series('OrderAccepted', { samples: 2, sum: 2 }),
    series('OrderCancelled', { dimensions: { service: 'orders', reason: 'STORE_TIMEOUT' } }),
    series('OrderCancelled', { samples: 2, sum: 2, dimensions: { service: 'orders', reason: 'CUSTOMER_CANCELLED' } }),
    series('TimeToDecision', { unit: 'Milliseconds', samples: 2, sum: 3000, min: 1000, max: 2000, avg: 1500, p50: 1500 }),
    // Another namespace's metric of the same name is not the business's.
    series('OrderPlaced', { namespace: 'Elsewhere', sum: 100 }),
  ],
};

function response(status: number, body: string, contentType = 'application/json; charset=UTF-8'): typeof fetch {
  return async () => new Response(body, { status, headers: { 'content-type': contentType } });
}

describe('orderFigures (the operator view)', () => {
  it('adds up each business count, cancellations by reason, and reads the durations', () => {
    const figures = orderFigures(parseMetricsSummary(JSON.parse(JSON.stringify(summary))));

    expect(figures.counts).toEqual({ OrderPlaced: 4, OrderAccepted: 2, OrderDeclined: 0, OrderCancelled: 3, OrderDelivered: 0 });
    expect(figures.cancelledByReason).toEqual([
      { reason: 'CUSTOMER_CANCELLED', count: 2 },
      { reason: 'STORE_TIMEOUT', count: 1 },
    ]);
    expect(figures.durations).toEqual({ TimeToDecision: { samples: 2, avg: 1500, p50: 1500, max: 2000 }, TimeToDelivery: null });
  });

  it('refuses a body that is not a summary', () => {
    expect(() => parseMetricsSummary({ series: [{ ...series('X'), sum: '1' }], since: '', documents: 0, rejected: 0 })).toThrow(
      MetricsFormatError,
    );
    expect(() => parseMetricsSummary([])).toThrow(/no series list/);
  });

  it('words durations for a person', () => {
    expect([formatDuration(850), formatDuration(12_340), formatDuration(270_000)]).toEqual(['850 ms', '12.3 s', '4.5 min']);
  });
});

describe('loadMetrics', () => {
  it('reads the local summary', async () => {
    expect(await loadMetrics('token', response(200, JSON.stringify(summary)))).toEqual({ kind: 'local', summary });
  });

  it('says "CloudWatch" where the route does not exist: a 404, or a host that answers with its page', async () => {
    expect(await loadMetrics('token', response(404, 'Not found', 'text/plain'))).toEqual({ kind: 'cloudwatch' });
    expect(await loadMetrics('token', response(200, '<!doctype html>', 'text/html'))).toEqual({ kind: 'cloudwatch' });
  });

  it("rejects with the route's typed error, shown as the API's errors are", async () => {
    const body = JSON.stringify({ errors: [{ errorType: 'Unauthorized', message: 'Only operators may read the metrics summary.' }] });

    const refusal = await loadMetrics('token', response(403, body)).catch((error: unknown) => error);

    expect(describeError(refusal).map(formatProblem)).toEqual(['Unauthorized: Only operators may read the metrics summary.']);
  });

  it('sends the access token as the API takes it', async () => {
    let sent: string | null = null;
    const capture: typeof fetch = async (_url, init) => {
      sent = new Headers(init?.headers).get('authorization');
      return new Response(JSON.stringify(summary), { headers: { 'content-type': 'application/json' } });
    };
    await loadMetrics('eyJ.token', capture);
    expect(sent).toBe('eyJ.token');
  });
});

describe('closed stores in the web demo', () => {
  const store = (storeId: string, open: boolean): Store => ({
    storeId,
    name: storeId,
    open,
    coordinates: { latitude: 51, longitude: -114 },
  });

  it('labels a closed store', () => {
    expect([storeLabel(store('Beltline', true)), storeLabel(store('Night Owl', false))]).toEqual(['Beltline', 'Night Owl (closed)']);
  });

  it('never defaults a new order to a closed store, even the remembered or the seed one', () => {
    const listed = [store(SEED_STORE_ID, false), store('remembered', false), store('open-one', true)];
    expect(defaultStoreId(listed, 'remembered', true)).toBe('open-one');
    expect(defaultStoreId(listed, 'remembered')).toBe('remembered');
    expect(defaultStoreId([store('closed', false)], null, true)).toBeNull();
  });
});

describe("parseCoordinateFields (the customer's address and the operator's new store)", () => {
  it('reads two decimal fields, and refuses a blank or non-numeric one', () => {
    expect(parseCoordinateFields({ latitude: ' 51.0447 ', longitude: '-114.0719' })).toEqual({ latitude: 51.0447, longitude: -114.0719 });
    expect(parseCoordinateFields({ latitude: '0', longitude: '0' })).toEqual({ latitude: 0, longitude: 0 });
    expect(parseCoordinateFields({ latitude: '', longitude: '1' })).toBeNull();
    expect(parseCoordinateFields({ latitude: '1', longitude: '  ' })).toBeNull();
    expect(parseCoordinateFields({ latitude: 'north', longitude: '1' })).toBeNull();
    expect(parseCoordinateFields({ latitude: '1', longitude: 'Infinity' })).toBeNull();
  });
});
