/**
 * Query.listStores → stores table (Scan). The store list is small (tens), so one page suffices.
 * A row without `open` (seeded before stores could close) is an open store.
 */
import { util, type Context } from '@aws-appsync/utils';
import { scan } from '@aws-appsync/utils/dynamodb';

export function request() {
  return scan({ limit: 100 });
}

export function response(ctx: Context) {
  if (ctx.error) util.error('The stores could not be read. Try again later.', 'InternalFailure');
  return ctx.result.items.map((item: { open?: boolean }) => ({ ...item, open: item.open !== false }));
}
