/**
 * The user pool's PostConfirmation trigger: a customer who signed themselves up and confirmed
 * their email joins `customers`, so every signed-in customer carries the group in
 * `cognito:groups` (domain/party.ts reads a user in no role group as a customer too; the group
 * makes the role explicit, and lets `@aws_cognito_user_pools(cognito_groups: …)` name it).
 *
 * Cognito invokes it on ConfirmSignUp and AdminConfirmSignUp (`PostConfirmation_ConfirmSignUp`)
 * and on ConfirmForgotPassword (`PostConfirmation_ConfirmForgotPassword`: nothing to do), never
 * for users an operator creates. The pool and region come from the event, so the function needs
 * no environment. AdminAddUserToGroup on a member is a no-op, so a retried invocation is harmless.
 * The event is returned as it came: Cognito expects it back, and a thrown error fails the
 * confirmation call with `UserLambdaValidationException` (the user stays confirmed).
 *
 * Locally the same handler runs as the local user pool's trigger (local/stack.ts).
 */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { ROLE_GROUPS } from '../domain/party.js';
import { userPoolAdmin } from './lib/user-pool.js';

export const ENV = [] as const;

/** The trigger source of a confirmed self sign-up. */
export const CONFIRM_SIGN_UP = 'PostConfirmation_ConfirmSignUp';

export async function handler(event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> {
  if (event.triggerSource !== CONFIRM_SIGN_UP) return event;
  // A client per confirmation, for the pool the event names: sign-ups are rare next to orders,
  // and nothing outlives the call that could point at another pool or endpoint.
  await userPoolAdmin({ userPoolId: event.userPoolId, region: event.region }).addToGroup(event.userName, ROLE_GROUPS.customer);
  return event;
}
