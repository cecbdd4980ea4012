/**
 * Who is signed in, as the demo shows it: the account's email, its user id (`sub`) and its party,
 * decided by `domain/party.ts` from the access token's `cognito:groups` (the same claim the API
 * decides from). The demo only chooses views by it; the API enforces the policy on every request.
 */
import { fetchAuthSession } from 'aws-amplify/auth';
import { partyOf, type Party } from '../../domain/party.js';

export interface Session {
  /** The email the account signs in with (the id token's `email`, else the username). */
  readonly email: string;
  /** The user id: the customer id on orders, the driver id on deliveries. */
  readonly sub: string;
  readonly party: Party;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The session from the tokens' payloads; null when the access token names no user. */
export function sessionFromTokens(accessPayload: unknown, idPayload: unknown): Session | null {
  if (!isRecord(accessPayload)) return null;
  const sub = accessPayload.sub;
  if (typeof sub !== 'string' || sub === '') return null;
  const claim = accessPayload['cognito:groups'];
  const groups = Array.isArray(claim) ? claim.filter((g): g is string => typeof g === 'string') : [];
  const email = isRecord(idPayload) && typeof idPayload.email === 'string' ? idPayload.email : null;
  const username = typeof accessPayload.username === 'string' ? accessPayload.username : sub;
  return { email: email ?? username, sub, party: partyOf({ sub, groups }) };
}

/** The signed-in session from Amplify's token store (refreshing if due), or null when signed out. */
export async function currentSession(): Promise<Session | null> {
  const { tokens } = await fetchAuthSession();
  if (tokens === undefined) return null;
  return sessionFromTokens(tokens.accessToken.payload, tokens.idToken?.payload);
}

export const PARTY_LABELS: Readonly<Record<Party['kind'], string>> = {
  customer: 'customer',
  store: 'store staff',
  driver: 'driver',
  operator: 'operator',
  none: 'no role',
};
