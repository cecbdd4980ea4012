/**
 * The Lambda mutations' side of the policy in party.ts (which, being APPSYNC_JS, cannot throw):
 * each mutation names the one kind of party that may call it, and refuses every other party with
 * a typed Unauthorized error before it reads or writes anything.
 */
import { UnauthorizedError } from './errors.js';
import type { Party, PartyKind } from './party.js';

/** A party that may act (`none` never may). */
export type ActingKind = Exclude<PartyKind, 'none'>;
export type PartyOfKind<K extends PartyKind> = Extract<Party, { readonly kind: K }>;

const WHO: Readonly<Record<ActingKind, string>> = {
  customer: 'a signed-in customer',
  store: "a store's staff",
  driver: 'a driver',
  operator: 'an operator',
};

function isKind<K extends ActingKind>(party: Party, kind: K): party is PartyOfKind<K> {
  return party.kind === kind;
}

/**
 * `party`, if it is of `kind`; otherwise an UnauthorizedError "only <who> may <action>" (the
 * message names the operation, never an order, so it reveals nothing).
 */
export function requireParty<K extends ActingKind>(party: Party, kind: K, action: string): PartyOfKind<K> {
  if (!isKind(party, kind)) throw new UnauthorizedError(`only ${WHO[kind]} may ${action}`);
  return party;
}
