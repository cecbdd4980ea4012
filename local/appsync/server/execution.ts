/**
 * The transport-free GraphQL core: parse, validate, authorize per field, call FieldResolvers,
 * format AppSync-shaped errors, and publish successful mutation results to the subscription hub.
 * HTTP and the realtime endpoint are thin adapters over this module. Its parts, one job each:
 * - selection.ts: the one walk over selection sets (fields through fragments, with their types);
 * - invocation.ts: what a FieldResolver receives (`info.selectionSetList` and the rest);
 * - outcome.ts: what a resolver's outcome means for its field (value, errors, extensions);
 * - publish.ts: a mutation's result shaped into the payloads subscribers are sent.
 */
import {
  defaultFieldResolver,
  execute,
  getOperationAST,
  GraphQLError,
  isObjectType,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { AuthType, FieldResolver, ResolverOutcome } from '../types.js';
import { FieldAuthorization } from './auth.js';
import {
  fieldUnauthorized,
  formatExecutionError,
  formatVariableError,
  isVariableError,
  type AppSyncErrorJson,
  type AppSyncResponseBody,
} from './errors.js';
import { DocumentCache } from './document-cache.js';
import { buildInvocation, type RequestMeta } from './invocation.js';
import { callResolver, INTERNAL_ERROR_TYPE, outcomeExtensions, settleOutcome, type Invalidation } from './outcome.js';
import { mutationPublications } from './publish.js';
import { fragmentsOf, selectedFields } from './selection.js';
import type { SubscriptionFilter, SubscriptionHub } from './subscriptions.js';

export { INTERNAL_ERROR_TYPE } from './outcome.js';
export type { RequestMeta } from './invocation.js';

/** One GraphQL request as the client sent it (already JSON-decoded and shape-checked). */
export interface OperationRequest {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly operationName?: string | null;
}

/** A document that parsed and validated, with the operation to run. */
export interface PreparedOperation {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly operationName: string | null;
}

/** A subscription that passed validation, auth and its subscribe-time resolver. */
export interface AcceptedSubscription extends PreparedOperation {
  readonly fieldName: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly filter: SubscriptionFilter | null;
  readonly invalidationFilter: SubscriptionFilter | null;
}

/** One subscriber's event payload, serialized: `{"data":…}`, with `"errors"` when there are any. */
export interface ProjectedPayload {
  readonly json: string;
  /** UTF-8 length of `json`. */
  readonly bytes: number;
}

export type PrepareResult =
  { readonly ok: true; readonly prepared: PreparedOperation } | { readonly ok: false; readonly body: AppSyncResponseBody };
export type SubscribeResult =
  { readonly ok: true; readonly subscription: AcceptedSubscription } | { readonly ok: false; readonly errors: readonly AppSyncErrorJson[] };

type Mode = 'operation' | 'subscribe' | 'event';

/** A small number per document object (documents are cached and shared: document-cache.ts). */
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;
function documentId(document: DocumentNode): number {
  let id = documentIds.get(document);
  if (id === undefined) {
    id = nextDocumentId += 1;
    documentIds.set(document, id);
  }
  return id;
}

interface ExecContext {
  readonly mode: Mode;
  readonly meta: RequestMeta;
  /** Errors a resolver reported next to a value (`util.appendError`), with their field's path. */
  readonly extraErrors: GraphQLError[];
  /** Set in 'subscribe' mode by the subscription root field. */
  captured?: { args: Record<string, unknown>; outcome: unknown };
  /** `extensions.invalidateSubscriptions` requests seen in this operation. */
  readonly invalidations: Invalidation[];
}

export interface EngineOptions {
  readonly schema: GraphQLSchema;
  readonly resolvers: ReadonlyMap<string, FieldResolver>;
  readonly hub: SubscriptionHub;
  readonly logger?: ((line: string) => void) | undefined;
  /** Parsed documents kept, by query text. @default DEFAULT_DOCUMENT_CACHE_ENTRIES */
  readonly documentCacheEntries?: number | undefined;
  /** The mode of fields without auth directives. @default DEFAULT_AUTH_TYPE */
  readonly defaultAuthMode?: AuthType | undefined;
  /** IAM callers (ARNs) allowed on each root field, keyed `"Type.field"` (see FieldAuthorizationOptions). */
  readonly iamGrants?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** A resolver map key that names no field of the schema (a wiring bug, caught at start). */
export class UnknownResolverFieldError extends Error {
  override readonly name = 'UnknownResolverFieldError';
}

export class AppSyncEngine {
  readonly schema: GraphQLSchema;
  private readonly resolvers: ReadonlyMap<string, FieldResolver>;
  private readonly authz: FieldAuthorization;
  private readonly hub: SubscriptionHub;
  private readonly log: (line: string) => void;
  /** Parsed and validated documents for this engine's schema. */
  readonly documents: DocumentCache;

  constructor(options: EngineOptions) {
    this.schema = options.schema;
    this.documents = new DocumentCache(options.schema, { maxEntries: options.documentCacheEntries });
    this.resolvers = options.resolvers;
    this.hub = options.hub;
    this.authz = new FieldAuthorization(options.schema, { defaultMode: options.defaultAuthMode, iamGrants: options.iamGrants });
    this.log = options.logger ?? (() => undefined);
    for (const key of this.resolvers.keys()) {
      const [typeName, fieldName] = key.split('.');
      const type = typeName ? this.schema.getType(typeName) : undefined;
      if (!isObjectType(type) || !fieldName || !type.getFields()[fieldName]) {
        throw new UnknownResolverFieldError(`resolver ${key} names no field of the schema`);
      }
    }
  }

  /** Parses and validates (cached by query text); failures come back as the 200 body AppSync sends. */
  prepare(request: OperationRequest): PrepareResult {
    const checked = this.documents.check(request.query);
    if (!checked.ok) return { ok: false, body: { data: null, errors: checked.errors } };
    const document = checked.document;
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) {
      const message = request.operationName
        ? `Unknown operation named '${request.operationName}'.`
        : 'Must provide operation name if query contains multiple operations.';
      return { ok: false, body: { data: null, errors: [{ path: null, locations: null, message }] } };
    }
    return {
      ok: true,
      prepared: { document, operation, variables: request.variables ?? {}, operationName: operation.name?.value ?? null },
    };
  }

  private formatResult(result: ExecutionResult, ctx: ExecContext): AppSyncResponseBody {
    const errors = [...(result.errors ?? []), ...ctx.extraErrors];
    if (errors.length === 0) return { data: result.data ?? null };
    const formatted = errors.map((e) => (isVariableError(e) ? formatVariableError(e) : formatExecutionError(e, this.schema)));
    return { data: result.data ?? null, errors: formatted };
  }

  /** Executes a prepared document with a fresh per-request context; the one call into graphql-js. */
  private async run(
    prepared: PreparedOperation,
    mode: ExecContext['mode'],
    meta: RequestMeta,
  ): Promise<{ ctx: ExecContext; result: ExecutionResult; body: AppSyncResponseBody }> {
    const ctx: ExecContext = { mode, meta, extraErrors: [], invalidations: [] };
    const result = await execute({
      schema: this.schema,
      document: prepared.document,
      operationName: prepared.operationName,
      variableValues: prepared.variables,
      contextValue: ctx,
      fieldResolver: this.fieldResolver,
    });
    return { ctx, result, body: this.formatResult(result, ctx) };
  }

  /** Runs a query or mutation (subscriptions belong to the realtime endpoint). */
  async execute(request: OperationRequest, meta: RequestMeta): Promise<AppSyncResponseBody> {
    const prep = this.prepare(request);
    if (!prep.ok) return prep.body;
    const { operation } = prep.prepared;
    if (operation.operation === 'subscription') {
      return {
        data: null,
        errors: [{ errorType: 'UnsupportedOperation', message: 'Subscriptions are supported only through the realtime endpoint.' }],
      };
    }
    const { ctx, result, body } = await this.run(prep.prepared, 'operation', meta);
    if (operation.operation === 'mutation') this.publishMutation(prep.prepared, result);
    for (const inv of ctx.invalidations) this.hub.invalidate(inv.subscriptionField, inv.payload);
    return body;
  }

  /** Publishes each top-level mutation field that succeeded (publish.ts: what an alias changes). */
  private publishMutation(prepared: PreparedOperation, result: ExecutionResult): void {
    for (const { fieldName, payload } of mutationPublications(this.schema, prepared, result, this.hub.triggers)) {
      const count = this.hub.publish(fieldName, payload);
      this.log(`published ${fieldName} to ${count} subscription(s)`);
    }
  }

  /**
   * Validates a realtime `start`: a single-root-field subscription the caller may read, then runs
   * the field's resolver once (AppSync runs it at subscribe time, for auth and filter set-up).
   */
  async subscribe(request: OperationRequest, meta: RequestMeta): Promise<SubscribeResult> {
    const prep = this.prepare(request);
    if (!prep.ok) return { ok: false, errors: prep.body.errors ?? [] };
    const { document, operation, variables } = prep.prepared;
    const subscriptionType = this.schema.getSubscriptionType();
    if (operation.operation !== 'subscription' || !subscriptionType) {
      return {
        ok: false,
        errors: [{ errorType: 'UnsupportedOperation', message: `${operation.operation} not supported through the realtime channel` }],
      };
    }
    const scope = { schema: this.schema, fragments: fragmentsOf(document), variables };
    const roots = selectedFields(scope, operation.selectionSet, subscriptionType.name);
    const root = roots[0];
    if (roots.length !== 1 || !root) {
      return {
        ok: false,
        errors: [
          {
            path: null,
            locations: null,
            message: 'Validation error of type SubscriptionMultipleRootFields: Subscription operations must have exactly one root field.',
          },
        ],
      };
    }
    const { ctx, body } = await this.run(prep.prepared, 'subscribe', meta);
    if (body.errors && body.errors.length > 0) return { ok: false, errors: body.errors };
    if (!ctx.captured) return { ok: false, errors: [{ message: 'Subscription could not be started.', errorType: INTERNAL_ERROR_TYPE }] };
    const ext = outcomeExtensions(ctx.captured.outcome);
    return {
      ok: true,
      subscription: {
        ...prep.prepared,
        fieldName: root.fieldName,
        args: ctx.captured.args,
        filter: ext.filter,
        invalidationFilter: ext.invalidationFilter,
      },
    };
  }

  /**
   * Shapes one published result for one subscriber: its selection set over the result, with
   * the subscriber's field auth; absent non-null fields null their parent and add an error.
   * Synchronous (no resolvers run on published data), so events keep publish order.
   */
  project(subscription: AcceptedSubscription, result: Readonly<Record<string, unknown>>, meta: RequestMeta): AppSyncResponseBody {
    const ctx: ExecContext = { mode: 'event', meta, extraErrors: [], invalidations: [] };
    const out = execute({
      schema: this.schema,
      document: subscription.document,
      operationName: subscription.operationName,
      variableValues: subscription.variables,
      rootValue: { [subscription.fieldName]: result },
      contextValue: ctx,
      fieldResolver: this.fieldResolver,
    });
    if (out instanceof Promise) throw new Error('projection must be synchronous');
    return this.formatResult(out, ctx);
  }

  /**
   * `project` for one subscriber, serialized (`{"data":…}` or `{"data":…,"errors":[…]}`), shared:
   * subscribers whose projection cannot differ (same document, operation and variables; callers
   * field authorization cannot tell apart, see FieldAuthorization.callerKey) get the same text for
   * the same published result, which is shaped and serialized once. The key is computed here, once
   * per subscriber; the memo lives as long as the published result object (one fan-out).
   */
  projector(subscription: AcceptedSubscription, meta: RequestMeta): (result: Readonly<Record<string, unknown>>) => ProjectedPayload {
    const key = [
      documentId(subscription.document),
      subscription.operationName ?? '',
      JSON.stringify(subscription.variables),
      this.authz.callerKey(meta.auth),
    ].join('\u0000');
    return (result) => {
      let byKey = this.projections.get(result);
      if (byKey === undefined) {
        byKey = new Map();
        this.projections.set(result, byKey);
      }
      let projected = byKey.get(key);
      if (projected === undefined) {
        const payload = this.project(subscription, result, meta);
        const json = JSON.stringify(payload.errors ? { data: payload.data, errors: payload.errors } : { data: payload.data });
        projected = { json, bytes: Buffer.byteLength(json) };
        byKey.set(key, projected);
      }
      return projected;
    };
  }

  /** Serialized projections of each published result (see `projector`), dropped with the result. */
  private readonly projections = new WeakMap<object, Map<string, ProjectedPayload>>();

  private readonly fieldResolver: GraphQLFieldResolver<unknown, ExecContext> = (source, args, ctx, info) => {
    const parent = info.parentType.name;
    // Every field, every mode (query, mutation, subscription start and each event it delivers).
    if (!this.authz.allowsCaller(parent, info.fieldName, ctx.meta.auth)) throw fieldUnauthorized(parent, info.fieldName);
    const isSubscriptionRoot = info.parentType === this.schema.getSubscriptionType();
    if (ctx.mode === 'event') return defaultFieldResolver(source, args, ctx, info);
    if (ctx.mode === 'subscribe' && isSubscriptionRoot) return this.runSubscribeResolver(args, ctx, info);
    const resolver = this.resolvers.get(`${parent}.${info.fieldName}`);
    if (!resolver) return defaultFieldResolver(source, args, ctx, info);
    return this.runResolver(resolver, source, args, ctx, info).then((outcome) => settleOutcome(outcome, info, ctx.extraErrors));
  };

  private async runSubscribeResolver(args: Record<string, unknown>, ctx: ExecContext, info: GraphQLResolveInfo): Promise<null> {
    const resolver = this.resolvers.get(`${info.parentType.name}.${info.fieldName}`);
    let outcome: ResolverOutcome | null = null;
    if (resolver) {
      outcome = await this.runResolver(resolver, null, args, ctx, info);
      settleOutcome(outcome, info, ctx.extraErrors);
    }
    ctx.captured = { args: { ...args }, outcome };
    return null;
  }

  private async runResolver(
    resolver: FieldResolver,
    source: unknown,
    args: Record<string, unknown>,
    ctx: ExecContext,
    info: GraphQLResolveInfo,
  ): Promise<ResolverOutcome> {
    const field = `${info.parentType.name}.${info.fieldName}`;
    const outcome = await callResolver(() => resolver(buildInvocation(source, args, ctx.meta, info)), field, info.fieldName, this.log);
    if (info.parentType === this.schema.getMutationType()) ctx.invalidations.push(...outcomeExtensions(outcome).invalidations);
    return outcome;
  }
}
