/**
 * AppSync authentication (who is calling) and field-level authorization (may this caller read this
 * field). Transport-free: both HTTP and the realtime endpoint hand in a lower-cased header record
 * and, for SigV4, the request the signature must cover.
 *
 * Modes: an API has a default mode and additional ones (`AuthModes`, the manifest's `auth`); a
 * request in a mode the API does not have is refused. A SigV4 signature is always verified as AWS
 * verifies it (canonical request, signing key, constant-time compare, 5-minute clock skew) against
 * the secret of one of the API's `iamPrincipals`; an unknown access key or a made-up signature is
 * refused. Field authorization follows AppSync: a field's auth directives, else its type's, else
 * the default mode only; IAM callers also need a grant on root fields (`iamGrants`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { getDirectiveValues, GraphQLObjectType, type GraphQLDirective, type GraphQLSchema } from 'graphql';
import type { AuthType, Identity } from '../types.js';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS } from '../../util/aws.js';
import { LruMap } from './lru.js';
import type { UserPoolVerifier } from './user-pool-auth.js';

/** The default mode of an API configured without `AuthModes` (small test servers and manifests). */
export const DEFAULT_AUTH_TYPE: AuthType = 'API_KEY';

/** Which modes an API serves: the default (fields without auth directives) and the additional ones. */
export interface AuthModes {
  readonly defaultMode: AuthType;
  readonly additionalModes: readonly AuthType[];
}

/** Every mode of `modes`, the default first. */
export function enabledModes(modes: AuthModes): ReadonlySet<AuthType> {
  return new Set([modes.defaultMode, ...modes.additionalModes]);
}

/** Stand-in AWS account id for IAM identities (12 digits, as AWS formats them). */
export { LOCAL_ACCOUNT_ID };

/** An IAM caller the API knows: the secret verifies its signatures, the ARN is `identity.userArn`. */
export interface IamPrincipal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** e.g. `arn:aws:iam::000000000000:user/local`; its account becomes `identity.accountId`. */
  readonly arn: string;
}

/** The credentials every local handler runs with (local/stack.ts sets them in the environment). */
export const LOCAL_IAM_PRINCIPAL: IamPrincipal = {
  ...LOCAL_CREDENTIALS,
  arn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local`,
};

/** How far `x-amz-date` may be from the server clock, either way (AWS: "within 5 minutes"). */
export const MAX_SIGV4_CLOCK_SKEW_MS = 5 * 60_000;

export interface AuthContext {
  readonly authType: AuthType;
  readonly identity: Identity;
}

export type AuthResult = { readonly ok: true; readonly auth: AuthContext } | { readonly ok: false; readonly reason: string };

/** The part of a request a SigV4 signature covers besides its headers. */
export interface SignedRequest {
  readonly method: string;
  /** Path as sent, still percent-encoded, without the query. */
  readonly path: string;
  /** Raw query string without `?` ('' for none). */
  readonly query: string;
  /** The body exactly as received (UTF-8). */
  readonly body: string;
}

/** What a server is configured with; the same for every request. */
export interface AuthConfig {
  readonly apiKeys: readonly string[];
  readonly region: string;
  /** The IAM callers whose signatures verify; any other access key is refused ([] = none). */
  readonly iamPrincipals: readonly IamPrincipal[];
  /** The modes the API serves; a request in another mode is refused. @default every mode */
  readonly modes?: ReadonlySet<AuthType> | undefined;
  /** Verifies `Authorization: <jwt>`; without one such a header is refused as before. */
  readonly userPool?: UserPoolVerifier | undefined;
  /** Clock for `x-amz-date` and token expiry, in ms since the epoch. @default Date.now */
  readonly now?: (() => number) | undefined;
}

export interface AuthenticateOptions extends AuthConfig {
  /** TCP peer address, appended to X-Forwarded-For for `identity.sourceIp`. */
  readonly remoteAddress?: string | undefined;
  /** What a SigV4 signature must cover; without it a SigV4 request is refused. */
  readonly request?: SignedRequest | undefined;
  /** Services a SigV4 credential scope may name. @default AppSync's: `appsync`, `execute-api` */
  readonly sigV4Services?: ReadonlySet<string> | undefined;
}

/**
 * What Amplify signs for a realtime connection header: a POST of `{}` to the GraphQL endpoint's
 * `/connect` (AppSync's realtime docs, IAM section).
 */
export function realtimeConnectRequest(graphqlPath = '/graphql'): SignedRequest {
  return { method: 'POST', path: `${graphqlPath}/connect`, query: '', body: '{}' };
}

/** What Amplify signs for a `start`'s `extensions.authorization`: a POST of the start's `data` to the GraphQL endpoint. */
export function realtimeStartRequest(data: string, graphqlPath = '/graphql'): SignedRequest {
  return { method: 'POST', path: graphqlPath, query: '', body: data };
}

/** Services a local SigV4 header may name: AppSync's own, and `execute-api`, which Amplify signs for on a customEndpoint. */
const SIGV4_SERVICES = new Set(['appsync', 'execute-api']);
const SIGV4 =
  /^AWS4-HMAC-SHA256\s+Credential=([A-Za-z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

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

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: encodeURIComponent plus `!'()*`. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Normalised path, each segment encoded once more (every service but S3 double-encodes). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalised).replace(/%2F/g, '/');
}

function canonicalQuery(query: string): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(query)) {
    if (key.toLowerCase() === 'x-amz-signature') continue;
    const k = escapeUri(key);
    const values = byKey.get(k) ?? [];
    values.push(`${k}=${escapeUri(value)}`);
    byKey.set(k, values);
  }
  return [...byKey.keys()]
    .sort()
    .map((k) => (byKey.get(k) ?? []).sort().join('&'))
    .join('&');
}

/** Derived signing keys kept, by secret, date, region and service (a few per principal a day). @default 64 */
export const SIGNING_KEY_CACHE_ENTRIES = 64;
const signingKeys = new LruMap<string, Buffer>(SIGNING_KEY_CACHE_ENTRIES);

/**
 * SigV4's signing key, HMAC-derived from the secret for one date/region/service and the same for
 * every request in that scope, so kept (as AWS's own SDK signers keep it). Only the key is kept:
 * every request's signature is still computed and compared.
 */
export function signingKeyOf(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const id = JSON.stringify([secretAccessKey, date, region, service]);
  let key = signingKeys.get(id);
  if (key === undefined) {
    key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
    signingKeys.set(id, key);
  }
  return key;
}

/** Verifies a parsed SigV4 header; returns the reason for refusal, or null when it holds. */
function verifySignature(
  headers: Readonly<Record<string, string>>,
  sig: {
    readonly credentialDate: string;
    readonly region: string;
    readonly service: string;
    readonly signedHeaders: string;
    readonly signature: string;
  },
  amzDate: string,
  principal: IamPrincipal,
  request: SignedRequest,
): string | null {
  const names = sig.signedHeaders.split(';');
  if (!names.includes('host')) return 'host is not a signed header';
  const canonicalHeaders: string[] = [];
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) return `signed header ${name} is missing`;
    canonicalHeaders.push(`${name}:${value.trim().replace(/\s+/g, ' ')}`);
  }
  const payloadHash = sha256Hex(request.body);
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== payloadHash) return 'x-amz-content-sha256 does not match the body';
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.path),
    canonicalQuery(request.query),
    ...canonicalHeaders,
    '',
    sig.signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${sig.credentialDate}/${sig.region}/${sig.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = signingKeyOf(principal.secretAccessKey, sig.credentialDate, sig.region, sig.service);
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(sig.signature, 'hex')) ? null : 'SigV4 signature does not match';
}

function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : LOCAL_ACCOUNT_ID;
}

/**
 * Verifies a SigV4 `Authorization` header (well-formed, this region, a service of
 * `sigV4Services`, `x-amz-date` within the skew, a known principal, the signature over
 * `request`). Exported for the other local endpoints that check signatures (local/cognito).
 */
export function authenticateSigV4(
  authorization: string,
  headers: Readonly<Record<string, string>>,
  options: AuthenticateOptions,
): AuthResult {
  const m = SIGV4.exec(authorization.trim());
  if (!m) return { ok: false, reason: 'malformed SigV4 Authorization header' };
  const [, accessKeyId = '', credentialDate = '', region = '', service = '', signedHeaders = '', signature = ''] = m;
  if (region !== options.region) return { ok: false, reason: `SigV4 credential scope names region ${region}, not ${options.region}` };
  if (!(options.sigV4Services ?? SIGV4_SERVICES).has(service))
    return { ok: false, reason: `SigV4 credential scope names service ${service}` };
  const amzDate = headers['x-amz-date'];
  const date = amzDate === undefined ? null : AMZ_DATE.exec(amzDate);
  if (amzDate === undefined || !date) return { ok: false, reason: 'SigV4 request without a valid x-amz-date' };
  if (!amzDate.startsWith(credentialDate)) return { ok: false, reason: 'x-amz-date does not match the credential date' };
  if (!signedHeaders.split(';').includes('x-amz-date')) return { ok: false, reason: 'x-amz-date is not a signed header' };

  const [, y, mo, d, h, mi, s] = date.map(Number);
  const signedAt = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0);
  const now = (options.now ?? Date.now)();
  if (Math.abs(now - signedAt) > MAX_SIGV4_CLOCK_SKEW_MS)
    return { ok: false, reason: `x-amz-date ${amzDate} is more than 5 minutes from now` };
  const principal = options.iamPrincipals.find((p) => p.accessKeyId === accessKeyId);
  if (!principal) return { ok: false, reason: `unknown access key ${accessKeyId}` };
  if (!options.request) return { ok: false, reason: 'no request to verify the SigV4 signature against' };
  const refused = verifySignature(
    headers,
    { credentialDate, region, service, signedHeaders, signature },
    amzDate,
    principal,
    options.request,
  );
  if (refused !== null) return { ok: false, reason: refused };
  const userArn = principal.arn;
  return {
    ok: true,
    auth: {
      authType: 'AWS_IAM',
      identity: {
        accountId: accountOf(userArn),
        userArn,
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

/**
 * Decides the caller's mode from lower-cased headers: a SigV4 `authorization` header means
 * AWS_IAM (well-formed, for this region, with `x-amz-date`, signed by a known principal); with a
 * user pool configured and enabled, any other `authorization` is a user-pool token; otherwise
 * `x-api-key` must be one of the API's keys. A mode the API does not serve is refused.
 */
export async function authenticate(headers: Readonly<Record<string, string>>, options: AuthenticateOptions): Promise<AuthResult> {
  const enabled = (mode: AuthType): boolean => options.modes?.has(mode) ?? true;
  const authorization = headers['authorization'];
  if (authorization !== undefined && authorization.startsWith('AWS4-HMAC-SHA256')) {
    if (!enabled('AWS_IAM')) return { ok: false, reason: 'AWS_IAM is not an auth mode of this API' };
    return authenticateSigV4(authorization, headers, options);
  }
  if (authorization !== undefined && options.userPool !== undefined && enabled('AMAZON_COGNITO_USER_POOLS')) {
    const result = await options.userPool.verify(authorization, {
      now: (options.now ?? Date.now)(),
      sourceIp: sourceIps(headers, options.remoteAddress),
    });
    return result.ok ? { ok: true, auth: { authType: 'AMAZON_COGNITO_USER_POOLS', identity: result.identity } } : result;
  }
  const apiKey = headers['x-api-key'];
  if (apiKey !== undefined) {
    if (!enabled('API_KEY')) return { ok: false, reason: 'API_KEY is not an auth mode of this API' };
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
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: null,
  aws_oidc: null,
  aws_lambda: null,
};

export interface FieldAuthorizationOptions {
  /** The mode of fields (and types) without auth directives. @default DEFAULT_AUTH_TYPE */
  readonly defaultMode?: AuthType;
  /**
   * Which IAM principals (ARNs) may call each root field, keyed `"Mutation.publishOrderUpdate"`:
   * the local stand-in for the IAM policies that grant `appsync:GraphQL` on
   * `…/types/Mutation/fields/publishOrderUpdate`. Given, an IAM caller may use a Query, Mutation
   * or Subscription field only when granted it (as on AWS, where no policy means no access);
   * fields of other types follow their directives alone. Omitted, every IAM caller may.
   */
  readonly iamGrants?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Which modes may read each `Type.field`, precomputed. AppSync's rule: a field's own auth
 * directives win; else its type's; with neither, only the default mode may read it.
 */
export class FieldAuthorization {
  private readonly allowed = new Map<string, ReadonlySet<AuthType>>();
  /** `@aws_cognito_user_pools(cognito_groups: [...])`: user-pool callers must be in one of these. */
  private readonly userPoolGroups = new Map<string, readonly string[]>();
  private readonly rootTypes: ReadonlySet<string>;
  private readonly iamGrants: Readonly<Record<string, readonly string[]>> | undefined;

  constructor(schema: GraphQLSchema, options: FieldAuthorizationOptions = {}) {
    this.iamGrants = options.iamGrants;
    const defaultModes: ReadonlySet<AuthType> = new Set([options.defaultMode ?? DEFAULT_AUTH_TYPE]);
    this.rootTypes = new Set(
      [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) => (t ? [t.name] : [])),
    );
    const directives = Object.keys(AUTH_DIRECTIVES)
      .map((name) => schema.getDirective(name))
      .filter((d): d is GraphQLDirective => d !== undefined);
    type Modes = { declared: boolean; modes: Set<AuthType>; groups: string[] | null };
    const modesOf = (node: Parameters<typeof getDirectiveValues>[1] | undefined): Modes => {
      const modes = new Set<AuthType>();
      let declared = false;
      let groups: string[] | null = null;
      if (node === undefined) return { declared, modes, groups };
      for (const d of directives) {
        const values = getDirectiveValues(d, node);
        if (values !== undefined) {
          declared = true;
          const mode = AUTH_DIRECTIVES[d.name];
          if (mode) modes.add(mode);
          const listed: unknown = values['cognito_groups'];
          if (mode === 'AMAZON_COGNITO_USER_POOLS' && Array.isArray(listed))
            groups = listed.filter((g): g is string => typeof g === 'string');
        }
      }
      return { declared, modes, groups };
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
      const typeModes: Modes = type.astNode ? modesOf(type.astNode) : { declared: false, modes: new Set<AuthType>(), groups: null };
      for (const ext of type.extensionASTNodes) {
        const e = modesOf(ext);
        if (e.declared) {
          typeModes.declared = true;
          for (const m of e.modes) typeModes.modes.add(m);
          typeModes.groups ??= e.groups;
        }
      }
      for (const field of Object.values(type.getFields())) {
        const own = modesOf(field.astNode ?? undefined);
        const ruling = own.declared ? own : typeModes.declared ? typeModes : null;
        this.allowed.set(`${type.name}.${field.name}`, ruling ? ruling.modes : defaultModes);
        if (ruling?.groups) this.userPoolGroups.set(`${type.name}.${field.name}`, ruling.groups);
      }
    }
  }

  /** Whether `authType` may read `typeName.fieldName`. Introspection fields are open to every mode. */
  allows(typeName: string, fieldName: string, authType: AuthType): boolean {
    if (fieldName.startsWith('__') || typeName.startsWith('__')) return true;
    return this.allowed.get(`${typeName}.${fieldName}`)?.has(authType) ?? false;
  }

  /**
   * What of `auth` `allowsCaller` looks at, as a string: two callers with the same key get the same
   * answer for every field (mode; user-pool groups; IAM ARN). Lets a published event be shaped once
   * per kind of caller rather than once per subscriber.
   */
  callerKey(auth: AuthContext): string {
    const identity = auth.identity;
    if (auth.authType === 'AMAZON_COGNITO_USER_POOLS') {
      const groups = identity !== null && 'groups' in identity ? (identity.groups ?? []) : [];
      return `${auth.authType}:${JSON.stringify([...groups].sort())}`;
    }
    if (auth.authType === 'AWS_IAM') return `${auth.authType}:${identity !== null && 'userArn' in identity ? identity.userArn : ''}`;
    return auth.authType;
  }

  /**
   * Whether this caller may read `typeName.fieldName`: its mode; for IAM on a root field, its
   * grant; for a user-pool caller, membership of one of the field's `cognito_groups`, if any.
   */
  allowsCaller(typeName: string, fieldName: string, auth: AuthContext): boolean {
    if (!this.allows(typeName, fieldName, auth.authType)) return false;
    if (auth.authType === 'AMAZON_COGNITO_USER_POOLS') {
      const required = this.userPoolGroups.get(`${typeName}.${fieldName}`);
      if (required === undefined) return true;
      const groups = auth.identity !== null && 'groups' in auth.identity ? (auth.identity.groups ?? []) : [];
      return groups.some((g) => required.includes(g));
    }
    if (auth.authType !== 'AWS_IAM' || this.iamGrants === undefined || !this.rootTypes.has(typeName)) return true;
    const arn = auth.identity !== null && 'userArn' in auth.identity ? auth.identity.userArn : null;
    return arn !== null && (this.iamGrants[`${typeName}.${fieldName}`]?.includes(arn) ?? false);
  }
}
