/**
 * Query.ordersByStore → orders table, index byStore (storeId, createdAt), newest first. Staff read
 * their own store's (the store from who they are: storeId omitted, or their own; another store is
 * Unauthorized); operators name any store (storeId required). Everyone else is Unauthorized.
 */
import { util, type Context } from '@aws-appsync/utils';
import { query } from '@aws-appsync/utils/dynamodb';
import { callerParty } from './lib/caller.js';
import { checkId } from './lib/ids.js';
import { orderPage, pageLimit } from './lib/order-page.js';

export function request(ctx: Context<{ storeId?: string | null; limit?: number | null; nextToken?: string | null }>) {
  const party = callerParty(ctx);
  const asked = ctx.args.storeId;
  let storeId = '';
  if (party.kind === 'store') {
    if (asked !== null && asked !== undefined && asked !== party.storeId) util.unauthorized();
    storeId = party.storeId;
  } else if (party.kind === 'operator') {
    if (asked === null || asked === undefined) util.error('storeId: is required for an operator', 'ValidationError');
    checkId(asked, 'storeId');
    storeId = asked;
  } else {
    util.unauthorized();
  }
  return query({
    query: { storeId: { eq: storeId } },
    index: 'byStore',
    scanIndexForward: false,
    limit: pageLimit(ctx.args.limit),
    nextToken: ctx.args.nextToken ?? undefined,
  });
}

export function response(ctx: Context) {
  return orderPage(ctx);
}
