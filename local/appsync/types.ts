/**
 * Contracts between the local AppSync server (HTTP + realtime), the APPSYNC_JS runtime and
 * the local stack that wires them from the manifest. Shapes follow AppSync's resolver context
 * (https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html).
 */

/** An IAM (SigV4) caller, as AppSync puts it in `ctx.identity`. */
export interface IamIdentity {
  readonly accountId: string;
  readonly userArn: string;
  readonly username: string;
  readonly sourceIp: readonly string[];
  readonly cognitoIdentityPoolId: null;
  readonly cognitoIdentityId: null;
  readonly cognitoIdentityAuthType: null;
  readonly cognitoIdentityAuthProvider: null;
}

/** A Cognito user-pool caller (AMAZON_COGNITO_USER_POOLS), as AppSync puts it in `ctx.identity`. */
export interface UserPoolIdentity {
  readonly sub: string;
  readonly issuer: string;
  /** `cognito:username` of an id token, `username` of an access token. */
  readonly username: string;
  /** Every claim of the verified token. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly sourceIp: readonly string[];
  /** The user pool's default action: `ALLOW` or `DENY`. */
  readonly defaultAuthStrategy: string;
  /** `cognito:groups`, or null when the user is in none. */
  readonly groups: readonly string[] | null;
}

/** Who made the request, as AppSync puts it in `ctx.identity`. API_KEY requests have none. */
export type Identity = null | IamIdentity | UserPoolIdentity;

export type AuthType = 'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS';

/** The per-request part of a resolver's `ctx`, as the server builds it for one field. */
export interface ResolverInvocation {
  readonly arguments: Record<string, unknown>;
  readonly identity: Identity;
  readonly authType: AuthType;
  /** Parent value for nested fields; null at the top level. */
  readonly source: unknown;
  readonly request: {
    /** Lower-case header names; multi-valued headers joined as AppSync does. `cookie` is omitted. */
    readonly headers: Readonly<Record<string, string>>;
    readonly domainName: string | null;
  };
  readonly info: {
    readonly fieldName: string;
    readonly parentTypeName: string;
    readonly variables: Record<string, unknown>;
    /** e.g. `["id","pies","pies/size"]`, aliases instead of names. */
    readonly selectionSetList: readonly string[];
    readonly selectionSetGraphQL: string;
  };
}

/** One GraphQL execution error as AppSync reports it (plus `path`/`locations` added by the server). */
export interface AppSyncFieldError {
  readonly message: string;
  readonly errorType: string | null;
  readonly errorInfo: unknown;
  readonly data: unknown;
}

/** What running a field's resolver produced: the field value (null on `util.error`) and errors. */
export interface ResolverOutcome {
  readonly data: unknown;
  readonly errors: readonly AppSyncFieldError[];
}

/** Resolves one `Type.field` for the server; built by the stack from the manifest + runtime. */
export type FieldResolver = (invocation: ResolverInvocation) => Promise<ResolverOutcome>;
