/**
 * The business metrics, for the operator. Locally: the summary of the Lambdas' EMF lines that
 * the stack serves at GET /local/metrics (orders placed, accepted, declined, cancelled by reason,
 * delivered; time to decision and to delivery), read every few seconds with the operator's access
 * token. On AWS there is no such route: the same metrics are in CloudWatch, which the panel says.
 */
import { fetchAuthSession } from 'aws-amplify/auth';
import { Fragment, useEffect, useState } from 'react';
import { METRICS_NAMESPACE, type OrderCount, type OrderDuration } from '../../../domain/metrics.js';
import { ErrorList } from '../components.js';
import { describeError, type ApiProblem } from '../errors.js';
import { formatDuration, loadMetrics, orderFigures, type DurationFigure, type MetricsSource } from '../metrics.js';
import { CANCELLATION_LABELS, formatTime } from '../orders.js';

/** How often the summary is read again. */
export const METRICS_POLL_MS = 3000;

const COUNT_ROWS: readonly { readonly name: OrderCount; readonly label: string }[] = [
  { name: 'OrderPlaced', label: 'Orders placed' },
  { name: 'OrderAccepted', label: 'Accepted' },
  { name: 'OrderDeclined', label: 'Declined' },
  { name: 'OrderCancelled', label: 'Cancelled' },
  { name: 'OrderDelivered', label: 'Delivered' },
];

const DURATION_ROWS: readonly { readonly name: OrderDuration; readonly label: string }[] = [
  { name: 'TimeToDecision', label: 'Time to decision' },
  { name: 'TimeToDelivery', label: 'Time to delivery' },
];

/** A cancellation reason dimension as the order tracker words it (an unknown one as it is). */
function reasonLabel(reason: string): string {
  return Object.entries(CANCELLATION_LABELS).find(([known]) => known === reason)?.[1] ?? reason;
}

function durationText(figure: DurationFigure | null): string {
  if (figure === null) return 'no orders yet';
  return `avg ${formatDuration(figure.avg)} · p50 ${formatDuration(figure.p50)} · max ${formatDuration(figure.max)} (${figure.samples} ${figure.samples === 1 ? 'order' : 'orders'})`;
}

async function accessToken(): Promise<string> {
  const { tokens } = await fetchAuthSession();
  if (tokens === undefined) throw new Error('Not signed in.');
  return tokens.accessToken.toString();
}

/** Reads the summary now and every METRICS_POLL_MS until unmounted (one request at a time). */
function useMetrics(): { source: MetricsSource | null; problems: readonly ApiProblem[]; updatedAt: Date | null } {
  const [source, setSource] = useState<MetricsSource | null>(null);
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const next = await loadMetrics(await accessToken());
        if (!active) return;
        setSource(next);
        setProblems([]);
        setUpdatedAt(new Date());
        // CloudWatch's figures are not ours to poll.
        if (next.kind === 'cloudwatch') return;
      } catch (error) {
        if (!active) return;
        setProblems(describeError(error));
      }
      timer = setTimeout(() => void read(), METRICS_POLL_MS);
    };
    void read();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, []);
  return { source, problems, updatedAt };
}

export function MetricsPanel() {
  const { source, problems, updatedAt } = useMetrics();
  return (
    <section className="panel" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Business metrics</h2>
      <ErrorList problems={problems} />
      {source === null && problems.length === 0 && <p className="muted">Loading metrics…</p>}
      {source?.kind === 'cloudwatch' && (
        <p>
          This stack's metrics live in Amazon CloudWatch: namespace <code>{METRICS_NAMESPACE}</code>, charted with the alarms on the stack's
          dashboard (its name is the stack output <code>DashboardName</code>).
        </p>
      )}
      {source?.kind === 'local' && <LocalFigures source={source} updatedAt={updatedAt} />}
    </section>
  );
}

function LocalFigures({ source, updatedAt }: { source: Extract<MetricsSource, { kind: 'local' }>; updatedAt: Date | null }) {
  const { summary } = source;
  const figures = orderFigures(summary);
  return (
    <>
      <table className="metrics" aria-label="Order metrics">
        <tbody>
          {COUNT_ROWS.map(({ name, label }) => (
            <Fragment key={name}>
              <tr>
                <th scope="row">{label}</th>
                <td>{figures.counts[name]}</td>
              </tr>
              {name === 'OrderCancelled' &&
                figures.cancelledByReason.map(({ reason, count }) => (
                  <tr key={reason} className="sub">
                    <th scope="row">Cancelled: {reasonLabel(reason)}</th>
                    <td>{count}</td>
                  </tr>
                ))}
            </Fragment>
          ))}
          {DURATION_ROWS.map(({ name, label }) => (
            <tr key={name}>
              <th scope="row">{label}</th>
              <td>{durationText(figures.durations[name])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        From the embedded-metric (EMF) lines this local stack's Lambdas logged since {formatTime(summary.since)}, as CloudWatch would
        receive them; read every {METRICS_POLL_MS / 1000} s{updatedAt !== null && ` (last ${updatedAt.toLocaleTimeString()})`}.
        {summary.rejected > 0 && ` ${summary.rejected} malformed EMF ${summary.rejected === 1 ? 'line was' : 'lines were'} ignored.`}
      </p>
    </>
  );
}
