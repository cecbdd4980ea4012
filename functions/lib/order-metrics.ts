/**
 * The business metrics of domain/metrics.ts, derived from the orders table's stream: one record
 * per write of an order, with its old and new images (NEW_AND_OLD_IMAGES). `transitionMetrics`
 * is the pure part (a change of an order → the metrics it makes); `emitOrderMetrics` writes them
 * as CloudWatch embedded metrics (EMF) through Powertools Metrics.
 *
 * Why the stream and not the handlers that change orders: it sees every transition exactly once
 * as a record, whoever wrote it — the Lambda mutations, and the workflow's own DynamoDB writes
 * (timeouts cancel orders through the state machine, with no Lambda in between) — and a
 * mutation retried by a client writes nothing the second time, so it adds no record.
 */
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  CANCELLATION_REASON_DIMENSION,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  type OrderCount,
  type OrderDuration,
} from '../../domain/metrics.js';

export interface OrderMetric {
  readonly name: OrderCount | OrderDuration;
  readonly unit: typeof MetricUnit.Count | typeof MetricUnit.Milliseconds;
  readonly value: number;
  /** Dimensions beyond Powertools' `service` (only OrderCancelled's `reason`). */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** What the metrics read of a stored order; anything else in the image is ignored. */
export interface OrderSnapshot {
  readonly status: string;
  readonly createdAt?: string;
  readonly acceptedAt?: string;
  readonly declinedAt?: string;
  readonly deliveredAt?: string;
  readonly cancellationReason?: string;
}

/** The reason dimension of a cancellation whose item names none (never expected). */
export const UNKNOWN_REASON = 'UNKNOWN';

const count = (name: OrderCount, dimensions: Record<string, string> = {}): OrderMetric => ({
  name,
  unit: MetricUnit.Count,
  value: 1,
  dimensions,
});

/** `from` → `to` in milliseconds, or no metric when either is missing or unreadable, or time ran backwards. */
function duration(name: OrderDuration, from: string | undefined, to: string | undefined): OrderMetric[] {
  const ms = Date.parse(to ?? '') - Date.parse(from ?? '');
  return Number.isFinite(ms) && ms >= 0 ? [{ name, unit: MetricUnit.Milliseconds, value: ms, dimensions: {} }] : [];
}

/**
 * The metrics of one write of an order: `previous` is null for a new item (INSERT), `next` null
 * for a deleted one. A write that leaves the status as it was (a task token stored, an ETA
 * recorded) makes none.
 */
export function transitionMetrics(previous: OrderSnapshot | null, next: OrderSnapshot | null): OrderMetric[] {
  if (next === null) return [];
  if (previous === null) return [count('OrderPlaced')];
  if (previous.status === next.status) return [];
  switch (next.status) {
    case 'ACCEPTED':
      return [count('OrderAccepted'), ...duration('TimeToDecision', next.createdAt, next.acceptedAt)];
    case 'DECLINED':
      return [count('OrderDeclined'), ...duration('TimeToDecision', next.createdAt, next.declinedAt)];
    case 'CANCELLED':
      return [count('OrderCancelled', { [CANCELLATION_REASON_DIMENSION]: next.cancellationReason ?? UNKNOWN_REASON })];
    case 'DELIVERED':
      return [count('OrderDelivered'), ...duration('TimeToDelivery', next.createdAt, next.deliveredAt)];
    default:
      return [];
  }
}

/** The snapshot of a stream image, or null when it has none or no string status (never throws). */
export function snapshotOf(image: Record<string, AttributeValue> | undefined): OrderSnapshot | null {
  if (image === undefined) return null;
  let item: Record<string, unknown>;
  try {
    item = unmarshall(image);
  } catch {
    return null;
  }
  if (typeof item.status !== 'string') return null;
  const text = (key: string): string | undefined => (typeof item[key] === 'string' ? item[key] : undefined);
  return {
    status: item.status,
    createdAt: text('createdAt'),
    acceptedAt: text('acceptedAt'),
    declinedAt: text('declinedAt'),
    deliveredAt: text('deliveredAt'),
    cancellationReason: text('cancellationReason'),
  };
}

/** The metrics of one stream record of the orders table. */
export function recordMetrics(record: DynamoDBRecord): OrderMetric[] {
  // aws-lambda's AttributeValue type and the SDK's differ only nominally.
  const next = snapshotOf(record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined);
  const previous = snapshotOf(record.dynamodb?.OldImage as Record<string, AttributeValue> | undefined);
  // A MODIFY whose old image cannot be read is no new order: it makes no OrderPlaced.
  if (previous === null && record.eventName !== 'INSERT') return [];
  return transitionMetrics(previous, next);
}

let shared: Metrics | undefined;

/** The process's Metrics: namespace METRICS_NAMESPACE, dimension service=METRICS_SERVICE. */
export function orderMetrics(): Metrics {
  return (shared ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE }));
}

/**
 * Writes the metrics of `records` as EMF lines, now: those without extra dimensions in one
 * document (repeated names as one value list), each one with a dimension of its own in its own.
 */
export function emitOrderMetrics(records: readonly DynamoDBRecord[], metrics: Metrics = orderMetrics()): void {
  for (const metric of records.flatMap(recordMetrics)) {
    const dimensions = Object.entries(metric.dimensions);
    if (dimensions.length === 0) {
      metrics.addMetric(metric.name, metric.unit, metric.value);
      continue;
    }
    // A single metric is published by addMetric, with the shared instance's default dimensions.
    const single = metrics.singleMetric();
    for (const [name, value] of dimensions) single.addDimension(name, value);
    single.addMetric(metric.name, metric.unit, metric.value);
  }
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
