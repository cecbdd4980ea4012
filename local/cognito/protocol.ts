/**
 * The wire contract of the Cognito Identity Provider API as this emulator speaks it (AWS JSON
 * 1.1: `POST /`, `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`, JSON in and
 * out, errors as HTTP 400 `{"__type": "<Code>", "message": "…"}`), as data: the operation
 * names, the error codes, the error class, and small validators for request members.
 */

export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/** Operations served (anything else answers `UnknownOperationException`). */
export const Operation = {
  // Public (app client) operations: what Amplify v6 Auth calls in its default flows.
  SignUp: 'SignUp',
  ConfirmSignUp: 'ConfirmSignUp',
  ResendConfirmationCode: 'ResendConfirmationCode',
  InitiateAuth: 'InitiateAuth',
  RespondToAuthChallenge: 'RespondToAuthChallenge',
  GetTokensFromRefreshToken: 'GetTokensFromRefreshToken',
  GetUser: 'GetUser',
  GlobalSignOut: 'GlobalSignOut',
  RevokeToken: 'RevokeToken',
  // Admin (operator) operations; on AWS they need IAM credentials, locally anyone may call them.
  AdminCreateUser: 'AdminCreateUser',
  AdminSetUserPassword: 'AdminSetUserPassword',
  AdminAddUserToGroup: 'AdminAddUserToGroup',
  AdminConfirmSignUp: 'AdminConfirmSignUp',
  AdminGetUser: 'AdminGetUser',
  // Group administration (store onboarding and staff assignment, functions/manage-stores.ts).
  CreateGroup: 'CreateGroup',
  AdminRemoveUserFromGroup: 'AdminRemoveUserFromGroup',
  AdminListGroupsForUser: 'AdminListGroupsForUser',
} as const;
export type OperationName = (typeof Operation)[keyof typeof Operation];

/** Error codes (`__type`), named as Cognito and the SDK name them. */
export const ErrorCode = {
  NotAuthorized: 'NotAuthorizedException',
  UserNotFound: 'UserNotFoundException',
  UserNotConfirmed: 'UserNotConfirmedException',
  UsernameExists: 'UsernameExistsException',
  GroupExists: 'GroupExistsException',
  InvalidPassword: 'InvalidPasswordException',
  InvalidParameter: 'InvalidParameterException',
  CodeMismatch: 'CodeMismatchException',
  ExpiredCode: 'ExpiredCodeException',
  ResourceNotFound: 'ResourceNotFoundException',
  UnknownOperation: 'UnknownOperationException',
  Serialization: 'SerializationException',
  InternalError: 'InternalErrorException',
  /** A Lambda trigger failed (its message follows `<Trigger> failed with error `). */
  UserLambdaValidation: 'UserLambdaValidationException',
} as const;
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

export class CognitoError extends Error {
  override readonly name: ErrorCodeName;
  constructor(
    readonly code: ErrorCodeName,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** The refusal for a wrong password and, so as not to reveal who has an account, an unknown user. */
export const incorrectCredentials = () => new CognitoError(ErrorCode.NotAuthorized, 'Incorrect username or password.');

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requiredString(input: Record<string, unknown>, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '') {
    throw new CognitoError(
      ErrorCode.InvalidParameter,
      `1 validation error detected: Value at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(input: Record<string, unknown>, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new CognitoError(ErrorCode.InvalidParameter, `${member} must be a string.`);
  return value;
}

/** A `Record<string, string>` member such as AuthParameters or ChallengeResponses. */
export function stringMap(input: Record<string, unknown>, member: string): Record<string, string> {
  const value = input[member] ?? {};
  if (!isRecord(value) || !Object.values(value).every((entry) => typeof entry === 'string')) {
    throw new CognitoError(ErrorCode.InvalidParameter, `${member} must be a map of strings.`);
  }
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, String(entry)]));
}

/** An `AttributeType[]` member (`[{ "Name": …, "Value": … }]`) as a map. */
export function attributeList(input: Record<string, unknown>, member: string): Record<string, string> {
  const value = input[member] ?? [];
  if (!Array.isArray(value)) throw new CognitoError(ErrorCode.InvalidParameter, `${member} must be a list of attributes.`);
  const attributes: Record<string, string> = {};
  for (const entry of value) {
    if (!isRecord(entry) || typeof entry.Name !== 'string' || (entry.Value !== undefined && typeof entry.Value !== 'string')) {
      throw new CognitoError(ErrorCode.InvalidParameter, `${member} entries must be { Name, Value } strings.`);
    }
    attributes[entry.Name] = entry.Value ?? '';
  }
  return attributes;
}

export function toAttributeList(attributes: Record<string, string>): { Name: string; Value: string }[] {
  return Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
