/**
 * How the local AppSync server authenticates and authorizes, from the manifest's plan: the API's
 * auth modes, the IAM principals whose signatures verify, and which of them each IAM root field
 * grants. Every local handler runs with the same credentials (LOCAL_IAM_PRINCIPAL), so that one
 * principal holds every grant the plan gives any function; a principal added for tests is known
 * (its signatures verify) but granted nothing.
 */
import { graphqlIamGrants, type ManifestPlan } from '../infra/manifest-plan.js';
import { LOCAL_IAM_PRINCIPAL, type AuthModes, type IamPrincipal } from './appsync/server/index.js';

export interface LocalApiAuth {
  readonly authModes: AuthModes;
  readonly iamPrincipals: readonly IamPrincipal[];
  /** `"Mutation.publishOrderUpdate"` → the ARNs allowed to call it with IAM. */
  readonly iamGrants: Readonly<Record<string, readonly string[]>>;
}

export function localApiAuth(
  plan: Pick<ManifestPlan, 'auth' | 'functions'>,
  extraIamPrincipals: readonly IamPrincipal[] = [],
): LocalApiAuth {
  const iamGrants: Record<string, readonly string[]> = {};
  for (const field of Object.keys(graphqlIamGrants(plan))) iamGrants[field] = [LOCAL_IAM_PRINCIPAL.arn];
  return {
    authModes: plan.auth,
    iamPrincipals: [LOCAL_IAM_PRINCIPAL, ...extraIamPrincipals],
    iamGrants,
  };
}
