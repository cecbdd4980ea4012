/**
 * The one identity the local stack speaks as. The SDK signs every request and refuses to send
 * without credentials and a region; these are what every local client uses (never the
 * developer's real AWS profile). The local AppSync server verifies signatures against them
 * (local/appsync/server/auth.ts, LOCAL_IAM_PRINCIPAL), and so does the user pool for its admin
 * operations (local/cognito/iam.ts); the other emulators do not.
 */

/** Not frozen: the SDK records where credentials came from by adding a `$source` member to them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';
/** The account id in local ARNs and queue URLs (fauxqs allows no other). */
export const LOCAL_ACCOUNT_ID = '000000000000';
