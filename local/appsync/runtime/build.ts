/**
 * How an APPSYNC_JS resolver is bundled lives with the resolvers (resolvers/bundle.ts), shared
 * with the CDK stack so the code checked and run locally is the code deployed.
 */
export { appsyncJsBuildOptions, APPSYNC_EXTERNALS, MAX_CODE_SIZE } from '../../../resolvers/bundle.js';
