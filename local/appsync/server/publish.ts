/**
 * Shapes a mutation's result into the payloads AppSync publishes to `@aws_subscribe` subscribers:
 * one per top-level mutation field that succeeded, holding only what the mutation selected.
 *
 * Aliases (the stricter reading of undocumented AppSync behaviour, PROTOCOL.md "Subscriptions"):
 * an aliased top-level mutation field publishes nothing (AppSync was reported not to trigger
 * subscriptions from one), and a nested field selected only under an alias is left out of the
 * event (AppSync sends it under the alias, which no subscription can select, so subscribers see
 * null: aws-appsync-community#160). Code that works here therefore also works on AWS.
 */
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import type { PreparedOperation } from './execution.js';
import { fragmentsOf, selectedFields, type SelectedField, type SelectionScope } from './selection.js';

export interface Publication {
  /** The mutation field, which names the subscriptions it triggers. */
  readonly fieldName: string;
  readonly payload: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @param triggers mutation fields some subscription listens to (others are not published) */
export function mutationPublications(
  schema: GraphQLSchema,
  prepared: PreparedOperation,
  result: ExecutionResult,
  triggers: { has(fieldName: string): boolean },
): Publication[] {
  const mutationType = schema.getMutationType();
  if (!mutationType || !isRecord(result.data)) return [];
  const scope: SelectionScope = { schema, fragments: fragmentsOf(prepared.document), variables: prepared.variables };
  const failed = new Set((result.errors ?? []).filter((e) => e.path?.length === 1).map((e) => String(e.path?.[0])));
  const out: Publication[] = [];
  for (const field of selectedFields(scope, prepared.operation.selectionSet, mutationType.name)) {
    if (isAliased(field)) continue;
    const value = result.data[field.responseKey];
    if (value === null || value === undefined || failed.has(field.responseKey) || !triggers.has(field.fieldName)) continue;
    if (field.typeName === undefined) continue;
    out.push({ fieldName: field.fieldName, payload: published(scope, value, field, field.typeName) });
  }
  return out;
}

const isAliased = (field: SelectedField) => field.responseKey !== field.fieldName;

/**
 * The part of a response value AppSync publishes: the fields the mutation selected under their
 * own names (aliased ones left out; see the module comment), as the mutation shaped them.
 */
function published(scope: SelectionScope, value: unknown, field: SelectedField, typeName: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => published(scope, v, field, typeName));
  if (!isRecord(value) || !field.node.selectionSet) return value;
  const runtimeType = typeof value['__typename'] === 'string' ? value['__typename'] : typeName;
  const out: Record<string, unknown> = {};
  for (const child of selectedFields(scope, field.node.selectionSet, runtimeType)) {
    if (isAliased(child) || !Object.hasOwn(value, child.responseKey) || Object.hasOwn(out, child.fieldName)) continue;
    out[child.fieldName] = published(scope, value[child.responseKey], child, child.typeName);
  }
  return out;
}
