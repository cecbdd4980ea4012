/**
 * The local metrics summary: the EMF lines the in-process Lambdas log (through the global
 * console) are parsed and folded as they are written, and served to operators at
 * GET /local/metrics. See README.md beside this file.
 */
import type { ExtraRoute } from '../web-demo.js';
import { tapConsoleLog } from './console-tap.js';
import { parseEmfLine } from './emf.js';
import { metricsRoute, type MetricsRouteOptions } from './route.js';
import { MetricsAggregator, type MetricsSummary } from './summary.js';

export { NOT_AN_OPERATOR_MESSAGE } from './route.js';
export { parseEmfLine, type EmfDatapoints, type EmfLine } from './emf.js';
export { METRICS_PATH, MetricsAggregator, MEDIAN_WINDOW, type MetricsSummary, type SeriesSummary } from './summary.js';

export interface LocalMetrics {
  /** GET /local/metrics, for the AppSync server's extra routes. */
  readonly route: ExtraRoute;
  summary(): MetricsSummary;
  /** Stops reading the console (the summary stays readable). */
  stop(): void;
}

/** Starts reading `console.log` now: start it before any handler runs. */
export function startLocalMetrics(options: Omit<MetricsRouteOptions, 'summary'>): LocalMetrics {
  const aggregator = new MetricsAggregator();
  const stop = tapConsoleLog((line) => aggregator.addLine(parseEmfLine(line)));
  const summary = () => aggregator.summary();
  return { route: metricsRoute({ ...options, summary }), summary, stop };
}
