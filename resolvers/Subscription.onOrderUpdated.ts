/**
 * Subscription.onOrderUpdated → NONE data source, run when a client subscribes. The subscription
 * filter comes from who the subscriber is (domain/party.ts `orderSubscriptionFilter`: exactly the
 * orders `maySee` admits); the arguments only narrow it. A party that may hear nothing is refused.
 *
 * The refusal is in the request handler (nothing starts); the filter is set in the response
 * handler, the only place AppSync accepts `extensions.setSubscriptionFilter`.
 */
import { extensions, util, type Context, type NONERequest } from '@aws-appsync/utils';
import { orderSubscriptionFilter, type OrderSubscriptionArgs } from '../domain/party.js';
import { callerParty } from './lib/caller.js';

export function request(ctx: Context<OrderSubscriptionArgs>): NONERequest {
  if (orderSubscriptionFilter(callerParty(ctx), ctx.args) === null) util.unauthorized();
  return { payload: null };
}

export function response(ctx: Context<OrderSubscriptionArgs>) {
  const filter = orderSubscriptionFilter(callerParty(ctx), ctx.args);
  if (filter === null) util.unauthorized();
  extensions.setSubscriptionFilter(filter);
  return null;
}
