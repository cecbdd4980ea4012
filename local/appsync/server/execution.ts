/**
 * The transport-free GraphQL core: parse, validate, authorize per field, call FieldResolvers,
 * format AppSync-shaped errors, and publish successful mutation results to the subscription hub.
 * HTTP and the realtime endpoint are thin adapters over this module.
 */
import {
  defaultFieldResolver,
  execute,
  getDirectiveValues,
  getOperationAST,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  parse,
  print,
  responsePathAsArray,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AppSyncFieldError, FieldResolver, ResolverInvocation, ResolverOutcome } from '../types.js';
import { FieldAuthorization, type AuthContext } from './auth.js';
import {
  fieldUnauthorized,
  formatExecutionError,
  formatSyntaxError,
  formatValidationError,
  formatVariableError,
  isVariableError,
  ResolverFieldError,
  type AppSyncErrorJson,
  type AppSyncResponseBody,
} from './errors.js';
import { parseSubscriptionFilter, type SubscriptionFilter, type SubscriptionHub } from './subscriptions.js';

/** One GraphQL request as the client sent it (already JSON-decoded and shape-checked). */
export interface OperationRequest {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | null;
  readonly operationName?: string | null;
}

/** Who is asking and with which (lower-cased, cookie-free) headers. */
export interface RequestMeta {
  readonly auth: AuthContext;
  readonly headers: Readonly<Record<string, string>>;
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

export type PrepareResult =
  { readonly ok: true; readonly prepared: PreparedOperation } | { readonly ok: false; readonly body: AppSyncResponseBody };
export type SubscribeResult =
  { readonly ok: true; readonly subscription: AcceptedSubscription } | { readonly ok: false; readonly errors: readonly AppSyncErrorJson[] };

type Mode = 'operation' | 'subscribe' | 'event';

interface ExecContext {
  readonly mode: Mode;
  readonly meta: RequestMeta;
  /** Errors a resolver reported next to a value (`util.appendError`), with their field's path. */
  readonly extraErrors: GraphQLError[];
  /** Set in 'subscribe' mode by the subscription root field. */
  captured?: { args: Record<string, unknown>; outcome: unknown };
  /** `extensions.invalidateSubscriptions` requests seen in this operation. */
  readonly invalidations: { subscriptionField: string; payload: unknown }[];
}

export interface EngineOptions {
  readonly schema: GraphQLSchema;
  readonly resolvers: ReadonlyMap<string, FieldResolver>;
  readonly hub: SubscriptionHub;
  readonly logger?: ((line: string) => void) | undefined;
}

/** A resolver map key that names no field of the schema (a wiring bug, caught at start). */
export class UnknownResolverFieldError extends Error {
  override readonly name = 'UnknownResolverFieldError';
}

/** errorType of a field whose FieldResolver threw instead of returning an outcome (a bug). */
export const INTERNAL_ERROR_TYPE = 'InternalFailure';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldError(e: unknown): AppSyncFieldError {
  if (isRecord(e) && typeof e['message'] === 'string') {
    return {
      message: e['message'],
      errorType: typeof e['errorType'] === 'string' ? e['errorType'] : null,
      errorInfo: e['errorInfo'] ?? null,
      data: e['data'] ?? null,
    };
  }
  return { message: 'Resolver returned a malformed error', errorType: INTERNAL_ERROR_TYPE, errorInfo: null, data: null };
}

/** Reads `extensions` that the APPSYNC_JS runtime adds to its outcome (not part of the shared contract). */
function outcomeExtensions(outcome: unknown): {
  filter: SubscriptionFilter | null;
  invalidationFilter: SubscriptionFilter | null;
  invalidations: { subscriptionField: string; payload: unknown }[];
} {
  const ext = isRecord(outcome) ? outcome['extensions'] : undefined;
  if (!isRecord(ext)) return { filter: null, invalidationFilter: null, invalidations: [] };
  const invalidations: { subscriptionField: string; payload: unknown }[] = [];
  if (Array.isArray(ext['invalidations'])) {
    for (const inv of ext['invalidations'] as unknown[]) {
      if (isRecord(inv) && typeof inv['subscriptionField'] === 'string') {
        invalidations.push({ subscriptionField: inv['subscriptionField'], payload: inv['payload'] ?? {} });
      }
    }
  }
  return {
    filter: parseSubscriptionFilter(ext['subscriptionFilter']),
    invalidationFilter: parseSubscriptionFilter(ext['subscriptionInvalidationFilter']),
    invalidations,
  };
}

function includeNode(node: FieldNode | { directives?: FieldNode['directives'] }, variables: Readonly<Record<string, unknown>>): boolean {
  const n = node as FieldNode;
  const skip = getDirectiveValues(GraphQLSkipDirective, n, variables as Record<string, unknown>);
  if (skip?.['if'] === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, n, variables as Record<string, unknown>);
  return include?.['if'] !== false;
}

/** Flattens fragments into the field nodes of one selection set (type conditions are checked by the caller's type). */
function collectFieldNodes(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  typeName: string | null,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  variables: Readonly<Record<string, unknown>>,
  out: FieldNode[] = [],
): FieldNode[] {
  const applies = (condition: string | undefined): boolean => {
    if (condition === undefined || typeName === null || condition === typeName) return true;
    const cond = schema.getType(condition);
    const type = schema.getType(typeName);
    return cond !== undefined && isAbstractType(cond) && isObjectType(type) && schema.isSubType(cond, type);
  };
  for (const sel of selectionSet.selections) {
    if (!includeNode(sel, variables)) continue;
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (applies(sel.typeCondition?.name.value)) collectFieldNodes(schema, sel.selectionSet, typeName, fragments, variables, out);
    } else {
      const frag = fragments[sel.name.value];
      if (frag && applies(frag.typeCondition.name.value)) collectFieldNodes(schema, frag.selectionSet, typeName, fragments, variables, out);
    }
  }
  return out;
}

export class AppSyncEngine {
  readonly schema: GraphQLSchema;
  private readonly resolvers: ReadonlyMap<string, FieldResolver>;
  private readonly authz: FieldAuthorization;
  private readonly hub: SubscriptionHub;
  private readonly log: (line: string) => void;

  constructor(options: EngineOptions) {
    this.schema = options.schema;
    this.resolvers = options.resolvers;
    this.hub = options.hub;
    this.authz = new FieldAuthorization(options.schema);
    this.log = options.logger ?? (() => undefined);
    for (const key of this.resolvers.keys()) {
      const [typeName, fieldName] = key.split('.');
      const type = typeName ? this.schema.getType(typeName) : undefined;
      if (!isObjectType(type) || !fieldName || !type.getFields()[fieldName]) {
        throw new UnknownResolverFieldError(`resolver ${key} names no field of the schema`);
      }
    }
  }

  /** Parses and validates; failures come back as the 200 body AppSync sends. */
  prepare(request: OperationRequest): PrepareResult {
    let document: DocumentNode;
    try {
      document = parse(request.query);
    } catch (err) {
      if (err instanceof GraphQLError) return { ok: false, body: { data: null, errors: [formatSyntaxError(err)] } };
      throw err;
    }
    const validationErrors = validate(this.schema, document);
    if (validationErrors.length > 0) {
      return { ok: false, body: { data: null, errors: validationErrors.map((e) => formatValidationError(e, document)) } };
    }
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

  /** Runs a query or mutation (subscriptions belong to the realtime endpoint). */
  async execute(request: OperationRequest, meta: RequestMeta): Promise<AppSyncResponseBody> {
    const prep = this.prepare(request);
    if (!prep.ok) return prep.body;
    const { document, operation, variables, operationName } = prep.prepared;
    if (operation.operation === 'subscription') {
      return {
        data: null,
        errors: [{ errorType: 'UnsupportedOperation', message: 'Subscriptions are supported only through the realtime endpoint.' }],
      };
    }
    const ctx: ExecContext = { mode: 'operation', meta, extraErrors: [], invalidations: [] };
    const result = await execute({
      schema: this.schema,
      document,
      operationName,
      variableValues: variables,
      contextValue: ctx,
      fieldResolver: this.fieldResolver,
    });
    const body = this.formatResult(result, ctx);
    if (operation.operation === 'mutation' && isRecord(result.data)) this.publishMutation(prep.prepared, result);
    for (const inv of ctx.invalidations) this.hub.invalidate(inv.subscriptionField, inv.payload);
    return body;
  }

  /** Publishes each top-level mutation field that succeeded, un-aliased to field names. */
  private publishMutation(prepared: PreparedOperation, result: ExecutionResult): void {
    const mutationType = this.schema.getMutationType();
    if (!mutationType || !isRecord(result.data)) return;
    const fragments = this.fragmentsOf(prepared.document);
    const failed = new Set((result.errors ?? []).filter((e) => e.path?.length === 1).map((e) => String(e.path?.[0])));
    for (const node of collectFieldNodes(this.schema, prepared.operation.selectionSet, mutationType.name, fragments, prepared.variables)) {
      const key = node.alias?.value ?? node.name.value;
      const value = result.data[key];
      if (value === null || value === undefined || failed.has(key) || !this.hub.triggers.has(node.name.value)) continue;
      const field = mutationType.getFields()[node.name.value];
      if (!field) continue;
      const canonical = this.unalias(value, node, fragments, prepared.variables, field.type.toString().replace(/[[\]!]/g, ''));
      const count = this.hub.publish(node.name.value, canonical);
      this.log(`published ${node.name.value} to ${count} subscription(s)`);
    }
  }

  private fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
    const out: Record<string, FragmentDefinitionNode> = {};
    for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) out[def.name.value] = def;
    return out;
  }

  /**
   * Rewrites a response value keyed by response names (aliases) into one keyed by field names,
   * keeping only what the mutation selected: AppSync publishes the result as the mutation shaped it.
   */
  private unalias(
    value: unknown,
    node: FieldNode,
    fragments: Readonly<Record<string, FragmentDefinitionNode>>,
    variables: Readonly<Record<string, unknown>>,
    typeName: string,
  ): unknown {
    if (Array.isArray(value)) return value.map((v) => this.unalias(v, node, fragments, variables, typeName));
    if (!isRecord(value) || !node.selectionSet) return value;
    const runtimeType = typeof value['__typename'] === 'string' ? value['__typename'] : typeName;
    const type = this.schema.getType(runtimeType);
    const out: Record<string, unknown> = {};
    for (const child of collectFieldNodes(this.schema, node.selectionSet, runtimeType, fragments, variables)) {
      const key = child.alias?.value ?? child.name.value;
      if (!Object.hasOwn(value, key) || Object.hasOwn(out, child.name.value)) continue;
      const childField = isObjectType(type) ? type.getFields()[child.name.value] : undefined;
      const childType = childField ? childField.type.toString().replace(/[[\]!]/g, '') : '';
      out[child.name.value] = this.unalias(value[key], child, fragments, variables, childType);
    }
    return out;
  }

  /**
   * Validates a realtime `start`: a single-root-field subscription the caller may read, then runs
   * the field's resolver once (AppSync runs it at subscribe time, for auth and filter set-up).
   */
  async subscribe(request: OperationRequest, meta: RequestMeta): Promise<SubscribeResult> {
    const prep = this.prepare(request);
    if (!prep.ok) return { ok: false, errors: prep.body.errors ?? [] };
    const { document, operation, variables, operationName } = prep.prepared;
    const subscriptionType = this.schema.getSubscriptionType();
    if (operation.operation !== 'subscription' || !subscriptionType) {
      return {
        ok: false,
        errors: [{ errorType: 'UnsupportedOperation', message: `${operation.operation} not supported through the realtime channel` }],
      };
    }
    const roots = collectFieldNodes(this.schema, operation.selectionSet, subscriptionType.name, this.fragmentsOf(document), variables);
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
    const ctx: ExecContext = { mode: 'subscribe', meta, extraErrors: [], invalidations: [] };
    const result = await execute({
      schema: this.schema,
      document,
      operationName,
      variableValues: variables,
      contextValue: ctx,
      fieldResolver: this.fieldResolver,
    });
    const body = this.formatResult(result, ctx);
    if (body.errors && body.errors.length > 0) return { ok: false, errors: body.errors };
    if (!ctx.captured) return { ok: false, errors: [{ message: 'Subscription could not be started.', errorType: INTERNAL_ERROR_TYPE }] };
    const ext = outcomeExtensions(ctx.captured.outcome);
    return {
      ok: true,
      subscription: {
        ...prep.prepared,
        fieldName: root.name.value,
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

  private readonly fieldResolver: GraphQLFieldResolver<unknown, ExecContext> = (source, args, ctx, info) => {
    const parent = info.parentType.name;
    if (!this.authz.allows(parent, info.fieldName, ctx.meta.auth.authType)) throw fieldUnauthorized(parent, info.fieldName);
    const isSubscriptionRoot = info.parentType === this.schema.getSubscriptionType();
    if (ctx.mode === 'event') return defaultFieldResolver(source, args, ctx, info);
    if (ctx.mode === 'subscribe' && isSubscriptionRoot) return this.runSubscribeResolver(args, ctx, info);
    const resolver = this.resolvers.get(`${parent}.${info.fieldName}`);
    if (!resolver) return defaultFieldResolver(source, args, ctx, info);
    return this.runResolver(resolver, source, args, ctx, info).then((outcome) => this.settle(outcome, ctx, info));
  };

  private async runSubscribeResolver(args: Record<string, unknown>, ctx: ExecContext, info: GraphQLResolveInfo): Promise<null> {
    const resolver = this.resolvers.get(`${info.parentType.name}.${info.fieldName}`);
    let outcome: unknown = null;
    if (resolver) {
      outcome = await this.runResolver(resolver, null, args, ctx, info);
      this.settle(outcome as ResolverOutcome, ctx, info);
    }
    ctx.captured = { args: { ...args }, outcome };
    return null;
  }

  private invocation(source: unknown, args: Record<string, unknown>, ctx: ExecContext, info: GraphQLResolveInfo): ResolverInvocation {
    const fragments = info.fragments;
    const list: string[] = [];
    const walk = (node: FieldNode, typeName: string, prefix: string): void => {
      if (!node.selectionSet) return;
      const type = this.schema.getType(typeName);
      for (const child of collectFieldNodes(this.schema, node.selectionSet, typeName, fragments, info.variableValues)) {
        const name = child.alias?.value ?? child.name.value;
        const path = prefix ? `${prefix}/${name}` : name;
        if (!list.includes(path)) list.push(path);
        const childField = isObjectType(type) ? type.getFields()[child.name.value] : undefined;
        if (childField) walk(child, childField.type.toString().replace(/[[\]!]/g, ''), path);
      }
    };
    const first = info.fieldNodes[0];
    if (first) walk(first, info.returnType.toString().replace(/[[\]!]/g, ''), '');
    const selectionSetGraphQL = info.fieldNodes
      .map((n) => (n.selectionSet ? print(n.selectionSet) : ''))
      .filter((s) => s !== '')
      .join('\n');
    return {
      arguments: { ...args },
      identity: ctx.meta.auth.identity,
      authType: ctx.meta.auth.authType,
      source: info.path.prev === undefined ? null : source,
      request: { headers: ctx.meta.headers, domainName: null },
      info: {
        fieldName: info.fieldName,
        parentTypeName: info.parentType.name,
        variables: { ...info.variableValues },
        selectionSetList: list,
        selectionSetGraphQL,
      },
    };
  }

  private async runResolver(
    resolver: FieldResolver,
    source: unknown,
    args: Record<string, unknown>,
    ctx: ExecContext,
    info: GraphQLResolveInfo,
  ): Promise<ResolverOutcome> {
    try {
      const outcome: unknown = await resolver(this.invocation(source, args, ctx, info));
      if (!isRecord(outcome) || !Array.isArray(outcome['errors']))
        throw new TypeError('FieldResolver returned no { data, errors } outcome');
      if (info.parentType === this.schema.getMutationType()) ctx.invalidations.push(...outcomeExtensions(outcome).invalidations);
      return { ...outcome, data: outcome['data'], errors: (outcome['errors'] as unknown[]).map(fieldError) };
    } catch (err) {
      this.log(
        `${info.parentType.name}.${info.fieldName} resolver failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      return {
        data: null,
        errors: [
          { message: `Internal failure while resolving ${info.fieldName}`, errorType: INTERNAL_ERROR_TYPE, errorInfo: null, data: null },
        ],
      };
    }
  }

  /** Turns an outcome into the field value; the last error of a null result is the field's error. */
  private settle(outcome: ResolverOutcome, ctx: ExecContext, info: GraphQLResolveInfo): unknown {
    const errors = [...outcome.errors];
    const primary = outcome.data === null || outcome.data === undefined ? errors.pop() : undefined;
    for (const e of errors) {
      ctx.extraErrors.push(
        new GraphQLError(e.message, {
          nodes: info.fieldNodes,
          path: responsePathAsArray(info.path),
          originalError: new ResolverFieldError(e),
        }),
      );
    }
    if (primary) throw new ResolverFieldError(primary);
    return outcome.data ?? null;
  }
}
