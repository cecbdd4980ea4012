/**
 * AppSync authentication (who is calling) and field-level authorization (may that mode read this
 * field). Transport-free: both HTTP and the realtime endpoint hand in a lower-cased header record.
 *
 * Modes: API_KEY is the default mode; AWS_IAM is an additional mode. SigV4 signatures are NOT
 * verified (no secrets exist locally); the header must be well-formed, and the access key id
 * becomes the caller's identity.
 */
import { getDirectiveValues, GraphQLObjectType, type GraphQLDirective, type GraphQLSchema } from 'graphql';
import type { AuthType, Identity } from '../types.js';

/** The default authorization mode of every local API (as in schema.graphql's header). */
export const DEFAULT_AUTH_TYPE: AuthType = 'API_KEY';

/** Stand-in AWS account id for IAM identities (12 digits, as AWS formats them). */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface AuthContext {
  readonly authType: AuthType;
  readonly identity: Identity;
}

export type AuthResult = { readonly ok: true; readonly auth: AuthContext } | { readonly ok: false; readonly reason: string };

export interface AuthenticateOptions {
  readonly apiKeys: readonly string[];
  readonly region: string;
  /** TCP peer address, appended to X-Forwarded-For for `identity.sourceIp`. */
  readonly remoteAddress?: string | undefined;
}

/** Services a local SigV4 header may name: AppSync's own, and `execute-api`, which Amplify signs for on a customEndpoint. */
const SIGV4_SERVICES = new Set(['appsync', 'execute-api']);
const SIGV4 =
  /^AWS4-HMAC-SHA256\s+Credential=([A-Za-z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** Lower-cases header names; a header record is the one currency of this module. */
export function lowerCaseHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.filter((v) => typeof v === 'string').join(',');
    else if (typeof value === 'number' || typeof value === 'boolean') out[name.toLowerCase()] = String(value);
  }
  return out;
}

function sourceIps(headers: Readonly<Record<string, string>>, remoteAddress: string | undefined): string[] {
  const forwarded = (headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return remoteAddress ? [...forwarded, remoteAddress] : forwarded;
}

/**
 * Decides the caller's mode from lower-cased headers: a SigV4 `authorization` header means
 * AWS_IAM (and must be well-formed, for this region, with `x-amz-date`); otherwise `x-api-key`
 * must be one of the API's keys.
 */
export function authenticate(headers: Readonly<Record<string, string>>, options: AuthenticateOptions): AuthResult {
  const authorization = headers['authorization'];
  if (authorization !== undefined && authorization.startsWith('AWS4-HMAC-SHA256')) {
    const m = SIGV4.exec(authorization.trim());
    if (!m) return { ok: false, reason: 'malformed SigV4 Authorization header' };
    const [, accessKeyId = '', credentialDate = '', region, service, signedHeaders = ''] = m;
    if (region !== options.region)
      return { ok: false, reason: `SigV4 credential scope names region ${String(region)}, not ${options.region}` };
    if (!SIGV4_SERVICES.has(service ?? '')) return { ok: false, reason: `SigV4 credential scope names service ${String(service)}` };
    const amzDate = headers['x-amz-date'];
    if (amzDate === undefined || !AMZ_DATE.test(amzDate)) return { ok: false, reason: 'SigV4 request without a valid x-amz-date' };
    if (!amzDate.startsWith(credentialDate)) return { ok: false, reason: 'x-amz-date does not match the credential date' };
    if (!signedHeaders.split(';').includes('x-amz-date')) return { ok: false, reason: 'x-amz-date is not a signed header' };
    return {
      ok: true,
      auth: {
        authType: 'AWS_IAM',
        identity: {
          accountId: LOCAL_ACCOUNT_ID,
          userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/${accessKeyId}`,
          username: accessKeyId,
          sourceIp: sourceIps(headers, options.remoteAddress),
          cognitoIdentityPoolId: null,
          cognitoIdentityId: null,
          cognitoIdentityAuthType: null,
          cognitoIdentityAuthProvider: null,
        },
      },
    };
  }
  const apiKey = headers['x-api-key'];
  if (apiKey !== undefined) {
    return options.apiKeys.includes(apiKey)
      ? { ok: true, auth: { authType: 'API_KEY', identity: null } }
      : { ok: false, reason: 'unknown API key' };
  }
  return { ok: false, reason: authorization !== undefined ? 'unsupported Authorization header' : 'no credentials' };
}

/** Auth directives and the mode each grants; modes we cannot serve locally grant nothing. */
const AUTH_DIRECTIVES: Readonly<Record<string, AuthType | null>> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_cognito_user_pools: null,
  aws_auth: null,
  aws_oidc: null,
  aws_lambda: null,
};

/**
 * Which modes may read each `Type.field`, precomputed. AppSync's rule: a field's own auth
 * directives win; else its type's; with neither, only the default mode may read it.
 */
export class FieldAuthorization {
  private readonly allowed = new Map<string, ReadonlySet<AuthType>>();

  constructor(schema: GraphQLSchema) {
    const directives = Object.keys(AUTH_DIRECTIVES)
      .map((name) => schema.getDirective(name))
      .filter((d): d is GraphQLDirective => d !== undefined);
    const modesOf = (node: Parameters<typeof getDirectiveValues>[1] | undefined): { declared: boolean; modes: Set<AuthType> } => {
      const modes = new Set<AuthType>();
      let declared = false;
      if (node === undefined) return { declared, modes };
      for (const d of directives) {
        if (getDirectiveValues(d, node) !== undefined) {
          declared = true;
          const mode = AUTH_DIRECTIVES[d.name];
          if (mode) modes.add(mode);
        }
      }
      return { declared, modes };
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
      const typeModes = type.astNode ? modesOf(type.astNode) : { declared: false, modes: new Set<AuthType>() };
      for (const ext of type.extensionASTNodes) {
        const e = modesOf(ext);
        if (e.declared) {
          typeModes.declared = true;
          for (const m of e.modes) typeModes.modes.add(m);
        }
      }
      for (const field of Object.values(type.getFields())) {
        const own = modesOf(field.astNode ?? undefined);
        const modes = own.declared ? own.modes : typeModes.declared ? typeModes.modes : new Set([DEFAULT_AUTH_TYPE]);
        this.allowed.set(`${type.name}.${field.name}`, modes);
      }
    }
  }

  /** Whether `authType` may read `typeName.fieldName`. Introspection fields are open to every mode. */
  allows(typeName: string, fieldName: string, authType: AuthType): boolean {
    if (fieldName.startsWith('__') || typeName.startsWith('__')) return true;
    return this.allowed.get(`${typeName}.${fieldName}`)?.has(authType) ?? false;
  }
}
