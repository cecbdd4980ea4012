/**
 * The party a resolver acts for: `partyOf(callerOf(ctx.identity))` from domain/party.ts (the one
 * policy; esbuild bundles it into each resolver). Reads only the verified identity, never arguments.
 */
import type { Context } from '@aws-appsync/utils';
import { callerOf, partyOf, type Party } from '../../domain/party.js';

export function callerParty(ctx: Context): Party {
  return partyOf(callerOf(ctx.identity));
}
