/**
 * The few Cognito user-pool admin calls store onboarding and staff assignment make (CreateGroup
 * and the group membership calls), through `@aws-sdk/client-cognito-identity-provider` with the
 * function's credentials from the default provider chain.
 *
 * The endpoint is the SDK's own resolution: `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` when set
 * (the local stack points it at local/cognito, which speaks the same AWS JSON 1.1 protocol), else
 * the regional endpoint. Failed calls are retried by the SDK's standard retry strategy; what still
 * fails fails the mutation, which the operator retries (every step is idempotent).
 */
import {
  AdminAddUserToGroupCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  CreateGroupCommand,
  type CognitoIdentityProviderClientConfig,
} from '@aws-sdk/client-cognito-identity-provider';

/** An error Cognito answered, named by its code (`GroupExistsException`, `UserNotFoundException`, …). */
export class UserPoolError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
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
  /** @default AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, else `https://cognito-idp.<region>.amazonaws.com` (the SDK's resolution) */
  readonly endpoint?: string;
  /** @default the SDK's default provider chain */
  readonly credentials?: CognitoIdentityProviderClientConfig['credentials'];
}

/** Runs one call; an error Cognito answered becomes a UserPoolError with its code, anything else (network, credentials) passes. */
async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof CognitoIdentityProviderServiceException)) throw error;
    const detail = error.message === '' || error.message === error.name ? '' : ` (${error.message})`;
    throw new UserPoolError(error.name, `${operation}: ${error.name}${detail}`, { cause: error });
  }
}

export function userPoolAdmin(options: UserPoolClientOptions): UserPoolAdmin {
  const client = new CognitoIdentityProviderClient({
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  const { userPoolId: UserPoolId } = options;

  return {
    async ensureGroup(GroupName, Description) {
      try {
        await call('CreateGroup', () => client.send(new CreateGroupCommand({ UserPoolId, GroupName, Description })));
      } catch (error) {
        if (!(error instanceof UserPoolError && error.code === 'GroupExistsException')) throw error;
      }
    },
    async groupsOf(Username) {
      const groups: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await call('AdminListGroupsForUser', () =>
          client.send(new AdminListGroupsForUserCommand({ UserPoolId, Username, Limit: 60, NextToken })),
        );
        for (const group of page.Groups ?? []) if (group.GroupName !== undefined) groups.push(group.GroupName);
        NextToken = page.NextToken === '' ? undefined : page.NextToken;
      } while (NextToken !== undefined);
      return groups;
    },
    async addToGroup(Username, GroupName) {
      await call('AdminAddUserToGroup', () => client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username, GroupName })));
    },
    async removeFromGroup(Username, GroupName) {
      await call('AdminRemoveUserFromGroup', () => client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId, Username, GroupName })));
    },
  };
}
