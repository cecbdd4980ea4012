/**
 * Query.ordersForPickup → orders table, index byStatus (status, acceptedAt), oldest acceptance
 * first: the orders offered to every driver (domain/party.ts OFFERED_TO_DRIVERS_STATUS). Drivers
 * and operators only; every other party is Unauthorized.
 */
import { util, type Context } from '@aws-appsync/utils';
import { query } from '@aws-appsync/utils/dynamodb';
import { OFFERED_TO_DRIVERS_STATUS } from '../domain/party.js';
import { callerParty } from './lib/caller.js';
import { orderPage, pageLimit } from './lib/order-page.js';

export function request(ctx: Context<{ limit?: number | null; nextToken?: string | null }>) {
  const kind = callerParty(ctx).kind;
  if (kind !== 'driver' && kind !== 'operator') util.unauthorized();
  return query({
    query: { status: { eq: OFFERED_TO_DRIVERS_STATUS } },
    index: 'byStatus',
    scanIndexForward: true,
    limit: pageLimit(ctx.args.limit),
    nextToken: ctx.args.nextToken ?? undefined,
  });
}

export function response(ctx: Context) {
  return orderPage(ctx);
}
