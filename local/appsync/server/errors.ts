/**
 * AppSync's error shapes, mapped at one edge. graphql-js produces GraphQLErrors; this module
 * turns them into the JSON AppSync sends (see reference/appsync-local.md §6).
 */
import { GraphQLError, getNamedType, isObjectType, type DocumentNode, type GraphQLSchema, type ASTNode, visit } from 'graphql';
import type { AppSyncFieldError } from '../types.js';

export interface AppSyncLocation {
  readonly line: number;
  readonly column: number;
  readonly sourceName: null;
}

/** An error object as AppSync puts it in a response's `errors` array. */
export interface AppSyncErrorJson {
  readonly message: string;
  readonly path?: readonly (string | number)[] | null;
  readonly locations?: readonly AppSyncLocation[] | null;
  readonly errorType?: string | null;
  readonly errorInfo?: unknown;
  readonly data?: unknown;
  readonly errorCode?: number;
}

export interface AppSyncResponseBody {
  readonly data?: unknown;
  readonly errors?: readonly AppSyncErrorJson[];
}

export const UNAUTHORIZED_MESSAGE = 'You are not authorized to make this call.';
export const UNAUTHORIZED_EXCEPTION = 'UnauthorizedException';

/** The body AppSync sends with HTTP 401 (and, with errorCode, in a realtime connection_error). */
export function unauthorizedBody(): AppSyncResponseBody {
  return { errors: [{ errorType: UNAUTHORIZED_EXCEPTION, message: UNAUTHORIZED_MESSAGE }] };
}

/** A field failed the way a resolver reports failure (`util.error`, data-source error, auth). */
export class ResolverFieldError extends Error {
  override readonly name = 'ResolverFieldError';
  constructor(readonly fieldError: AppSyncFieldError) {
    super(fieldError.message);
  }
}

/** `Not Authorized to access <field> on type <Type>`, errorType `Unauthorized`, as AppSync words it. */
export function fieldUnauthorized(typeName: string, fieldName: string): ResolverFieldError {
  return new ResolverFieldError({
    message: `Not Authorized to access ${fieldName} on type ${typeName}`,
    errorType: 'Unauthorized',
    errorInfo: null,
    data: null,
  });
}

function locationsOf(err: GraphQLError): AppSyncLocation[] | null {
  return err.locations ? err.locations.map((l) => ({ line: l.line, column: l.column, sourceName: null })) : null;
}

const NON_NULL = /^Cannot return null for non-nullable field ([_A-Za-z][_0-9A-Za-z]*)\.([_A-Za-z][_0-9A-Za-z]*)\.$/;

/** graphql-js says "…non-nullable field T.f."; AppSync (graphql-java) says "…type: 'R' within parent 'T' (/path)". */
function nonNullMessage(err: GraphQLError, schema: GraphQLSchema): string | null {
  const m = NON_NULL.exec(err.message);
  if (!m) return null;
  const [, parentName = '', fieldName = ''] = m;
  const parent = schema.getType(parentName);
  const field = isObjectType(parent) ? parent.getFields()[fieldName] : undefined;
  const typeName = field ? getNamedType(field.type).name : fieldName;
  return `Cannot return null for non-nullable type: '${typeName}' within parent '${parentName}' (/${(err.path ?? []).join('/')})`;
}

/** Formats one execution error (resolver, auth, non-null, scalar serialization). */
export function formatExecutionError(err: GraphQLError, schema: GraphQLSchema): AppSyncErrorJson {
  const original = err.originalError;
  if (original instanceof ResolverFieldError) {
    const e = original.fieldError;
    return {
      path: err.path ?? null,
      data: e.data ?? null,
      errorType: e.errorType,
      errorInfo: e.errorInfo ?? null,
      locations: locationsOf(err),
      message: e.message,
    };
  }
  return { path: err.path ?? null, locations: locationsOf(err), message: nonNullMessage(err, schema) ?? err.message };
}

/** Response names from the operation root down to `target` (AppSync's `@ 'a/b'` suffix). */
function fieldPath(document: DocumentNode, target: ASTNode): string | null {
  const stack: string[] = [];
  let found: string | null = null;
  visit(document, {
    Field: {
      enter(node) {
        stack.push(node.alias?.value ?? node.name.value);
        if (node === target) found = stack.join('/');
      },
      leave() {
        stack.pop();
      },
    },
    Argument(node) {
      if (node === target) found = stack.join('/');
    },
  });
  return found;
}

/** Known graphql-js validation messages → graphql-java's "Validation error of type X" wording. */
const VALIDATION_REWRITES: readonly { re: RegExp; to: (m: RegExpExecArray) => string }[] = [
  {
    re: /^Cannot query field "(\w+)" on type "(\w+)"\./,
    to: (m) => `Validation error of type FieldUndefined: Field '${m[1]}' in type '${m[2]}' is undefined`,
  },
  {
    re: /^Unknown argument "(\w+)" on field "[\w.]+"\./,
    to: (m) => `Validation error of type UnknownArgument: Unknown field argument ${m[1]}`,
  },
  {
    re: /^Field "(\w+)" argument "(\w+)" of type "([^"]+)" is required, but it was not provided\./,
    to: (m) => `Validation error of type MissingFieldArgument: Missing field argument ${m[2]}`,
  },
  {
    re: /^Field "(\w+)" of type "([^"]+)" must have a selection of subfields\./,
    to: (m) => `Validation error of type SubSelectionRequired: Sub selection required for type ${m[2]} of field ${m[1]}`,
  },
  {
    re: /^Field "(\w+)" must not have a selection since type "([^"]+)" has no subfields\./,
    to: (m) => `Validation error of type SubSelectionNotAllowed: Sub selection not allowed on leaf type ${m[2]} of field ${m[1]}`,
  },
  { re: /^Unknown type "(\w+)"\./, to: (m) => `Validation error of type UnknownType: Unknown type ${m[1]}` },
  { re: /^Variable "\$(\w+)" is not defined/, to: (m) => `Validation error of type UndefinedVariable: Undefined variable ${m[1]}` },
];

/** Formats a validation error like AppSync: no errorType, `path: null`, graphql-java wording. */
export function formatValidationError(err: GraphQLError, document: DocumentNode): AppSyncErrorJson {
  let message = `Validation error: ${err.message}`;
  for (const { re, to } of VALIDATION_REWRITES) {
    const m = re.exec(err.message);
    if (m) {
      message = to(m);
      const node = err.nodes?.[0];
      const at = node ? fieldPath(document, node) : null;
      if (at) message += ` @ '${at}'`;
      break;
    }
  }
  return { path: null, locations: locationsOf(err), message };
}

/** A document that does not parse: AppSync reports it as a validation-style error (status 200). */
export function formatSyntaxError(err: GraphQLError): AppSyncErrorJson {
  return { path: null, locations: locationsOf(err), message: `Invalid Syntax : ${err.message.replace(/^Syntax Error: /, '')}` };
}

const VAR_NULL = /^Variable "\$(\w+)" of non-null type "([^"]+)" must not be null\.$/;
const VAR_MISSING = /^Variable "\$(\w+)" of required type "([^"]+)" was not provided\.$/;
const VAR_INVALID = /^Variable "\$(\w+)" got invalid value (.*)$/s;

/** Variable coercion errors in AppSync's wording (`locations: null`). */
export function formatVariableError(err: GraphQLError): AppSyncErrorJson {
  let m = VAR_NULL.exec(err.message) ?? VAR_MISSING.exec(err.message);
  if (m) return { path: null, locations: null, message: `Variable '${m[1]}' has coerced Null value for NonNull type '${m[2]}'` };
  m = VAR_INVALID.exec(err.message);
  if (m) return { path: null, locations: null, message: `Variable '${m[1]}' has an invalid value: ${m[2]}` };
  return { path: null, locations: null, message: err.message };
}

/** True for errors graphql-js raises while coercing variables (they carry no path and name a `$var`). */
export function isVariableError(err: GraphQLError): boolean {
  return err.path === undefined && /^Variable "\$/.test(err.message);
}
