/** The local AppSync-compatible server: GraphQL over HTTP, AppSync realtime, GraphiQL explorer. */
export {
  startAppSyncServer,
  serverAuthModes,
  UserPoolNotConfiguredError,
  ListenError,
  GRAPHQL_PATH,
  REALTIME_PATH,
  type AppSyncServerOptions,
  type TlsListenerOptions,
  type RunningAppSyncServer,
  type AppSyncServerStats,
} from './server.js';
export { buildAppSyncSchema, AppSyncSchemaError, APPSYNC_SCALARS } from './schema.js';
export {
  authenticate,
  FieldAuthorization,
  DEFAULT_AUTH_TYPE,
  enabledModes,
  LOCAL_ACCOUNT_ID,
  LOCAL_IAM_PRINCIPAL,
  MAX_SIGV4_CLOCK_SKEW_MS,
  type AuthContext,
  type AuthModes,
  type IamPrincipal,
} from './auth.js';
export {
  remoteJwks,
  userPoolVerifier,
  verifyUserPoolToken,
  type Jwks,
  type UserPoolConfig,
  type UserPoolResult,
} from './user-pool-auth.js';
export { AppSyncEngine, INTERNAL_ERROR_TYPE, UnknownResolverFieldError, type OperationRequest, type RequestMeta } from './execution.js';
export { SubscriptionHub, matchesArguments, matchesFilter, parseSubscriptionFilter, type SubscriptionFilter } from './subscriptions.js';
export { makeRealtimeServer, type RealtimeServer, type RealtimeSocket, type UpgradeRequest } from './realtime.js';
export {
  MessageType,
  CloseCode,
  parseClientMessage,
  ProtocolError,
  GRAPHQL_WS_PROTOCOL,
  type ClientMessage,
  type ServerMessage,
} from './protocol.js';
export type { AppSyncErrorJson, AppSyncResponseBody } from './errors.js';
export {
  checkRequestLimits,
  MAX_DOCUMENT_NESTING,
  QUERY_DEPTH_LIMIT_ERROR,
  RESOLVER_COUNT_LIMIT_ERROR,
  ROOT_FIELD_LIMIT_ERROR,
  METHOD_NOT_ALLOWED_ERROR,
  type ApiLimits,
} from './limits.js';
export { localCorsPolicy, type CorsPolicy } from './cors.js';
