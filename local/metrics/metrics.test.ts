import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../domain/metrics.js';
import { emitOrderMetrics } from '../../functions/lib/order-metrics.js';
import { tapConsoleLog } from './console-tap.js';
import { EMF_LIMITS, parseEmfLine, type EmfLine } from './emf.js';
import { MEDIAN_WINDOW, MetricsAggregator, type SeriesSummary } from './summary.js';

const placedAt = '2026-11-24T01:00:00.000Z';
const placed = { orderId: 'o1', status: 'PLACED', createdAt: placedAt };

/** A stream record of the orders table, as Lambda's event source mapping delivers it. */
function streamRecord(eventName: 'INSERT' | 'MODIFY', newImage: object, oldImage?: object): DynamoDBRecord {
  const image = (o: object | undefined) => (o === undefined ? undefined : (marshall(o) as never));
  return { eventName, dynamodb: { NewImage: image(newImage), OldImage: image(oldImage) } };
}

/** The lines the real Powertools Metrics writes (through the global console, as the local stack has it). */
let written: string[] = [];

beforeEach(() => {
  written = [];
  // As the local stack sets them: Powertools writes to the global console, metrics on.
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void written.push(args.map(String).join(' ')));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const newMetrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

function emf(line: EmfLine): Extract<EmfLine, { kind: 'emf' }> {
  if (line.kind !== 'emf') throw new Error(`expected an EMF line, got ${JSON.stringify(line)}`);
  return line;
}

/** The series of `summary` named `name` (and, given, with these extra dimensions). */
function seriesOf(series: readonly SeriesSummary[], name: string, dimensions: Record<string, string> = {}): SeriesSummary | undefined {
  return series.find(
    (s) => s.name === name && JSON.stringify(s.dimensions) === JSON.stringify({ service: METRICS_SERVICE, ...dimensions }),
  );
}

describe('parseEmfLine', () => {
  it('reads the datapoints of the lines Powertools Metrics writes, dimensions and repeated values included', () => {
    const metrics = newMetrics();
    metrics.addMetric('OrderPlaced', MetricUnit.Count, 1);
    metrics.addMetric('OrderPlaced', MetricUnit.Count, 1);
    metrics.addMetric('TimeToDecision', MetricUnit.Milliseconds, 1234);
    const single = metrics.singleMetric();
    single.addDimension('reason', 'STORE_TIMEOUT');
    single.addMetric('OrderCancelled', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();

    expect(written).toHaveLength(2);
    const [cancelled, rest] = written.map((line) => emf(parseEmfLine(line)));
    expect(cancelled?.datapoints).toEqual([
      {
        namespace: 'ServerlessPizza',
        name: 'OrderCancelled',
        unit: 'Count',
        dimensions: { service: 'orders', reason: 'STORE_TIMEOUT' },
        values: [1],
      },
    ]);
    expect(rest?.datapoints).toEqual([
      { namespace: 'ServerlessPizza', name: 'OrderPlaced', unit: 'Count', dimensions: { service: 'orders' }, values: [1, 1] },
      { namespace: 'ServerlessPizza', name: 'TimeToDecision', unit: 'Milliseconds', dimensions: { service: 'orders' }, values: [1234] },
    ]);
    expect(rest?.timestamp).toBeGreaterThan(Date.parse('2026-01-01'));
  });

  it('makes one series per dimension set of a directive', () => {
    const line = JSON.stringify({
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['a'], ['a', 'b'], []], Metrics: [{ Name: 'M' }] }] },
      a: 'x',
      b: 'y',
      M: 3,
    });
    expect(emf(parseEmfLine(line)).datapoints.map((p) => p.dimensions)).toEqual([{ a: 'x' }, { a: 'x', b: 'y' }, {}]);
    expect(emf(parseEmfLine(line)).datapoints[0]?.unit).toBe('None');
  });

  it('passes over ordinary log lines, JSON ones included', () => {
    const metrics = newMetrics();
    metrics.addMetric('OrderPlaced', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    for (const line of [
      'starting',
      '{"level":"INFO","message":"placeOrder done","orderId":"o1"}',
      '{"message":"the _aws key"',
      '[1,2]',
      '',
    ]) {
      expect(parseEmfLine(line)).toEqual({ kind: 'not-emf' });
    }
  });

  it('refuses a line that declares _aws but breaks the format', () => {
    const doc = (aws: unknown, members: object = {}) => JSON.stringify({ _aws: aws, ...members });
    const directive = { Namespace: 'N', Dimensions: [['d']], Metrics: [{ Name: 'M', Unit: 'Count' }] };
    const cases: [string, RegExp][] = [
      [doc('x'), /_aws is not an object/],
      [doc({ CloudWatchMetrics: [directive] }, { d: 'v', M: 1 }), /Timestamp/],
      [doc({ Timestamp: 1, CloudWatchMetrics: {} }), /CloudWatchMetrics/],
      [doc({ Timestamp: 1, CloudWatchMetrics: [{ ...directive, Namespace: '' }] }, { d: 'v', M: 1 }), /Namespace/],
      [doc({ Timestamp: 1, CloudWatchMetrics: [directive] }, { d: 'v' }), /M has no value/],
      [doc({ Timestamp: 1, CloudWatchMetrics: [directive] }, { d: 'v', M: '1' }), /not a number/],
      [doc({ Timestamp: 1, CloudWatchMetrics: [directive] }, { d: 'v', M: [] }), /0 values/],
      [doc({ Timestamp: 1, CloudWatchMetrics: [directive] }, { d: 'v', M: Array(EMF_LIMITS.valuesPerMetric + 1).fill(1) }), /101 values/],
      [doc({ Timestamp: 1, CloudWatchMetrics: [directive] }, { d: 7, M: 1 }), /dimension d/],
      [doc({ Timestamp: 1, CloudWatchMetrics: [{ ...directive, Dimensions: undefined }] }, { M: 1 }), /Dimensions/],
      [doc({ Timestamp: 1, CloudWatchMetrics: [{ ...directive, Metrics: [{ Unit: 'Count' }] }] }, { d: 'v', M: 1 }), /no Name/],
    ];
    for (const [line, reason] of cases) {
      const parsed = parseEmfLine(line);
      expect(parsed.kind, line).toBe('invalid');
      expect(parsed.kind === 'invalid' ? parsed.reason : '', line).toMatch(reason);
    }
  });
});

describe('MetricsAggregator', () => {
  it("summarises an order's lifecycle from the orders-stream publisher's real EMF lines", () => {
    const accepted = { ...placed, status: 'ACCEPTED', acceptedAt: '2026-11-24T01:00:30.000Z' };
    const out = { ...accepted, status: 'OUT_FOR_DELIVERY' };
    const delivered = { ...out, status: 'DELIVERED', deliveredAt: '2026-11-24T01:20:00.000Z' };
    const declined = { ...placed, orderId: 'o2', status: 'DECLINED', declinedAt: '2026-11-24T01:00:10.000Z' };
    const cancelled = (reason: string) => ({ ...placed, orderId: `c-${reason}`, status: 'CANCELLED', cancellationReason: reason });
    const metrics = newMetrics();
    emitOrderMetrics(
      [
        streamRecord('INSERT', placed),
        streamRecord('INSERT', { ...placed, orderId: 'o2' }),
        streamRecord('MODIFY', accepted, placed),
        streamRecord('MODIFY', declined, { ...placed, orderId: 'o2' }),
        streamRecord('MODIFY', out, accepted),
        streamRecord('MODIFY', delivered, out),
      ],
      metrics,
    );
    emitOrderMetrics(
      [streamRecord('MODIFY', cancelled('STORE_TIMEOUT'), placed), streamRecord('MODIFY', cancelled('CUSTOMER_CANCELLED'), placed)],
      metrics,
    );
    emitOrderMetrics([streamRecord('MODIFY', cancelled('STORE_TIMEOUT'), placed)], metrics);
    const aggregator = new MetricsAggregator(new Date(placedAt));

    for (const line of [...written, 'an ordinary line', '{"_aws":{}}']) aggregator.addLine(parseEmfLine(line));
    const summary = aggregator.summary();

    expect(summary.since).toBe(placedAt);
    expect(summary.rejected).toBe(1);
    expect(summary.documents).toBe(written.length);
    expect(seriesOf(summary.series, 'OrderPlaced')).toMatchObject({ unit: 'Count', samples: 2, sum: 2 });
    expect(seriesOf(summary.series, 'OrderAccepted')?.sum).toBe(1);
    expect(seriesOf(summary.series, 'OrderDeclined')?.sum).toBe(1);
    expect(seriesOf(summary.series, 'OrderDelivered')?.sum).toBe(1);
    expect(seriesOf(summary.series, 'OrderCancelled', { reason: 'STORE_TIMEOUT' })?.sum).toBe(2);
    expect(seriesOf(summary.series, 'OrderCancelled', { reason: 'CUSTOMER_CANCELLED' })?.sum).toBe(1);
    expect(seriesOf(summary.series, 'TimeToDecision')).toMatchObject({
      unit: 'Milliseconds',
      samples: 2,
      min: 10_000,
      max: 30_000,
      avg: 20_000,
      p50: 20_000,
    });
    expect(seriesOf(summary.series, 'TimeToDelivery')).toMatchObject({ samples: 1, avg: 1_200_000, p50: 1_200_000, max: 1_200_000 });
    expect(summary.series.every((s) => s.namespace === METRICS_NAMESPACE)).toBe(true);
  });

  it('keeps exact counts, sums and extremes forever, and the median over the latest values only', () => {
    const aggregator = new MetricsAggregator();
    const line = (values: number[]) =>
      parseEmfLine(
        JSON.stringify({
          _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [], Metrics: [{ Name: 'T' }] }] },
          T: values,
        }),
      );
    aggregator.addLine(line([1_000_000]));
    for (let i = 0; i < MEDIAN_WINDOW / 100; i += 1) aggregator.addLine(line(Array<number>(100).fill(5)));

    const [series] = aggregator.summary().series;

    expect(series).toMatchObject({ samples: MEDIAN_WINDOW + 1, max: 1_000_000, min: 5, sum: 1_000_000 + 5 * MEDIAN_WINDOW, p50: 5 });
  });
});

describe('tapConsoleLog', () => {
  it('sees each one-string console.log call and passes every call on unchanged', () => {
    const seen: string[] = [];
    const stop = tapConsoleLog((line) => seen.push(line));

    console.log('{"one":1}');
    console.log('two', 2);
    stop();
    console.log('after');

    expect(seen).toEqual(['{"one":1}']);
    expect(written).toEqual(['{"one":1}', 'two 2', 'after']);
  });

  it('leaves a later wrapper in place when stopped, and goes quiet', () => {
    const seen: string[] = [];
    const stop = tapConsoleLog((line) => seen.push(line));
    const tapped = console.log;
    const later = (...args: unknown[]) => tapped(...args);
    console.log = later;

    stop();
    console.log('still logged');

    expect(console.log).toBe(later);
    expect(seen).toEqual([]);
    expect(written).toEqual(['still logged']);
  });
});
