/**
 * Query.myOrders → orders table, index byCustomer (customerId, createdAt), newest first: the
 * signed-in customer's own orders (the customer id is the caller's, never an argument). Every
 * other party is Unauthorized.
 */
import { util, type Context } from '@aws-appsync/utils';
import { query } from '@aws-appsync/utils/dynamodb';
import { callerParty } from './lib/caller.js';
import { orderPage, pageLimit } from './lib/order-page.js';

export function request(ctx: Context<{ limit?: number | null; nextToken?: string | null }>) {
  const party = callerParty(ctx);
  if (party.kind !== 'customer') util.unauthorized();
  return query({
    query: { customerId: { eq: party.customerId } },
    index: 'byCustomer',
    scanIndexForward: false,
    limit: pageLimit(ctx.args.limit),
    nextToken: ctx.args.nextToken ?? undefined,
  });
}

export function response(ctx: Context) {
  return orderPage(ctx);
}
