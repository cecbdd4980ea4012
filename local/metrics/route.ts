/**
 * GET /local/metrics on the API's port: the metrics summary (summary.ts) as JSON, for operators
 * only. The caller sends what it sends the API, `Authorization: <user-pool token>`, verified by
 * the API's own verifier (local/appsync/server/user-pool-auth.ts: signature, expiry, issuer, app
 * client, token use); the party comes from the token's groups by domain/party.ts, as every
 * resolver decides it. Refusals: 401 with AppSync's UnauthorizedException body (no, invalid or
 * foreign credentials), 403 `Unauthorized` (a valid user who is no operator). AWS has no such
 * route: there the same metrics are CloudWatch's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerOf, partyOf } from '../../domain/party.js';
import { unauthorizedBody } from '../appsync/server/errors.js';
import { userPoolVerifier, type UserPoolConfig } from '../appsync/server/user-pool-auth.js';
import type { ExtraRoute } from '../web-demo.js';
import { METRICS_PATH, type MetricsSummary } from './summary.js';

export const NOT_AN_OPERATOR_MESSAGE = 'Only operators may read the metrics summary.';

export interface MetricsRouteOptions {
  /** The pool whose tokens the API accepts (the stack's `userPool` option of the AppSync server). */
  readonly userPool: UserPoolConfig;
  readonly summary: () => MetricsSummary;
  /** Why a request was refused (never sent to the client). */
  readonly logger?: (line: string) => void;
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export function metricsRoute(options: MetricsRouteOptions): ExtraRoute {
  const verifier = userPoolVerifier(options.userPool);
  const log = options.logger ?? (() => undefined);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = req.headers.authorization;
    if (token === undefined || token === '') {
      answer(res, 401, unauthorizedBody());
      return;
    }
    const verified = await verifier.verify(token, { now: Date.now(), sourceIp: [req.socket.remoteAddress ?? ''] });
    if (!verified.ok) {
      log(`${METRICS_PATH} refused: ${verified.reason}`);
      answer(res, 401, unauthorizedBody());
      return;
    }
    if (partyOf(callerOf(verified.identity)).kind !== 'operator') {
      answer(res, 403, { errors: [{ errorType: 'Unauthorized', message: NOT_AN_OPERATOR_MESSAGE }] });
      return;
    }
    answer(res, 200, options.summary());
  }

  return (req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== METRICS_PATH) return false;
    if (req.method !== 'GET') {
      answer(
        res,
        405,
        { errors: [{ errorType: 'MethodNotAllowedException', message: `${METRICS_PATH} answers GET only.` }] },
        { allow: 'GET' },
      );
      return true;
    }
    handle(req, res).catch((error: unknown) => {
      log(`${METRICS_PATH} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (res.headersSent) res.destroy();
      else answer(res, 500, { errors: [{ errorType: 'InternalFailure', message: 'Internal server error.' }] });
    });
    return true;
  };
}
