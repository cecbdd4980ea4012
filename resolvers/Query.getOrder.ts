/**
 * Query.getOrder → orders table (GetItem). Only an order the caller may see (domain/party.ts
 * `maySee`) is returned. A missing order and another party's get the same Unauthorized error, so
 * nobody learns whether someone else's order exists; operators, who may see every order, get null
 * for a missing one. A malformed id is a ValidationError.
 */
import { util, type Context } from '@aws-appsync/utils';
import { get } from '@aws-appsync/utils/dynamodb';
import { maySee } from '../domain/party.js';
import { callerParty } from './lib/caller.js';
import { checkId } from './lib/ids.js';
import { publicOrder } from './lib/public-order.js';

export function request(ctx: Context<{ orderId: string }>) {
  if (callerParty(ctx).kind === 'none') util.unauthorized();
  const orderId = ctx.args.orderId;
  checkId(orderId, 'orderId');
  return get({ key: { orderId } });
}

export function response(ctx: Context) {
  if (ctx.error) util.error('The order could not be read. Try again later.', 'InternalFailure');
  const party = callerParty(ctx);
  const item = ctx.result;
  if (!item) {
    if (party.kind !== 'operator') util.unauthorized();
    return null;
  }
  if (!maySee(party, item)) util.unauthorized();
  return publicOrder(item);
}
