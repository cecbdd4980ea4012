/** Query.ordersByStore → orders table, index byStore (storeId, createdAt), newest first. */
import { util, type Context } from '@aws-appsync/utils';
import { query } from '@aws-appsync/utils/dynamodb';
import { publicOrder } from './lib/public-order.js';

export function request(ctx: Context<{ storeId: string; limit?: number | null; nextToken?: string | null }>) {
  const { storeId, nextToken } = ctx.args;
  const limit = ctx.args.limit ?? 20;
  if (!util.matches('^[A-Za-z0-9_-]{1,64}$', storeId)) {
    util.error('storeId: must be 1–64 characters of letters, digits, "-" or "_"', 'ValidationError');
  }
  if (limit < 1 || limit > 100) util.error('limit: must be from 1 to 100', 'ValidationError');
  return query({
    query: { storeId: { eq: storeId } },
    index: 'byStore',
    scanIndexForward: false,
    limit,
    nextToken: nextToken ?? undefined,
  });
}

export function response(ctx: Context) {
  if (ctx.error) util.error('The orders could not be read. Try again later.', 'InternalFailure');
  return { items: ctx.result.items.map(publicOrder), nextToken: ctx.result.nextToken ?? null };
}
