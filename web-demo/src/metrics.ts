/**
 * The operator's metrics summary. Locally the stack serves GET /local/metrics (local/metrics):
 * the Lambdas' EMF lines summarised per series, for operators only (the same access token the
 * API takes). A deployed stack has no such route: its metrics are CloudWatch's, so a 404 (or a
 * host that answers with a page instead of JSON) means "look in CloudWatch", not a failure.
 * Business figures are picked out by the names in domain/metrics.ts, the names the Lambdas emit.
 */
import { CANCELLATION_REASON_DIMENSION, METRICS_NAMESPACE, type OrderCount, type OrderDuration } from '../../domain/metrics.js';
// The summary's path and shape are the local stack's contract (local/metrics/summary.ts).
import { METRICS_PATH, type MetricsSummary, type SeriesSummary } from '../../local/metrics/summary.js';

export { METRICS_PATH, type MetricsSummary, type SeriesSummary };

export type MetricsSource = { readonly kind: 'local'; readonly summary: MetricsSummary } | { readonly kind: 'cloudwatch' };

export class MetricsFormatError extends Error {
  override readonly name = 'MetricsFormatError';
}

/** The route refused: `errors` is its `[{ errorType, message }]`, which errors.ts shows as it shows Amplify's. */
export class MetricsRefusedError extends Error {
  override readonly name = 'MetricsRefusedError';
  constructor(
    readonly status: number,
    readonly errors: readonly unknown[],
  ) {
    super(`GET ${METRICS_PATH} answered HTTP ${status}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new MetricsFormatError(`${where} is not a number`);
  return value;
}

function str(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new MetricsFormatError(`${where} is not a string`);
  return value;
}

function parseSeries(raw: unknown, i: number): SeriesSummary {
  const where = `series[${i}]`;
  if (!isRecord(raw) || !isRecord(raw.dimensions)) throw new MetricsFormatError(`${where} is not a series`);
  const dimensions: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw.dimensions)) dimensions[key] = str(value, `${where}.dimensions.${key}`);
  return {
    namespace: str(raw.namespace, `${where}.namespace`),
    name: str(raw.name, `${where}.name`),
    unit: str(raw.unit, `${where}.unit`),
    dimensions,
    samples: num(raw.samples, `${where}.samples`),
    sum: num(raw.sum, `${where}.sum`),
    min: num(raw.min, `${where}.min`),
    max: num(raw.max, `${where}.max`),
    avg: num(raw.avg, `${where}.avg`),
    p50: num(raw.p50, `${where}.p50`),
  };
}

/** The body of GET /local/metrics, checked. */
export function parseMetricsSummary(raw: unknown): MetricsSummary {
  if (!isRecord(raw) || !Array.isArray(raw.series)) throw new MetricsFormatError('the metrics summary has no series list');
  return {
    since: str(raw.since, 'since'),
    documents: num(raw.documents, 'documents'),
    rejected: num(raw.rejected, 'rejected'),
    series: raw.series.map(parseSeries),
  };
}

/**
 * Reads the summary as the signed-in user (`token`: their access token). Rejects with the
 * server's `{ errors: [{ errorType, message }] }` (as Amplify does, so errors.ts shows it) when
 * it refuses: 401 for a bad token, 403 for a user who is no operator.
 */
export async function loadMetrics(token: string, fetchImpl: typeof fetch = fetch): Promise<MetricsSource> {
  const response = await fetchImpl(METRICS_PATH, { headers: { authorization: token }, cache: 'no-store' });
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
  if (response.status === 404 || (response.ok && !json)) return { kind: 'cloudwatch' };
  const body: unknown = json ? await response.json() : null;
  if (!response.ok) {
    throw new MetricsRefusedError(response.status, isRecord(body) && Array.isArray(body.errors) ? body.errors : []);
  }
  return { kind: 'local', summary: parseMetricsSummary(body) };
}

export interface DurationFigure {
  readonly samples: number;
  readonly avg: number;
  readonly p50: number;
  readonly max: number;
}

/** What the operator view shows: the business metrics of domain/metrics.ts. */
export interface OrderFigures {
  readonly counts: Readonly<Record<OrderCount, number>>;
  /** OrderCancelled per `reason` dimension value, largest first. */
  readonly cancelledByReason: readonly { readonly reason: string; readonly count: number }[];
  readonly durations: Readonly<Record<OrderDuration, DurationFigure | null>>;
}

function business(summary: MetricsSummary, name: string): SeriesSummary[] {
  return summary.series.filter((s) => s.namespace === METRICS_NAMESPACE && s.name === name);
}

const total = (series: readonly SeriesSummary[]) => series.reduce((sum, s) => sum + s.sum, 0);

/** A duration's figures; the Lambdas emit each in one series (dimension `service` only). */
function durationOf(summary: MetricsSummary, name: OrderDuration): DurationFigure | null {
  const [series] = business(summary, name);
  return series === undefined ? null : { samples: series.samples, avg: series.avg, p50: series.p50, max: series.max };
}

export function orderFigures(summary: MetricsSummary): OrderFigures {
  const reasons = new Map<string, number>();
  for (const s of business(summary, 'OrderCancelled')) {
    const reason = s.dimensions[CANCELLATION_REASON_DIMENSION] ?? 'none given';
    reasons.set(reason, (reasons.get(reason) ?? 0) + s.sum);
  }
  return {
    counts: {
      OrderPlaced: total(business(summary, 'OrderPlaced')),
      OrderAccepted: total(business(summary, 'OrderAccepted')),
      OrderDeclined: total(business(summary, 'OrderDeclined')),
      OrderCancelled: total(business(summary, 'OrderCancelled')),
      OrderDelivered: total(business(summary, 'OrderDelivered')),
    },
    cancelledByReason: [...reasons]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1)),
    durations: { TimeToDecision: durationOf(summary, 'TimeToDecision'), TimeToDelivery: durationOf(summary, 'TimeToDelivery') },
  };
}

/** Milliseconds for a person: "850 ms", "12.3 s", "4.5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
