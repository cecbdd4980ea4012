/**
 * The local stand-in for CloudWatch's statistics: every EMF datapoint the Lambdas log, folded
 * into one series per namespace, metric name, unit and dimension values (as CloudWatch keys a
 * metric), each with its sample count, sum, minimum, maximum, average and median. For a Count
 * metric the sum is the count (OrderCancelled by reason: one series per reason); for a duration
 * the average, p50 and maximum are the figures an operator reads.
 *
 * Memory is bounded: the exact figures (samples, sum, min, max) cost nothing per value, and the
 * median is taken over the latest MEDIAN_WINDOW values of each series.
 */
import type { EmfDatapoints, EmfLine } from './emf.js';

/**
 * Where the local stack serves the summary (local/metrics/route.ts). This module is the contract
 * the web demo's operator view reads (web-demo/src/metrics.ts imports the path and the types).
 */
export const METRICS_PATH = '/local/metrics';

/** Values per series the median is computed over (the most recent ones). */
export const MEDIAN_WINDOW = 1000;

/** One series, as GET /local/metrics answers it. */
export interface SeriesSummary {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly samples: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  /** The median of the latest MEDIAN_WINDOW values. */
  readonly p50: number;
}

/** The body of GET /local/metrics. */
export interface MetricsSummary {
  /** When collecting began (the stack's start), ISO 8601. */
  readonly since: string;
  /** EMF documents read. */
  readonly documents: number;
  /** Lines that declared `_aws` but broke the format (CloudWatch would have dropped them). */
  readonly rejected: number;
  /** Series sorted by namespace, name, then dimensions. */
  readonly series: readonly SeriesSummary[];
}

interface Series {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  samples: number;
  sum: number;
  min: number;
  max: number;
  /** Ring buffer of the latest values (for the median). */
  readonly recent: number[];
  next: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function seriesKey(p: EmfDatapoints): string {
  const dimensions = Object.entries(p.dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([p.namespace, p.name, p.unit, dimensions]);
}

export class MetricsAggregator {
  private readonly series = new Map<string, Series>();
  private documents = 0;
  private rejected = 0;

  constructor(private readonly since: Date = new Date()) {}

  /** Folds in one parsed log line; ordinary log lines change nothing. */
  addLine(line: EmfLine): void {
    if (line.kind === 'invalid') this.rejected += 1;
    if (line.kind !== 'emf') return;
    this.documents += 1;
    for (const datapoints of line.datapoints) this.addDatapoints(datapoints);
  }

  private addDatapoints(p: EmfDatapoints): void {
    const key = seriesKey(p);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { ...p, samples: 0, sum: 0, min: Infinity, max: -Infinity, recent: [], next: 0 };
      this.series.set(key, s);
    }
    for (const value of p.values) {
      s.samples += 1;
      s.sum += value;
      s.min = Math.min(s.min, value);
      s.max = Math.max(s.max, value);
      if (s.recent.length < MEDIAN_WINDOW) s.recent.push(value);
      else s.recent[s.next] = value;
      s.next = (s.next + 1) % MEDIAN_WINDOW;
    }
  }

  summary(): MetricsSummary {
    const series = [...this.series.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]): SeriesSummary => ({
        namespace: s.namespace,
        name: s.name,
        unit: s.unit,
        dimensions: { ...s.dimensions },
        samples: s.samples,
        sum: s.sum,
        min: s.min,
        max: s.max,
        avg: s.sum / s.samples,
        p50: median(s.recent),
      }));
    return { since: this.since.toISOString(), documents: this.documents, rejected: this.rejected, series };
  }
}
