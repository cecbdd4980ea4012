/**
 * The transport-free core of the local user pool: users, groups, sign-up and confirmation,
 * the auth flows, refresh sessions and token issuance. One pool, one app client. Knows nothing
 * of HTTP: `operations[name](input)` takes a request body and returns a response body or
 * throws a `CognitoError`.
 *
 * Every change is handed to `onChange` (persistence) and awaited before the operation answers.
 * SRP challenges and NEW_PASSWORD_REQUIRED sessions live in memory only (3 minutes, as on AWS).
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { verifyJwtSignature, type SigningKey } from './jwt.js';
import {
  attributeList,
  CognitoError,
  ErrorCode,
  incorrectCredentials,
  optionalString,
  requiredString,
  stringMap,
  toAttributeList,
  type OperationName,
} from './protocol.js';
import {
  createVerifier,
  decoyServerSession,
  parseClientPublicValue,
  passwordMatches,
  poolNameOf,
  startServerSession,
  verifyPasswordClaim,
  type SrpServerSession,
} from './srp.js';
import { checkAttributes, checkPassword, checkUsername } from './schema.js';
import { issueTokens, type TokenValidity } from './tokens.js';
import type { PoolState, StoredGroup, StoredRefreshToken, StoredUser, UserStatus } from './state.js';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';

export type AuthFlow = 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH';

export interface UserPoolConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** `iss` of every token: `<endpoint>/<userPoolId>`. */
  readonly issuer: string;
  readonly selfSignUp: boolean;
  readonly autoConfirm: boolean;
  /** Groups that exist from the start (not persisted); CreateGroup adds more (persisted). */
  readonly groups: readonly string[];
  /** Names without the `custom:` prefix. Writable by admin operations only. */
  readonly customAttributes: readonly string[];
  readonly requiredAttributes: readonly string[];
  /**
   * The PostConfirmation trigger: run after ConfirmSignUp and AdminConfirmSignUp, as Cognito runs
   * its Lambda (never for users an admin created, nor for a sign-up `autoConfirm` confirmed, as a
   * PreSignUp trigger's auto-confirmation runs none on AWS). What it throws fails the call with
   * `UserLambdaValidationException`; the user stays confirmed.
   */
  readonly postConfirmation?: ((event: PostConfirmationTriggerEvent) => Promise<unknown>) | undefined;
  readonly authFlows: readonly AuthFlow[];
  readonly tokenValidity: TokenValidity;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly onConfirmationCode?: ((username: string, code: string) => void) | undefined;
}

export interface CreateUserInput {
  readonly username: string;
  readonly password: string;
  /** e.g. `{ email: 'a@b.c', 'custom:storeId': 'store-1' }`; `email_verified` defaults to "true" when email is given. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly groups?: readonly string[];
}

export interface UserPoolCore {
  readonly operations: Readonly<Record<OperationName, (input: Record<string, unknown>) => Promise<object>>>;
  /** A confirmed user with a permanent password, in the given groups (seeding). */
  createUser(input: CreateUserInput): Promise<{ username: string; sub: string }>;
  /** The pending sign-up confirmation code (no email is sent locally); undefined when none. */
  confirmationCode(username: string): string | undefined;
  snapshot(): PoolState;
}

const CHALLENGE_TTL_MS = 3 * 60_000;
/** Cognito's GroupName constraint: 1–128 letters, marks, symbols, digits or punctuation. */
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const CODE_TTL_MS = 24 * 3600_000;
/** Amplify's `getNowString()`: `Wed Dec 2 13:22:58 UTC 2026`. */
const SRP_TIMESTAMP =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2} \d{2}:\d{2}:\d{2} UTC \d{4}$/;

interface PendingSrp {
  readonly user: StoredUser | undefined;
  readonly userId: string;
  readonly clientId: string;
  readonly A: bigint;
  readonly session: SrpServerSession;
  readonly expiresAt: number;
}

interface PendingNewPassword {
  readonly username: string;
  readonly clientId: string;
  readonly expiresAt: number;
}

export function createUserPool(
  config: UserPoolConfig,
  key: SigningKey,
  initial: PoolState,
  onChange: (state: PoolState) => Promise<void> = async () => undefined,
): UserPoolCore {
  const poolName = poolNameOf(config.userPoolId);
  const users = new Map(initial.users.map((user) => [keyOf(user.username), user]));
  // Group names are case-sensitive on Cognito. Configured groups first, then the created ones.
  const configuredGroups = new Map<string, StoredGroup>(
    config.groups.map((groupName) => [groupName, { groupName, createdAt: config.now() }]),
  );
  const createdGroups = new Map(initial.groups.filter((g) => !configuredGroups.has(g.groupName)).map((g) => [g.groupName, g]));
  const findGroup = (name: string) => configuredGroups.get(name) ?? createdGroups.get(name);
  const refreshTokens = new Map(initial.refreshTokens.map((record) => [record.tokenHash, record]));
  const revoked = new Map(initial.revoked.map((entry) => [entry.originJti, entry]));
  const pendingSrp = new Map<string, PendingSrp>();
  const pendingNewPassword = new Map<string, PendingNewPassword>();
  const now = config.now;

  const snapshot = (): PoolState => ({
    users: [...users.values()],
    groups: [...createdGroups.values()],
    refreshTokens: [...refreshTokens.values()],
    revoked: [...revoked.values()],
  });
  const changed = () => {
    const time = now();
    for (const [hash, record] of refreshTokens) if (record.expiresAt <= time) refreshTokens.delete(hash);
    for (const [jti, entry] of revoked) if (entry.until <= time) revoked.delete(jti);
    return onChange(snapshot());
  };
  const pruneChallenges = () => {
    const time = now();
    for (const [id, pending] of pendingSrp) if (pending.expiresAt <= time) pendingSrp.delete(id);
    for (const [id, pending] of pendingNewPassword) if (pending.expiresAt <= time) pendingNewPassword.delete(id);
  };

  const findUser = (username: string) => users.get(keyOf(username));
  const requireUser = (username: string) => {
    const user = findUser(username);
    if (user === undefined) throw new CognitoError(ErrorCode.UserNotFound, 'User does not exist.');
    return user;
  };
  const requireClient = (input: Record<string, unknown>) => {
    const clientId = requiredString(input, 'ClientId');
    if (clientId !== config.clientId) throw new CognitoError(ErrorCode.ResourceNotFound, `User pool client ${clientId} does not exist.`);
    return clientId;
  };
  const requirePool = (input: Record<string, unknown>) => {
    const id = requiredString(input, 'UserPoolId');
    if (id !== config.userPoolId) throw new CognitoError(ErrorCode.ResourceNotFound, `User pool ${id} does not exist.`);
  };
  const requireGroup = (group: string) => {
    const found = findGroup(group);
    if (found === undefined) throw new CognitoError(ErrorCode.ResourceNotFound, 'Group not found.');
    return found;
  };
  const groupType = (group: StoredGroup) => ({
    GroupName: group.groupName,
    UserPoolId: config.userPoolId,
    ...(group.description === undefined ? {} : { Description: group.description }),
    ...(group.precedence === undefined ? {} : { Precedence: group.precedence }),
    CreationDate: group.createdAt / 1000,
    LastModifiedDate: group.createdAt / 1000,
  });
  const requireFlow = (flow: AuthFlow) => {
    if (!config.authFlows.includes(flow)) throw new CognitoError(ErrorCode.InvalidParameter, `${flow} flow not enabled for this client`);
  };

  const newUser = (username: string, password: string, attributes: Record<string, string>, status: UserStatus): StoredUser => {
    const time = now();
    const user: StoredUser = {
      username,
      sub: randomUUID(),
      status,
      enabled: true,
      attributes,
      groups: [],
      password: createVerifier(poolName, username, password),
      createdAt: time,
      updatedAt: time,
    };
    users.set(keyOf(username), user);
    return user;
  };

  const sendCode = (user: StoredUser) => {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    user.confirmation = { code, expiresAt: now() + CODE_TTL_MS };
    config.log(`[cognito] confirmation code for ${user.username}: ${code} (no email is sent locally)`);
    config.onConfirmationCode?.(user.username, code);
    return codeDeliveryDetails(user.attributes.email ?? user.username);
  };

  const confirm = (user: StoredUser, verifyEmail: boolean) => {
    user.status = 'CONFIRMED';
    user.confirmation = undefined;
    if (verifyEmail && user.attributes.email !== undefined) user.attributes.email_verified = 'true';
    user.updatedAt = now();
  };

  /** Runs the PostConfirmation trigger, if any, with Cognito's event, once the confirmation is kept. */
  const afterConfirmation = async (user: StoredUser, clientId: string | undefined) => {
    if (config.postConfirmation === undefined) return;
    const event: PostConfirmationTriggerEvent = {
      version: '1',
      region: config.region,
      userPoolId: config.userPoolId,
      userName: user.username,
      callerContext: { awsSdkVersion: 'local', clientId: clientId ?? 'CLIENT_ID_NOT_APPLICABLE' },
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      request: { userAttributes: { ...attributesOf(user), 'cognito:user_status': user.status } },
      response: {},
    };
    try {
      await config.postConfirmation(event);
    } catch (error) {
      config.log(
        `[cognito] PostConfirmation trigger failed for ${user.username}: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw new CognitoError(
        ErrorCode.UserLambdaValidation,
        `PostConfirmation failed with error ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
  };

  const tokensFor = (user: StoredUser, clientId: string, authTime: number, originJti: string) =>
    issueTokens({ key, issuer: config.issuer, validity: config.tokenValidity, now: now() }, user, { clientId, authTime, originJti });

  /** A new sign-in: a refresh token (a new session) and the first access/id tokens. */
  const signIn = async (user: StoredUser, clientId: string) => {
    const refreshToken = randomBytes(96).toString('base64url');
    const record: StoredRefreshToken = {
      tokenHash: hashToken(refreshToken),
      username: user.username,
      clientId,
      originJti: randomUUID(),
      authTime: Math.floor(now() / 1000),
      expiresAt: now() + config.tokenValidity.refreshSeconds * 1000,
    };
    refreshTokens.set(record.tokenHash, record);
    await changed();
    return {
      ChallengeParameters: {},
      AuthenticationResult: { ...tokensFor(user, clientId, record.authTime, record.originJti), RefreshToken: refreshToken },
    };
  };

  /** What follows a proven password: refusals by status, the new-password challenge, or tokens. */
  const afterPassword = async (user: StoredUser, clientId: string) => {
    if (!user.enabled) throw new CognitoError(ErrorCode.NotAuthorized, 'User is disabled.');
    if (user.status === 'UNCONFIRMED') throw new CognitoError(ErrorCode.UserNotConfirmed, 'User is not confirmed.');
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      pruneChallenges();
      const session = randomBytes(96).toString('base64url');
      pendingNewPassword.set(session, { username: user.username, clientId, expiresAt: now() + CHALLENGE_TTL_MS });
      const { email_verified: _verified, ...visible } = user.attributes;
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(visible) },
      };
    }
    return signIn(user, clientId);
  };

  const refresh = (refreshToken: string, clientId: string) => {
    const record = refreshTokens.get(hashToken(refreshToken));
    if (record === undefined || record.expiresAt <= now() || record.clientId !== clientId) {
      throw new CognitoError(ErrorCode.NotAuthorized, 'Invalid Refresh Token');
    }
    const user = findUser(record.username);
    if (user === undefined) throw new CognitoError(ErrorCode.NotAuthorized, 'Invalid Refresh Token');
    if (!user.enabled) throw new CognitoError(ErrorCode.NotAuthorized, 'User is disabled.');
    // Claims reflect the user now (groups, attributes); auth_time stays that of the sign-in.
    return tokensFor(user, clientId, record.authTime, record.originJti);
  };

  /** The user behind a valid, unrevoked access token. */
  const userOfAccessToken = (token: string) => {
    const payload = verifyJwtSignature(key, token);
    if (payload === undefined || payload.token_use !== 'access' || payload.iss !== config.issuer || payload.client_id !== config.clientId) {
      throw new CognitoError(ErrorCode.NotAuthorized, 'Invalid Access Token');
    }
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= now())
      throw new CognitoError(ErrorCode.NotAuthorized, 'Access Token has expired');
    if (typeof payload.origin_jti !== 'string' || revoked.has(payload.origin_jti)) {
      throw new CognitoError(ErrorCode.NotAuthorized, 'Access Token has been revoked');
    }
    const user = typeof payload.username === 'string' ? findUser(payload.username) : undefined;
    if (user === undefined || user.sub !== payload.sub) throw new CognitoError(ErrorCode.NotAuthorized, 'Access Token has been revoked');
    return user;
  };

  const revokeSession = (record: StoredRefreshToken) => {
    refreshTokens.delete(record.tokenHash);
    revoked.set(record.originJti, {
      originJti: record.originJti,
      until: now() + Math.max(config.tokenValidity.accessSeconds, config.tokenValidity.idSeconds) * 1000,
    });
  };

  const userType = (user: StoredUser) => ({
    Username: user.username,
    Attributes: toAttributeList(attributesOf(user)),
    UserCreateDate: user.createdAt / 1000,
    UserLastModifiedDate: user.updatedAt / 1000,
    Enabled: user.enabled,
    UserStatus: user.status,
  });

  const operations: UserPoolCore['operations'] = {
    async SignUp(input) {
      requireClient(input);
      if (!config.selfSignUp) throw new CognitoError(ErrorCode.NotAuthorized, 'SignUp is not permitted for this user pool');
      const username = requiredString(input, 'Username');
      const password = requiredString(input, 'Password');
      checkUsername(username);
      const attributes = attributeList(input, 'UserAttributes');
      checkAttributes(attributes, 'client', config.customAttributes);
      for (const name of config.requiredAttributes) {
        if (!attributes[name]) {
          throw new CognitoError(
            ErrorCode.InvalidParameter,
            `Attributes did not conform to the schema: ${name}: The attribute ${name} is required`,
          );
        }
      }
      checkPassword(password);
      if (findUser(username) !== undefined) throw new CognitoError(ErrorCode.UsernameExists, 'User already exists');
      if (attributes.email !== undefined) attributes.email_verified = 'false';
      const user = newUser(username, password, attributes, 'UNCONFIRMED');
      if (config.autoConfirm) {
        // As a PreSignUp trigger answering autoConfirmUser + autoVerifyEmail would.
        confirm(user, true);
        await changed();
        return { UserConfirmed: true, UserSub: user.sub };
      }
      const delivery = sendCode(user);
      await changed();
      return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails: delivery };
    },

    async ConfirmSignUp(input) {
      requireClient(input);
      const username = requiredString(input, 'Username');
      const code = requiredString(input, 'ConfirmationCode');
      const user = findUser(username);
      if (user === undefined) throw new CognitoError(ErrorCode.CodeMismatch, 'Invalid verification code provided, please try again.');
      if (user.status !== 'UNCONFIRMED')
        throw new CognitoError(ErrorCode.NotAuthorized, `User cannot be confirmed. Current status is ${user.status}`);
      const pending = user.confirmation;
      if (pending === undefined || pending.code !== code)
        throw new CognitoError(ErrorCode.CodeMismatch, 'Invalid verification code provided, please try again.');
      if (pending.expiresAt <= now()) throw new CognitoError(ErrorCode.ExpiredCode, 'Invalid code provided, please request a code again.');
      confirm(user, true);
      await changed();
      await afterConfirmation(user, config.clientId);
      return {};
    },

    async ResendConfirmationCode(input) {
      requireClient(input);
      const username = requiredString(input, 'Username');
      const user = findUser(username);
      // Unknown users get a plausible answer, so the call does not reveal who has an account.
      if (user === undefined) return { CodeDeliveryDetails: codeDeliveryDetails(username) };
      if (user.status !== 'UNCONFIRMED') throw new CognitoError(ErrorCode.InvalidParameter, 'User is already confirmed.');
      const delivery = sendCode(user);
      await changed();
      return { CodeDeliveryDetails: delivery };
    },

    async InitiateAuth(input) {
      const clientId = requireClient(input);
      const flow = requiredString(input, 'AuthFlow');
      const parameters = stringMap(input, 'AuthParameters');
      if (flow === 'USER_SRP_AUTH') {
        requireFlow('USER_SRP_AUTH');
        const username = requiredString(parameters, 'USERNAME');
        const A = parseClientPublicValue(requiredString(parameters, 'SRP_A'));
        if (A === undefined) throw new CognitoError(ErrorCode.InvalidParameter, 'SRP_A is not a valid public value.');
        const user = findUser(username);
        if (user !== undefined && !user.enabled) throw new CognitoError(ErrorCode.NotAuthorized, 'User is disabled.');
        const userId = user?.username ?? username;
        // Unknown user: a decoy challenge that can only fail at PASSWORD_VERIFIER, as a real
        // pool with user-existence errors prevented behaves.
        const session = user === undefined ? decoyServerSession() : startServerSession(user.password);
        const salt = user?.password.salt ?? randomBytes(16).toString('hex');
        const secretBlock = randomBytes(256).toString('base64');
        pruneChallenges();
        pendingSrp.set(secretBlock, { user, userId, clientId, A, session, expiresAt: now() + CHALLENGE_TTL_MS });
        return {
          ChallengeName: 'PASSWORD_VERIFIER',
          ChallengeParameters: {
            SALT: salt,
            SECRET_BLOCK: secretBlock,
            SRP_B: session.B.toString(16),
            USERNAME: userId,
            USER_ID_FOR_SRP: userId,
          },
        };
      }
      if (flow === 'USER_PASSWORD_AUTH') {
        requireFlow('USER_PASSWORD_AUTH');
        const username = requiredString(parameters, 'USERNAME');
        const password = requiredString(parameters, 'PASSWORD');
        const user = findUser(username);
        if (user === undefined || !passwordMatches(poolName, user.username, password, user.password)) throw incorrectCredentials();
        return afterPassword(user, clientId);
      }
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
        requireFlow('REFRESH_TOKEN_AUTH');
        return { ChallengeParameters: {}, AuthenticationResult: refresh(requiredString(parameters, 'REFRESH_TOKEN'), clientId) };
      }
      throw new CognitoError(ErrorCode.InvalidParameter, `The local user pool does not support AuthFlow ${flow}.`);
    },

    async RespondToAuthChallenge(input) {
      const clientId = requireClient(input);
      const challenge = requiredString(input, 'ChallengeName');
      const responses = stringMap(input, 'ChallengeResponses');
      pruneChallenges();
      if (challenge === 'PASSWORD_VERIFIER') {
        const secretBlock = requiredString(responses, 'PASSWORD_CLAIM_SECRET_BLOCK');
        const pending = pendingSrp.get(secretBlock);
        if (pending === undefined || pending.clientId !== clientId) {
          throw new CognitoError(ErrorCode.NotAuthorized, 'Invalid session for the user, session is expired.');
        }
        pendingSrp.delete(secretBlock);
        const timestamp = requiredString(responses, 'TIMESTAMP');
        const signature = requiredString(responses, 'PASSWORD_CLAIM_SIGNATURE');
        if (!SRP_TIMESTAMP.test(timestamp))
          throw new CognitoError(ErrorCode.InvalidParameter, 'TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.');
        const { user } = pending;
        if (user === undefined || keyOf(requiredString(responses, 'USERNAME')) !== keyOf(pending.userId)) throw incorrectCredentials();
        const ok = verifyPasswordClaim({
          poolName,
          userId: pending.userId,
          stored: user.password,
          A: pending.A,
          session: pending.session,
          secretBlock,
          timestamp,
          signature,
        });
        if (!ok) throw incorrectCredentials();
        return afterPassword(user, clientId);
      }
      if (challenge === 'NEW_PASSWORD_REQUIRED') {
        const sessionId = requiredString(input, 'Session');
        const pending = pendingNewPassword.get(sessionId);
        if (pending === undefined || pending.clientId !== clientId) {
          throw new CognitoError(ErrorCode.NotAuthorized, 'Invalid session for the user, session is expired.');
        }
        const password = requiredString(responses, 'NEW_PASSWORD');
        checkPassword(password);
        pendingNewPassword.delete(sessionId);
        const user = requireUser(pending.username);
        user.password = createVerifier(poolName, user.username, password);
        user.status = 'CONFIRMED';
        user.updatedAt = now();
        return signIn(user, clientId);
      }
      throw new CognitoError(ErrorCode.InvalidParameter, `The local user pool does not support ChallengeName ${challenge}.`);
    },

    async GetTokensFromRefreshToken(input) {
      const clientId = requireClient(input);
      requireFlow('REFRESH_TOKEN_AUTH');
      // No refresh-token rotation: the same refresh token stays valid and none is returned.
      return { AuthenticationResult: refresh(requiredString(input, 'RefreshToken'), clientId) };
    },

    async GetUser(input) {
      const user = userOfAccessToken(requiredString(input, 'AccessToken'));
      return { Username: user.username, UserAttributes: toAttributeList(attributesOf(user)) };
    },

    async GlobalSignOut(input) {
      const user = userOfAccessToken(requiredString(input, 'AccessToken'));
      for (const record of [...refreshTokens.values()]) if (record.username === user.username) revokeSession(record);
      await changed();
      return {};
    },

    async RevokeToken(input) {
      const clientId = requireClient(input);
      const record = refreshTokens.get(hashToken(requiredString(input, 'Token')));
      // An unknown or already revoked token is not an error (RFC 7009).
      if (record === undefined || record.clientId !== clientId) return {};
      revokeSession(record);
      await changed();
      return {};
    },

    async AdminCreateUser(input) {
      requirePool(input);
      const username = requiredString(input, 'Username');
      checkUsername(username);
      const attributes = attributeList(input, 'UserAttributes');
      checkAttributes(attributes, 'admin', config.customAttributes);
      const action = optionalString(input, 'MessageAction');
      if (action === 'RESEND')
        throw new CognitoError(ErrorCode.InvalidParameter, 'The local user pool does not support MessageAction RESEND.');
      if (findUser(username) !== undefined) throw new CognitoError(ErrorCode.UsernameExists, 'User account already exists');
      let temporary = optionalString(input, 'TemporaryPassword');
      if (temporary === undefined) {
        temporary = `Tmp-${randomBytes(6).toString('base64url')}1a`;
        config.log(`[cognito] temporary password for ${username}: ${temporary} (no email is sent locally)`);
      } else {
        checkPassword(temporary);
      }
      const user = newUser(username, temporary, attributes, 'FORCE_CHANGE_PASSWORD');
      await changed();
      return { User: userType(user) };
    },

    async AdminSetUserPassword(input) {
      requirePool(input);
      const user = requireUser(requiredString(input, 'Username'));
      const password = requiredString(input, 'Password');
      checkPassword(password);
      user.password = createVerifier(poolName, user.username, password);
      if (input.Permanent === true) user.status = 'CONFIRMED';
      else if (user.status === 'CONFIRMED') user.status = 'FORCE_CHANGE_PASSWORD';
      user.updatedAt = now();
      await changed();
      return {};
    },

    async AdminAddUserToGroup(input) {
      requirePool(input);
      const group = requiredString(input, 'GroupName');
      const user = requireUser(requiredString(input, 'Username'));
      requireGroup(group);
      if (!user.groups.includes(group)) user.groups.push(group);
      user.updatedAt = now();
      await changed();
      return {};
    },

    async AdminRemoveUserFromGroup(input) {
      requirePool(input);
      const group = requiredString(input, 'GroupName');
      const user = requireUser(requiredString(input, 'Username'));
      requireGroup(group);
      // Not a member: nothing to do, and no error (as Cognito answers).
      if (user.groups.includes(group)) {
        user.groups = user.groups.filter((g) => g !== group);
        user.updatedAt = now();
        await changed();
      }
      return {};
    },

    async AdminListGroupsForUser(input) {
      requirePool(input);
      const user = requireUser(requiredString(input, 'Username'));
      const limit = optionalInteger(input, 'Limit', 0, 60) ?? 60;
      const token = optionalString(input, 'NextToken');
      const start = token === undefined ? 0 : Number.parseInt(token, 10);
      if (!Number.isInteger(start) || start < 0 || (token !== undefined && String(start) !== token))
        throw new CognitoError(ErrorCode.InvalidParameter, 'Invalid pagination token.');
      // Groups deleted since the user joined them are not listed (there is no DeleteGroup here anyway).
      const all = user.groups.flatMap((name) => {
        const group = findGroup(name);
        return group === undefined ? [] : [groupType(group)];
      });
      const page = all.slice(start, start + (limit === 0 ? 60 : limit));
      const next = start + page.length;
      return { Groups: page, ...(next < all.length ? { NextToken: String(next) } : {}) };
    },

    async CreateGroup(input) {
      requirePool(input);
      const groupName = requiredString(input, 'GroupName');
      if (!GROUP_NAME.test(groupName)) {
        throw new CognitoError(
          ErrorCode.InvalidParameter,
          "1 validation error detected: Value at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        );
      }
      const description = optionalString(input, 'Description');
      if (description !== undefined && description.length > 2048)
        throw new CognitoError(
          ErrorCode.InvalidParameter,
          "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048",
        );
      const precedence = optionalInteger(input, 'Precedence', 0, 2 ** 31 - 1);
      if (optionalString(input, 'RoleArn') !== undefined)
        throw new CognitoError(ErrorCode.InvalidParameter, 'The local user pool does not support RoleArn (no identity pool).');
      if (findGroup(groupName) !== undefined) throw new CognitoError(ErrorCode.GroupExists, 'A group with the name already exists.');
      const group: StoredGroup = { groupName, description, precedence, createdAt: now() };
      createdGroups.set(groupName, group);
      await changed();
      return { Group: groupType(group) };
    },

    async AdminConfirmSignUp(input) {
      requirePool(input);
      const user = requireUser(requiredString(input, 'Username'));
      if (user.status !== 'UNCONFIRMED')
        throw new CognitoError(ErrorCode.NotAuthorized, `User cannot be confirmed. Current status is ${user.status}`);
      confirm(user, false);
      await changed();
      await afterConfirmation(user, undefined);
      return {};
    },

    async AdminGetUser(input) {
      requirePool(input);
      const user = requireUser(requiredString(input, 'Username'));
      const { Attributes, ...rest } = userType(user);
      return { ...rest, UserAttributes: Attributes };
    },
  };

  return {
    operations,
    snapshot,
    confirmationCode: (username) => findUser(username)?.confirmation?.code,
    async createUser(input) {
      checkUsername(input.username);
      checkPassword(input.password);
      const attributes = { ...input.attributes };
      checkAttributes(attributes, 'admin', config.customAttributes);
      if (attributes.email !== undefined) attributes.email_verified ??= 'true';
      for (const group of input.groups ?? []) requireGroup(group);
      if (findUser(input.username) !== undefined) throw new CognitoError(ErrorCode.UsernameExists, 'User account already exists');
      const user = newUser(input.username, input.password, attributes, 'CONFIRMED');
      user.groups = [...new Set(input.groups ?? [])];
      await changed();
      return { username: user.username, sub: user.sub };
    },
  };
}

/** An optional integer member within [min, max]; InvalidParameterException otherwise. */
function optionalInteger(input: Record<string, unknown>, member: string, min: number, max: number): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new CognitoError(ErrorCode.InvalidParameter, `${member} must be an integer from ${min} to ${max}.`);
  return value;
}

/** Usernames are case-insensitive, as in a pool created with `signInCaseSensitive: false`. */
function keyOf(username: string): string {
  return username.toLowerCase();
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function attributesOf(user: StoredUser): Record<string, string> {
  return { sub: user.sub, ...user.attributes };
}

/** `alice@example.com` → `a***@e***`, as Cognito masks a destination. */
function codeDeliveryDetails(destination: string) {
  const [local = '', domain = ''] = destination.split('@');
  return { Destination: `${local.charAt(0)}***@${domain.charAt(0)}***`, DeliveryMedium: 'EMAIL', AttributeName: 'email' };
}
