/** The local APPSYNC_JS runtime: load (bundle + check) resolvers and run them as AppSync does. */
export { appsyncJsBuildOptions, APPSYNC_EXTERNALS, MAX_CODE_SIZE } from './build.js';
export { UnsupportedResolverFeatureError, type Violation } from './check.js';
export { loadResolver, ResolverBuildError, HANDLER_TIMEOUT_MS, type LoadedResolver } from './sandbox.js';
export {
  createFieldResolver,
  evaluateCode,
  CODE_ERROR_TYPE,
  MAPPING_ERROR_TYPE,
  type RuntimeOutcome,
  type FieldResolverOptions,
  type EvaluateCodeInput,
  type EvaluateCodeResult,
  type ResolverContextInput,
} from './field-resolver.js';
export { type DataSourceRuntime, type DataSourceError } from './datasources.js';
export { MAX_INVALIDATIONS, type ExtensionsRecord, type SubscriptionInvalidation } from './util.js';
export { type SubscriptionFilter, type SubscriptionFilterEntry } from './transform.js';
