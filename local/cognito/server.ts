/**
 * A Cognito-compatible user-pool endpoint on loopback, for Amplify's
 * `Auth.Cognito.userPoolEndpoint` (and any AWS JSON 1.1 client):
 *
 * - `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`; answers
 *   `application/x-amz-json-1.1`; errors are HTTP 400 `{"__type": "<Code>", "message": …}` with
 *   the `x-amzn-errortype` header. Admin operations need a SigV4 signature from a known principal
 *   (`iam.ts`), as on AWS; public ones need none. The wire protocol, with the documents and CORS
 *   below, is `../util/aws-json-server.ts`'s.
 * - `GET /<userPoolId>/.well-known/jwks.json` and `/<userPoolId>/.well-known/openid-configuration`.
 * - CORS open to any origin, or to the origins `cors` allows (the local stack: its web demo's).
 * - With `tls`, the same handler over HTTPS on a second port (`tlsEndpoint`), for mobile
 *   libraries that refuse plain http to a LAN address (iOS's App Transport Security, Android's
 *   cleartext policy). Tokens issued over either name the plain endpoint in their issuer.
 *
 * Tokens are issued by `iss = http://<host>:<port>/<userPoolId>` (Cognito's form, with this
 * endpoint standing in for `https://cognito-idp.<region>.amazonaws.com`).
 *
 * Persistence: with `dataDir`, users and refresh sessions are loaded at start and rewritten
 * (temp file + rename) after each change, before the change is acknowledged; the signing key
 * is kept beside them (or in `keyFile`), so tokens stay valid across a restart on the same port.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { dirname, join } from 'node:path';
import { LOCAL_IAM_PRINCIPAL, type IamPrincipal } from '../appsync/server/auth.js';
import { startAwsJsonServer, type AwsJsonOperation, type CorsOriginPolicy } from '../util/aws-json-server.js';
import { assertPortFree } from '../util/ports.js';
import { iamAuthorizer } from './iam.js';
import { loadOrCreateSigningKey } from './jwt.js';
import { CognitoError, ErrorCode, isRecord, Operation, TARGET_PREFIX } from './protocol.js';
import { parseRevokedSession, parseStoredGroup, parseStoredRefreshToken, parseStoredUser, type PoolState } from './state.js';
import type { TokenValidity } from './tokens.js';
import { createUserPool, type AuthFlow, type CreateUserInput } from './user-pool.js';

export interface CognitoUserPoolOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 (or absent) = a free port. @default 0 */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Must be `<region>_<name>`: Amplify derives the region and the SRP pool name from it. @default `<region>_localPool` */
  readonly userPoolId?: string;
  /** @default 'localappclient0000000000' */
  readonly clientId?: string;
  /** Whether SignUp is open (customers). @default true */
  readonly selfSignUp?: boolean;
  /**
   * Confirm (and verify the email of) self-signed-up users at once, as a PreSignUp trigger
   * would; otherwise SignUp answers with a code to confirm, logged and readable through
   * `confirmationCode()`. @default false
   */
  readonly autoConfirm?: boolean;
  /** Groups users may be added to. @default [] */
  readonly groups?: readonly string[];
  /** Custom attributes (without `custom:`), writable by admin operations and `createUser` only. @default [] */
  readonly customAttributes?: readonly string[];
  /** Attributes SignUp must carry. @default ['email'] */
  readonly requiredAttributes?: readonly string[];
  /**
   * The pool's Lambda triggers, as functions of Cognito's event (the local stack passes the
   * manifest's trigger handlers). `postConfirmation` runs after ConfirmSignUp and
   * AdminConfirmSignUp (see user-pool.ts). @default none
   */
  readonly triggers?: { readonly postConfirmation?: (event: PostConfirmationTriggerEvent) => Promise<unknown> };
  /** The app client's auth flows (the CDK app client enables SRP and refresh only). @default all three */
  readonly authFlows?: readonly AuthFlow[];
  /** Who may call the admin operations (SigV4, service `cognito-idp`). @default [LOCAL_IAM_PRINCIPAL] */
  readonly iamPrincipals?: readonly IamPrincipal[];
  /** Which browser origins may call the pool (others: no CORS headers, 403). @default any origin */
  readonly cors?: CorsOriginPolicy;
  readonly tokenValidity?: Partial<TokenValidity>;
  /** Directory for `cognito-user-pool.json` and, unless `keyFile` is set, `cognito-signing-key.pem`; absent = in memory. */
  readonly dataDir?: string;
  /** PKCS#8 PEM of the RSA signing key; created when missing. @default `<dataDir>/cognito-signing-key.pem`, else a fresh key */
  readonly keyFile?: string;
  /** Epoch milliseconds (tests). @default Date.now */
  readonly now?: () => number;
  readonly logger?: (line: string) => void;
  /** Called with each confirmation code SignUp/ResendConfirmationCode would email. */
  readonly onConfirmationCode?: (username: string, code: string) => void;
  /** Also serve the pool over HTTPS with this certificate (PEM) on `port` (0 or absent = a free port). @default none */
  readonly tls?: { readonly cert: string; readonly key: string; readonly port?: number };
}

export interface CognitoUserPool {
  /** e.g. `http://127.0.0.1:41234`: `Auth.Cognito.userPoolEndpoint`. */
  readonly endpoint: string;
  /** e.g. `https://127.0.0.1:41235`: the same pool over HTTPS, when `tls` was given. */
  readonly tlsEndpoint?: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** `<endpoint>/<userPoolId>`: every token's `iss`. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** A confirmed user with a permanent password (seeding). Throws `CognitoError` (UsernameExistsException, …). */
  createUser(input: CreateUserInput): Promise<{ username: string; sub: string }>;
  /** The code a pending sign-up must be confirmed with (test hook; no email is sent). */
  confirmationCode(username: string): string | undefined;
  dispose(): Promise<void>;
}

export class InvalidUserPoolFileError extends Error {
  override readonly name = 'InvalidUserPoolFileError';
  constructor(file: string, detail: string) {
    super(`the local user pool file ${file} is not valid (${detail}); fix or delete it`);
  }
}

const PERSIST_FORMAT = 1;
const DEFAULT_FLOWS: readonly AuthFlow[] = ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH'];

export async function startCognitoUserPool(options: CognitoUserPoolOptions = {}): Promise<CognitoUserPool> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const userPoolId = options.userPoolId ?? `${region}_localPool`;
  const clientId = options.clientId ?? 'localappclient0000000000';
  if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId)) throw new Error(`userPoolId must look like <region>_<name>, got ${userPoolId}`);
  const log = options.logger ?? (() => undefined);
  const dataFile = options.dataDir === undefined ? undefined : join(options.dataDir, 'cognito-user-pool.json');
  const keyFile = options.keyFile ?? (options.dataDir === undefined ? undefined : join(options.dataDir, 'cognito-signing-key.pem'));
  const key = await loadOrCreateSigningKey(keyFile);
  const initial = dataFile === undefined ? emptyState() : await loadState(dataFile, userPoolId, clientId);

  for (const port of [options.port, options.tls?.port]) if (port !== undefined && port !== 0) await assertPortFree(host, port);
  // The pool signs with the issuer, which names the port: the server starts first and its
  // operations reach `pool` through closures. No request is read before `pool` is assigned,
  // as nothing is awaited between the two.
  const server = await startAwsJsonServer<Record<string, unknown>>({
    service: 'user pool',
    logTag: 'cognito',
    protocol: '1.1',
    targetPrefix: TARGET_PREFIX,
    operations: new Map(
      Object.values(Operation).map((name): [string, AwsJsonOperation] => [name, (input) => pool.operations[name](input)]),
    ),
    parseRequest: (body) => (isRecord(body) ? body : undefined),
    toErrorResponse: (error) => (error instanceof CognitoError ? error : undefined),
    internalErrorCode: ErrorCode.InternalError,
    documents: new Map([
      [`/${userPoolId}/.well-known/jwks.json`, () => ({ keys: [key.jwk] })],
      [`/${userPoolId}/.well-known/openid-configuration`, (url: string) => openIdConfiguration(`${url}/${userPoolId}`)],
    ]),
    cors: options.cors ?? true,
    authorize: iamAuthorizer({
      region,
      principals: options.iamPrincipals ?? [LOCAL_IAM_PRINCIPAL],
      now: options.now ?? Date.now,
    }),
    host,
    port: options.port ?? 0,
    logger: log,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  });
  const endpoint = server.url;
  const tlsEndpoint = server.tlsUrl;
  const issuer = `${endpoint}/${userPoolId}`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;

  let writing = Promise.resolve();
  const pool = createUserPool(
    {
      region,
      userPoolId,
      clientId,
      issuer,
      selfSignUp: options.selfSignUp ?? true,
      autoConfirm: options.autoConfirm ?? false,
      groups: options.groups ?? [],
      customAttributes: options.customAttributes ?? [],
      requiredAttributes: options.requiredAttributes ?? ['email'],
      postConfirmation: options.triggers?.postConfirmation,
      authFlows: options.authFlows ?? DEFAULT_FLOWS,
      tokenValidity: { accessSeconds: 3600, idSeconds: 3600, refreshSeconds: 30 * 86400, ...options.tokenValidity },
      now: options.now ?? Date.now,
      log,
      onConfirmationCode: options.onConfirmationCode,
    },
    key,
    initial,
    dataFile === undefined
      ? undefined
      : (state) => {
          // One write at a time (they share the temp file); a failed write fails its own operation only.
          const next = writing.then(() => saveState(dataFile, userPoolId, clientId, state));
          writing = next.catch(() => undefined);
          return next;
        },
  );

  log(
    `[cognito] user pool ${userPoolId} (${initial.users.length} user(s)) listening on ${endpoint}${tlsEndpoint === undefined ? '' : ` and ${tlsEndpoint}`}`,
  );

  let disposing: Promise<void> | undefined;
  return {
    endpoint,
    ...(tlsEndpoint === undefined ? {} : { tlsEndpoint }),
    region,
    userPoolId,
    clientId,
    issuer,
    jwksUri,
    createUser: (input) => pool.createUser(input),
    confirmationCode: (username) => pool.confirmationCode(username),
    dispose() {
      disposing ??= server.close().then(() => writing);
      return disposing;
    },
  };
}

function openIdConfiguration(issuer: string): object {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    claims_supported: [
      'sub',
      'aud',
      'iss',
      'exp',
      'iat',
      'auth_time',
      'token_use',
      'email',
      'email_verified',
      'cognito:username',
      'cognito:groups',
    ],
  };
}

async function loadState(file: string, userPoolId: string, clientId: string): Promise<PoolState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return emptyState();
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidUserPoolFileError(file, 'not JSON');
  }
  if (
    !isRecord(raw) ||
    raw.format !== PERSIST_FORMAT ||
    !Array.isArray(raw.users) ||
    !Array.isArray(raw.refreshTokens) ||
    !Array.isArray(raw.revoked)
  ) {
    throw new InvalidUserPoolFileError(
      file,
      `expected {"format": ${PERSIST_FORMAT}, "users": [...], "refreshTokens": [...], "revoked": [...]}`,
    );
  }
  // Password verifiers are bound to the pool id (SRP mixes it in) and sessions to the client.
  if (raw.userPoolId !== userPoolId || raw.clientId !== clientId) {
    throw new InvalidUserPoolFileError(
      file,
      `it belongs to pool ${String(raw.userPoolId)} / client ${String(raw.clientId)}, not ${userPoolId} / ${clientId}`,
    );
  }
  // Absent in files written before CreateGroup was served.
  const groups = raw.groups ?? [];
  if (!Array.isArray(groups)) throw new InvalidUserPoolFileError(file, 'groups is not a list');
  const parseAll = <T>(list: unknown[], what: string, parse: (entry: unknown) => T | undefined): T[] =>
    list.map((entry, index) => {
      const parsed = parse(entry);
      if (parsed === undefined) throw new InvalidUserPoolFileError(file, `${what}[${index}] is malformed`);
      return parsed;
    });
  return {
    users: parseAll(raw.users, 'users', parseStoredUser),
    groups: parseAll(groups, 'groups', parseStoredGroup),
    refreshTokens: parseAll(raw.refreshTokens, 'refreshTokens', parseStoredRefreshToken),
    revoked: parseAll(raw.revoked, 'revoked', parseRevokedSession),
  };
}

function emptyState(): PoolState {
  return { users: [], groups: [], refreshTokens: [], revoked: [] };
}

async function saveState(file: string, userPoolId: string, clientId: string, state: PoolState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ format: PERSIST_FORMAT, userPoolId, clientId, ...state }, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}
