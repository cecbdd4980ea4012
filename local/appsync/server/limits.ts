/**
 * Request limits checked before an operation is validated or run: AppSync's `queryDepthLimit`,
 * `resolverCountLimit` and `introspectionConfig`, GET never running a mutation, a cap on how
 * often one root field may appear (the manifest's orders-per-request), and a nesting guard that
 * keeps a hostile document away from graphql-js's recursive parser. Every walk here is iterative.
 * Transport-free: the HTTP and realtime adapters turn a refusal into their own frames.
 */
import {
  getNamedType,
  getOperationAST,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  Lexer,
  parse,
  Source,
  TokenKind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AppSyncErrorJson, AppSyncResponseBody } from './errors.js';
import { LruMap } from './lru.js';

/** The API limits of one server; absent = no limit. */
export interface ApiLimits {
  /** AppSync `queryDepthLimit` (1–75): nested field levels, the root field being level 1. */
  readonly queryDepthLimit?: number | undefined;
  /** AppSync `resolverCountLimit` (1–10000): fields with a resolver in one request. */
  readonly resolverCountLimit?: number | undefined;
  /** `"Type.field"` → how many times that root field may appear in one operation. */
  readonly rootFieldLimits?: Readonly<Record<string, number>> | undefined;
}

/**
 * Brackets (`{`, `[`, `(`) a document may nest before it is refused unparsed. Above AppSync's
 * largest `queryDepthLimit` (75) with room for argument objects; far below what overflows the
 * parser's stack (a few thousand levels).
 */
export const MAX_DOCUMENT_NESTING = 256;

/** Field selections walked (fragments expanded) before a document is refused as too large. */
export const MAX_SELECTED_FIELDS = 50_000;

export const QUERY_DEPTH_LIMIT_ERROR = 'QueryDepthLimitExceeded';
export const RESOLVER_COUNT_LIMIT_ERROR = 'ResolverCountLimitExceeded';
export const ROOT_FIELD_LIMIT_ERROR = 'RequestLimitExceeded';
export const METHOD_NOT_ALLOWED_ERROR = 'MethodNotAllowedException';

/** A request refused before it ran: the HTTP status, and the errors (the body's and a frame's). */
export interface LimitRefusal {
  readonly status: number;
  readonly body: AppSyncResponseBody;
  /** Set for typed refusals: the `x-amzn-errortype` header. */
  readonly errorType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LimitContext {
  readonly schema: GraphQLSchema;
  /** `"Type.field"` keys of the fields that have a resolver. */
  readonly resolverFields: ReadonlySet<string>;
  readonly limits: ApiLimits;
  /** AppSync `introspectionConfig`; false refuses `__schema`/`__type` like AppSync. @default true */
  readonly introspection: boolean;
}

function limitError(status: number, errorType: string, message: string): LimitRefusal {
  const error: AppSyncErrorJson = { path: null, locations: null, errorType, message };
  return { status, errorType, body: { data: null, errors: [error] } };
}

/** Deepest bracket nesting of the document's tokens (strings and comments are single tokens). */
export function documentNesting(query: string): number {
  const lexer = new Lexer(new Source(query));
  let depth = 0;
  let max = 0;
  for (;;) {
    let token;
    try {
      token = lexer.advance();
    } catch {
      return max; // a lexical error: the parser reports it
    }
    if (token.kind === TokenKind.EOF) return max;
    if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
      depth += 1;
      if (depth > max) max = depth;
      if (max > MAX_DOCUMENT_NESTING) return max;
    } else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) {
      depth -= 1;
    }
  }
}

interface Visit {
  readonly selectionSet: SelectionSetNode;
  /** Level of the fields of this selection set (root fields: 1). */
  readonly level: number;
  /** Named type the selections apply to; null once the type is unknown (validation reports it). */
  readonly typeName: string | null;
  /** Fragment names expanded on the way here (a cycle is invalid; it must not loop). */
  readonly fragments: ReadonlySet<string>;
}

interface Measured {
  readonly depth: number;
  readonly resolvers: number;
  /** Root field name → occurrences (aliases and fragments included). */
  readonly rootFields: ReadonlyMap<string, number>;
  /** The first `__schema`/`__type` selection: its response path and the field it selects. */
  readonly introspection: { readonly path: string; readonly typeName: string; readonly field: string } | null;
  /** More than MAX_SELECTED_FIELDS selections once fragments are expanded (the walk stopped). */
  readonly tooLarge: boolean;
}

/**
 * One iterative walk over the operation, fragments expanded: deepest field level, fields with a
 * resolver (each selection once: AWS counts executions, so list fields can run more on AWS),
 * root field occurrences, and whether `__schema`/`__type` are selected. Stops once `stopDepth`
 * is passed, so a cyclic fragment cannot run away.
 */
function measure(
  ctx: LimitContext,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  stopDepth: number,
): Measured {
  const rootType = ctx.schema.getRootType(operation.operation);
  const stack: Visit[] = [{ selectionSet: operation.selectionSet, level: 1, typeName: rootType?.name ?? null, fragments: new Set() }];
  let depth = 0;
  let resolvers = 0;
  let introspection: Measured['introspection'] = null;
  const rootFields = new Map<string, number>();
  let fields = 0;
  while (stack.length > 0) {
    const visit = stack.pop();
    if (!visit) break;
    for (const selection of visit.selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        fields += 1;
        // Fragments spread twice per level double the work each level: stop instead.
        if (fields > MAX_SELECTED_FIELDS) return { depth, resolvers, rootFields, introspection, tooLarge: true };
        const name = selection.name.value;
        depth = Math.max(depth, visit.level);
        if (visit.level === 1) rootFields.set(name, (rootFields.get(name) ?? 0) + 1);
        if ((name === '__schema' || name === '__type') && introspection === null) {
          const first = selection.selectionSet?.selections.find((s) => s.kind === Kind.FIELD);
          const field = first?.kind === Kind.FIELD ? first.name.value : name;
          const responseName = selection.alias?.value ?? name;
          const path = first?.kind === Kind.FIELD ? `${responseName}/${first.alias?.value ?? field}` : responseName;
          introspection = { path, typeName: name === '__schema' ? '__Schema' : '__Type', field };
        }
        let childType: string | null = null;
        if (visit.typeName !== null) {
          if (ctx.resolverFields.has(`${visit.typeName}.${name}`)) resolvers += 1;
          const parent = ctx.schema.getType(visit.typeName);
          const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
          childType = field ? getNamedType(field.type).name : null;
        }
        if (selection.selectionSet && visit.level < stopDepth) {
          stack.push({ selectionSet: selection.selectionSet, level: visit.level + 1, typeName: childType, fragments: visit.fragments });
        } else if (selection.selectionSet) {
          depth = Math.max(depth, visit.level + 1);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        stack.push({ ...visit, selectionSet: selection.selectionSet, typeName: selection.typeCondition?.name.value ?? visit.typeName });
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visit.fragments.has(name)) continue;
        stack.push({
          selectionSet: fragment.selectionSet,
          level: visit.level,
          typeName: fragment.typeCondition.name.value,
          fragments: new Set([...visit.fragments, name]),
        });
      }
    }
  }
  return { depth, resolvers, rootFields, introspection, tooLarge: false };
}

export interface RequestToCheck {
  readonly query: string;
  readonly operationName?: string | null | undefined;
  /** The HTTP method; absent for realtime. */
  readonly method?: string | undefined;
}

/** Verdicts kept per LimitContext (one per server), by query text. @default 500 */
export const LIMIT_VERDICT_CACHE_ENTRIES = 500;
/** Longer query texts are checked every time rather than kept. @default 64 KiB of text */
export const MAX_CACHED_LIMIT_QUERY_LENGTH = 64 * 1024;

/** query text → `${GET?}:${operationName}` → verdict. */
type Verdicts = LruMap<string, Map<string, LimitRefusal | null>>;
const verdictCaches = new WeakMap<LimitContext, Verdicts>();

/**
 * Checks one request against the limits; null = let the engine parse, validate and run it.
 * Documents that do not parse or name no operation are left to the engine's own errors.
 *
 * The verdict depends on the query text, the operation name, whether the method is GET and the
 * context only (never on variables or the caller), so it is kept per context, by those: clients
 * send the same few documents over and over, and lexing and parsing one costs as much as running it.
 */
export function checkRequestLimits(request: RequestToCheck, ctx: LimitContext): LimitRefusal | null {
  if (request.query.length > MAX_CACHED_LIMIT_QUERY_LENGTH) return checkUncached(request, ctx);
  let verdicts = verdictCaches.get(ctx);
  if (verdicts === undefined) {
    verdicts = new LruMap(LIMIT_VERDICT_CACHE_ENTRIES);
    verdictCaches.set(ctx, verdicts);
  }
  const byOperation = verdicts.get(request.query) ?? new Map<string, LimitRefusal | null>();
  const key = `${request.method === 'GET' ? 'GET' : ''}:${request.operationName ?? ''}`;
  let verdict = byOperation.get(key);
  if (verdict === undefined) {
    verdict = checkUncached(request, ctx);
    // Few operation names per text in practice; a client cycling through made-up ones only resets its own entry.
    if (byOperation.size >= 16) byOperation.clear();
    byOperation.set(key, verdict);
  }
  verdicts.set(request.query, byOperation);
  return verdict;
}

function checkUncached(request: RequestToCheck, ctx: LimitContext): LimitRefusal | null {
  const nesting = documentNesting(request.query);
  if (nesting > MAX_DOCUMENT_NESTING) {
    return limitError(
      400,
      QUERY_DEPTH_LIMIT_ERROR,
      `Validation error: the document nests deeper than ${MAX_DOCUMENT_NESTING} levels and was not parsed.`,
    );
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (err) {
    if (err instanceof GraphQLError) return null;
    throw err;
  }
  const operation = getOperationAST(document, request.operationName ?? undefined);
  if (!operation) return null;
  if (request.method === 'GET' && operation.operation !== 'query') {
    return {
      ...limitError(405, METHOD_NOT_ALLOWED_ERROR, `A ${operation.operation} cannot be sent with GET; use POST.`),
      headers: { allow: 'POST' },
    };
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const depthLimit = ctx.limits.queryDepthLimit;
  const measured = measure(ctx, operation, fragments, depthLimit ?? MAX_DOCUMENT_NESTING);
  if (measured.tooLarge) {
    return limitError(
      400,
      RESOLVER_COUNT_LIMIT_ERROR,
      `Validation error: the document selects more than ${MAX_SELECTED_FIELDS} fields once its fragments are expanded.`,
    );
  }
  if (!ctx.introspection && measured.introspection) {
    // AppSync with introspection DISABLED answers a validation error, as if the introspection
    // types had no fields (its docs show "FieldUndefined … 'types' … '__Schema'"), with HTTP 200.
    const { path, typeName, field } = measured.introspection;
    return {
      status: 200,
      body: {
        data: null,
        errors: [
          {
            path: null,
            locations: null,
            message: `Validation error of type FieldUndefined: Field '${field}' in type '${typeName}' is undefined @ '${path}'`,
          },
        ],
      },
    };
  }
  if (depthLimit !== undefined && measured.depth > depthLimit) {
    return limitError(400, QUERY_DEPTH_LIMIT_ERROR, `Query depth limit of ${depthLimit} exceeded.`);
  }
  const rootType = ctx.schema.getRootType(operation.operation)?.name;
  for (const [key, max] of Object.entries(ctx.limits.rootFieldLimits ?? {})) {
    const [typeName, fieldName = ''] = key.split('.');
    if (typeName !== rootType) continue;
    const count = measured.rootFields.get(fieldName) ?? 0;
    if (count > max) {
      return limitError(
        400,
        ROOT_FIELD_LIMIT_ERROR,
        `One request may call ${fieldName} at most ${max} times; this one calls it ${count} times.`,
      );
    }
  }
  const resolverLimit = ctx.limits.resolverCountLimit;
  if (resolverLimit !== undefined && measured.resolvers > resolverLimit) {
    return limitError(
      400,
      RESOLVER_COUNT_LIMIT_ERROR,
      `Resolver count limit of ${resolverLimit} exceeded (${measured.resolvers} resolvers).`,
    );
  }
  return null;
}
