/** Shared by the list queries over the orders table: the page size and the page of public orders. */
import { util, type Context } from '@aws-appsync/utils';
import { publicOrder } from './public-order.js';

/** Page size when the caller gives none (schema.graphql: `limit` is 1–100, default 20). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageLimit(limit: number | null | undefined): number {
  const n = limit ?? DEFAULT_PAGE_SIZE;
  if (n < 1 || n > MAX_PAGE_SIZE) util.error('limit: must be from 1 to ' + MAX_PAGE_SIZE, 'ValidationError');
  return n;
}

/** The query result as an OrderConnection; a data-source error is reported without its detail. */
export function orderPage(ctx: Context) {
  if (ctx.error) util.error('The orders could not be read. Try again later.', 'InternalFailure');
  return { items: ctx.result.items.map(publicOrder), nextToken: ctx.result.nextToken ?? null };
}
