/**
 * The few Cognito user-pool admin calls store onboarding makes (CreateGroup and the group
 * membership calls), over the service's own wire protocol: AWS JSON 1.1, SigV4-signed for
 * `cognito-idp` with the function's credentials from the default provider chain.
 *
 * Why not `@aws-sdk/client-cognito-identity-provider`: it is not a dependency of this project, and
 * these four calls need nothing it would add (the other SDK clients' retries aside: a failed call
 * fails the mutation, which the operator retries; every step is idempotent).
 *
 * The endpoint comes from the SDK's own variable, `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`
 * (the local stack points it at local/cognito), else the regional endpoint.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** An error Cognito answered, named by its `__type` (`GroupExistsException`, `UserNotFoundException`, …). */
export class UserPoolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** What onboarding and staff assignment need of the user pool; a fake in unit tests. */
export interface UserPoolAdmin {
  /** Creates the group; an existing group is left as it is (idempotent). */
  ensureGroup(groupName: string, description: string): Promise<void>;
  /** Every group the user is in. Throws UserPoolError `UserNotFoundException` for an unknown user. */
  groupsOf(username: string): Promise<string[]>;
  addToGroup(username: string, groupName: string): Promise<void>;
  removeFromGroup(username: string, groupName: string): Promise<void>;
}

export interface UserPoolClientOptions {
  readonly userPoolId: string;
  readonly region: string;
  /** @default AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, else `https://cognito-idp.<region>.amazonaws.com` */
  readonly endpoint?: string;
  readonly credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  readonly fetchImpl?: typeof fetch;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

export function userPoolAdmin(options: UserPoolClientOptions): UserPoolAdmin {
  const endpoint = new URL(
    options.endpoint ?? process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER ?? `https://cognito-idp.${options.region}.amazonaws.com`,
  );
  const signer = new SignatureV4({
    service: 'cognito-idp',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const { userPoolId } = options;

  const call = async (operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const body = JSON.stringify(input);
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port === '' ? undefined : Number(endpoint.port),
      path: endpoint.pathname,
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${TARGET_PREFIX}${operation}`,
      },
      body,
    });
    const response = await fetchImpl(endpoint, { method: 'POST', headers: signed.headers, body });
    const text = await response.text();
    const parsed: unknown = text === '' ? {} : JSON.parse(text);
    const out = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    if (!response.ok) {
      // `__type` may carry a namespace prefix (`com.amazonaws…#GroupExistsException`).
      const type = typeof out.__type === 'string' ? out.__type : (response.headers.get('x-amzn-errortype') ?? 'UnknownError');
      const code = type.split('#').pop()?.split(':')[0] ?? type;
      const message = typeof out.message === 'string' ? out.message : typeof out.Message === 'string' ? out.Message : '';
      throw new UserPoolError(code, `${operation}: ${code}${message === '' ? '' : ` (${message})`}`);
    }
    return out;
  };

  return {
    async ensureGroup(groupName, description) {
      try {
        await call('CreateGroup', { UserPoolId: userPoolId, GroupName: groupName, Description: description });
      } catch (error) {
        if (!(error instanceof UserPoolError && error.code === 'GroupExistsException')) throw error;
      }
    },
    async groupsOf(username) {
      const groups: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await call('AdminListGroupsForUser', {
          UserPoolId: userPoolId,
          Username: username,
          Limit: 60,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        });
        for (const group of Array.isArray(page.Groups) ? (page.Groups as unknown[]) : []) {
          if (typeof group === 'object' && group !== null && 'GroupName' in group && typeof group.GroupName === 'string')
            groups.push(group.GroupName);
        }
        nextToken = typeof page.NextToken === 'string' && page.NextToken !== '' ? page.NextToken : undefined;
      } while (nextToken !== undefined);
      return groups;
    },
    async addToGroup(username, groupName) {
      await call('AdminAddUserToGroup', { UserPoolId: userPoolId, Username: username, GroupName: groupName });
    },
    async removeFromGroup(username, groupName) {
      await call('AdminRemoveUserFromGroup', { UserPoolId: userPoolId, Username: username, GroupName: groupName });
    },
  };
}
