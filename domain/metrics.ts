/**
 * The business metrics: emitted by the Lambdas as CloudWatch embedded metrics (Powertools
 * Metrics), charted and alarmed on by the CDK stack, summarised locally for the operator. One
 * list, so a metric is renamed in one place.
 */

/** CloudWatch namespace of every business metric. */
export const METRICS_NAMESPACE = 'ServerlessPizza';

/** Powertools' default `service` dimension on every metric. */
export const METRICS_SERVICE = 'orders';

/** Counts (unit Count), one per order transition. */
export const ORDER_COUNTS = ['OrderPlaced', 'OrderAccepted', 'OrderDeclined', 'OrderCancelled', 'OrderDelivered'] as const;
export type OrderCount = (typeof ORDER_COUNTS)[number];

/** `OrderCancelled` also carries this dimension: the order's `cancellationReason`. */
export const CANCELLATION_REASON_DIMENSION = 'reason';

/** Durations (unit Milliseconds): placement → the store's decision, placement → delivered. */
export const ORDER_DURATIONS = ['TimeToDecision', 'TimeToDelivery'] as const;
export type OrderDuration = (typeof ORDER_DURATIONS)[number];
