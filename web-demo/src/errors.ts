/**
 * Turns whatever a failed request threw into lines a person can read. Amplify v6 throws the
 * GraphQL response itself (`{ data, errors }`) when `errors` is non-empty; AppSync-shaped errors
 * carry an `errorType` (ValidationError, NotFound, InvalidTransition, …) worth showing as is.
 * Network failures arrive the same way, wrapped by Amplify in a GraphQLError without errorType.
 * Amplify Auth throws an AuthError named after Cognito's exception (NotAuthorizedException, …);
 * that name is shown as the type.
 */
export interface ApiProblem {
  readonly errorType: string | null;
  readonly message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * A response that was not GraphQL at all (a proxy's 502, a wrong URL's 404) reaches us as
 * Amplify's generic "Unknown error" with the HTTP status on the wrapped error; show the status.
 */
function httpStatusOf(value: Record<string, unknown>): number | null {
  const original = value.originalError;
  if (!isRecord(original) || !isRecord(original._response)) return null;
  const status = original._response.statusCode;
  return typeof status === 'number' ? status : null;
}

const GENERIC_NAMES: readonly string[] = ['Error', 'GraphQLError', 'TypeError'];

/** The `name` of an error class more specific than Error (an AuthError's Cognito exception). */
function namedError(value: Record<string, unknown>): string | null {
  const name = value.name;
  return typeof name === 'string' && name !== '' && !GENERIC_NAMES.includes(name) ? name : null;
}

function problemFrom(value: unknown): ApiProblem {
  if (isRecord(value)) {
    const text = typeof value.message === 'string' && value.message !== '' ? value.message : 'Unknown error';
    const errorType = typeof value.errorType === 'string' && value.errorType !== '' ? value.errorType : namedError(value);
    const status = errorType === null ? httpStatusOf(value) : null;
    return { errorType, message: status === null ? text : `${text} (HTTP ${status})` };
  }
  return { errorType: null, message: typeof value === 'string' ? value : 'Unknown error' };
}

export function describeError(thrown: unknown): ApiProblem[] {
  if (isRecord(thrown) && Array.isArray(thrown.errors) && thrown.errors.length > 0) {
    return thrown.errors.map(problemFrom);
  }
  return [problemFrom(thrown)];
}

export function formatProblem(problem: ApiProblem): string {
  return problem.errorType === null ? problem.message : `${problem.errorType}: ${problem.message}`;
}
