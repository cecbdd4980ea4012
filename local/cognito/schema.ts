/**
 * The pool's schema rules as Cognito applies them: the default password policy, which attributes
 * exist and who may write them, the username pattern, and attributes as token claims.
 */
import type { JwtPayload } from './jwt.js';
import { CognitoError, ErrorCode } from './protocol.js';

const STANDARD_ATTRIBUTES = new Set([
  'address',
  'birthdate',
  'email',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
]);
const VERIFIED_FLAGS = new Set(['email_verified', 'phone_number_verified']);
/** Cognito's default policy symbols. */
const PASSWORD_SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Cognito's default policy, with its messages. */
export function checkPassword(password: string): void {
  const fail = (detail: string) => new CognitoError(ErrorCode.InvalidPassword, `Password did not conform with policy: ${detail}`);
  if (password.length < 8) throw fail('Password not long enough');
  if (password.length > 256) throw fail('Password is too long');
  if (!/[A-Z]/.test(password)) throw fail('Password must have uppercase characters');
  if (!/[a-z]/.test(password)) throw fail('Password must have lowercase characters');
  if (!/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (!PASSWORD_SYMBOLS.test(password)) throw fail('Password must have symbol characters');
}

/** Attributes as a client (SignUp) or an operator (Admin*) may write them. */
export function checkAttributes(attributes: Record<string, string>, writer: 'client' | 'admin', customAttributes: readonly string[]): void {
  for (const name of Object.keys(attributes)) {
    const custom = name.startsWith('custom:');
    const known = custom
      ? customAttributes.includes(name.slice('custom:'.length))
      : STANDARD_ATTRIBUTES.has(name) || VERIFIED_FLAGS.has(name);
    if (!known) {
      throw new CognitoError(
        ErrorCode.InvalidParameter,
        `Attributes did not conform to the schema: Type for attribute {${name}} could not be determined`,
      );
    }
    if (writer === 'client' && (custom || VERIFIED_FLAGS.has(name))) {
      throw new CognitoError(ErrorCode.NotAuthorized, 'A client attempted to write unauthorized attribute');
    }
  }
  const email = attributes.email;
  if (email !== undefined && !EMAIL.test(email)) throw new CognitoError(ErrorCode.InvalidParameter, 'Invalid email address format.');
}

export function checkUsername(username: string): void {
  if (username.length > 128 || /\s/.test(username)) {
    throw new CognitoError(
      ErrorCode.InvalidParameter,
      "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    );
  }
}

/** Attributes as id-token claims: the verified flags become booleans, as Cognito issues them. */
export function claimsOf(attributes: Record<string, string>): JwtPayload {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, VERIFIED_FLAGS.has(name) ? value === 'true' : value]));
}
