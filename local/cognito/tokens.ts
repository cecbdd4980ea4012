/**
 * Access and id tokens with Cognito's claims, signed RS256. Custom attributes go in the id token
 * only, as on AWS.
 */
import { randomUUID } from 'node:crypto';
import { signJwt, type JwtPayload, type SigningKey } from './jwt.js';
import { claimsOf } from './schema.js';
import type { StoredUser } from './state.js';

export interface TokenValidity {
  /** @default 3600 (Cognito's default: 60 minutes) */
  readonly accessSeconds: number;
  /** @default 3600 */
  readonly idSeconds: number;
  /** @default 2592000 (30 days) */
  readonly refreshSeconds: number;
}

export interface TokenIssuer {
  readonly key: SigningKey;
  /** `iss` of every token. */
  readonly issuer: string;
  readonly validity: TokenValidity;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** One sign-in: every token issued from it (first and refreshed) shares `origin_jti` and `auth_time`. */
export interface SignInSession {
  readonly clientId: string;
  /** Epoch seconds. */
  readonly authTime: number;
  readonly originJti: string;
}

const SCOPE = 'aws.cognito.signin.user.admin';

/** An `AuthenticationResult` without the refresh token. */
export function issueTokens(issuer: TokenIssuer, user: StoredUser, session: SignInSession) {
  const iat = Math.floor(issuer.now / 1000);
  const eventId = randomUUID();
  const groups = user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
  const access: JwtPayload = {
    sub: user.sub,
    ...groups,
    iss: issuer.issuer,
    client_id: session.clientId,
    origin_jti: session.originJti,
    event_id: eventId,
    token_use: 'access',
    scope: SCOPE,
    auth_time: session.authTime,
    exp: iat + issuer.validity.accessSeconds,
    iat,
    jti: randomUUID(),
    username: user.username,
  };
  const id: JwtPayload = {
    sub: user.sub,
    ...groups,
    ...claimsOf(user.attributes),
    iss: issuer.issuer,
    'cognito:username': user.username,
    origin_jti: session.originJti,
    aud: session.clientId,
    event_id: eventId,
    token_use: 'id',
    auth_time: session.authTime,
    exp: iat + issuer.validity.idSeconds,
    iat,
    jti: randomUUID(),
  };
  return {
    AccessToken: signJwt(issuer.key, access),
    ExpiresIn: issuer.validity.accessSeconds,
    TokenType: 'Bearer',
    IdToken: signJwt(issuer.key, id),
  };
}
