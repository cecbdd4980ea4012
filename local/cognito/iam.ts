/**
 * IAM authorization of the pool's admin operations, as on AWS: every Admin* call and CreateGroup
 * must carry a valid SigV4 signature (service `cognito-idp`, this region, 5-minute skew) from a
 * principal the pool knows (by default the local stack's one identity, LOCAL_IAM_PRINCIPAL).
 * The signature is verified by the local AppSync server's verifier (one SigV4 implementation in
 * this repo). Public operations (sign-up, sign-in, refresh, sign-out) need no credentials, as on
 * AWS.
 *
 * Refusals, in the AWS JSON error shape (HTTP 400, `__type` + `x-amzn-errortype`):
 *
 * | request                                   | `__type`                            |
 * | ----------------------------------------- | ----------------------------------- |
 * | no SigV4 `Authorization` header           | MissingAuthenticationTokenException |
 * | an access key the pool does not know      | UnrecognizedClientException         |
 * | anything else (signature, scope, date, …) | InvalidSignatureException           |
 */
import { authenticateSigV4, lowerCaseHeaders, type IamPrincipal } from '../appsync/server/auth.js';
import type { AwsErrorResponse, AwsJsonRequest } from '../util/aws-json-server.js';
import { Operation, type OperationName } from './protocol.js';

/** The operations AWS authorizes with IAM (the rest are the app client's, unauthenticated). */
export const IAM_OPERATIONS: ReadonlySet<OperationName> = new Set([
  Operation.AdminCreateUser,
  Operation.AdminSetUserPassword,
  Operation.AdminAddUserToGroup,
  Operation.AdminConfirmSignUp,
  Operation.AdminGetUser,
  Operation.CreateGroup,
  Operation.AdminRemoveUserFromGroup,
  Operation.AdminListGroupsForUser,
]);

/** The SigV4 service name of the Cognito user-pool API. */
export const SIGV4_SERVICE = 'cognito-idp';
const SERVICES: ReadonlySet<string> = new Set([SIGV4_SERVICE]);

export interface IamAuthorizerOptions {
  readonly region: string;
  readonly principals: readonly IamPrincipal[];
  /** Epoch milliseconds. */
  readonly now: () => number;
}

/** An `authorize` hook for the AWS JSON server: refuses an admin call that is not signed by a known principal. */
export function iamAuthorizer(options: IamAuthorizerOptions): (request: AwsJsonRequest) => AwsErrorResponse | undefined {
  const isIamOperation = (name: string): boolean => (IAM_OPERATIONS as ReadonlySet<string>).has(name);
  return (request) => {
    if (!isIamOperation(request.operation)) return undefined;
    const headers = lowerCaseHeaders(request.headers);
    const authorization = headers['authorization'];
    if (authorization === undefined || !authorization.startsWith('AWS4-HMAC-SHA256')) {
      return { code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    }
    const result = authenticateSigV4(authorization, headers, {
      apiKeys: [],
      region: options.region,
      iamPrincipals: options.principals,
      sigV4Services: SERVICES,
      now: options.now,
      remoteAddress: request.remoteAddress,
      request: { method: request.method, path: request.path, query: request.query, body: request.body },
    });
    if (result.ok) return undefined;
    if (result.reason.startsWith('unknown access key')) {
      return { code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    }
    return {
      code: 'InvalidSignatureException',
      message: `The request signature we calculated does not match the signature you provided (${result.reason}).`,
    };
  };
}
