/**
 * schema.graphql is the one source of the Order's shape. These checks are what make "add a field
 * to Order" need only the schema, the stored record (if stored) and `npm run codegen`:
 * - every Order that a generated document selects (client operations and the stream publisher's
 *   mutation, through the OrderFields fragment) selects every field of Order, recursively;
 * - the domain's public order has exactly the fields of Order and none of the backend-only ones.
 * (The generated files being current is checked by codegen.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isObjectType,
  Kind,
  parse,
  validate,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type SelectionSetNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { BACKEND_ONLY_ORDER_FIELDS, PUBLIC_ORDER_FIELDS, toPublicOrder } from '../../domain/order.js';
import * as generated from '../../generated/operations.js';
import { apiOrder, orderRecord } from '../factories.js';

const root = join(import.meta.dirname, '..', '..');
const schema = buildSchema(
  ['infra/appsync-prelude.graphql', 'schema.graphql'].map((file) => readFileSync(join(root, file), 'utf8')).join('\n'),
);

function objectType(name: string): GraphQLObjectType {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`${name} is not an object type of the schema`);
  return type;
}

const orderType = objectType('Order');

/** The `*Document` constants of generated/operations.ts, by operation name. */
const documents = Object.entries(generated).flatMap(([name, value]) =>
  name.endsWith('Document') && typeof value === 'string' ? [[name.slice(0, -'Document'.length), value] as const] : [],
);

/** The fields a selection set selects on `type`, with fragments (named and inline) expanded. */
function selectedFields(
  type: GraphQLObjectType,
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const add = (s: SelectionSetNode) => {
    for (const selection of s.selections) {
      if (selection.kind === Kind.FIELD) out.set(selection.name.value, [...(out.get(selection.name.value) ?? []), selection]);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (selection.typeCondition === undefined || selection.typeCondition.name.value === type.name) add(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined) throw new Error(`fragment ${selection.name.value} is not defined`);
        if (fragment.typeCondition.name.value === type.name) add(fragment.selectionSet);
      }
    }
  };
  add(set);
  return out;
}

/**
 * Paths of the fields missing under every Order in the selection: below an Order every field of
 * every object type must be selected; elsewhere only what is selected is walked.
 */
function missingOrderFields(
  type: GraphQLObjectType,
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  path: string,
  whole: boolean,
  found: { orders: number },
): string[] {
  const complete = whole || type === orderType;
  if (type === orderType) found.orders += 1;
  const selected = selectedFields(type, set, fragments);
  return Object.values(type.getFields()).flatMap((field) => {
    const nodes = selected.get(field.name);
    if (nodes === undefined) return complete ? [`${path}${field.name}`] : [];
    const named = getNamedType(field.type);
    if (!isObjectType(named)) return [];
    const merged: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: nodes.flatMap((n) => n.selectionSet?.selections ?? []) };
    return missingOrderFields(named, merged, fragments, `${path}${field.name}.`, complete, found);
  });
}

describe('generated operations', () => {
  it('include the client operations and the stream publisher’s mutation', () => {
    expect(documents.map(([name]) => name)).toEqual(
      expect.arrayContaining(['GetOrder', 'PlaceOrder', 'OnOrderUpdated', 'PublishOrderUpdate']),
    );
  });

  const STORE_OPERATIONS = new Set(['ListStores', 'CreateStore', 'SetStoreOpen', 'AssignStaff']);

  it.each(documents)('%s is valid against schema.graphql', (_name, text) => {
    expect(validate(schema, parse(text)).map((e) => e.message)).toEqual([]);
  });

  it.each(documents)('%s selects every field of every Order it returns, recursively', (name, text) => {
    const document = parse(text);
    const fragments = new Map(
      document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
    );
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (operation?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`${name} has no operation`);
    const rootType = schema.getRootType(operation.operation);
    if (rootType === undefined || rootType === null) throw new Error(`the schema has no ${operation.operation} type`);
    const found = { orders: 0 };
    expect(missingOrderFields(rootType, operation.selectionSet, fragments, '', false, found)).toEqual([]);
    // Guards the walk itself: every operation but the store ones returns orders.
    expect(found.orders > 0).toBe(!STORE_OPERATIONS.has(name));
  });

  it('the OrderFields fragment selects every field of Order, recursively', () => {
    const document = parse(generated.OrderFieldsFragmentDoc);
    const fragment = document.definitions[0];
    if (fragment?.kind !== Kind.FRAGMENT_DEFINITION) throw new Error('OrderFieldsFragmentDoc is not a fragment');
    expect(fragment.typeCondition.name.value).toBe('Order');
    expect(missingOrderFields(orderType, fragment.selectionSet, new Map(), '', true, { orders: 0 })).toEqual([]);
  });
});

describe('the public order', () => {
  const record = orderRecord({ storeTaskToken: 'secret-1', driverTaskToken: 'secret-2', deliveryTaskToken: 'secret-3' });

  it('has exactly the fields of Order in schema.graphql', () => {
    const schemaFields = Object.keys(orderType.getFields()).sort();
    expect([...PUBLIC_ORDER_FIELDS].sort()).toEqual(schemaFields);
    expect(Object.keys(toPublicOrder(record)).sort()).toEqual(schemaFields);
    expect(Object.keys(apiOrder()).sort()).toEqual(schemaFields);
  });

  it('leaves out every backend-only field, none of which is in the schema', () => {
    const view: Record<string, unknown> = { ...toPublicOrder(record) };
    for (const field of BACKEND_ONLY_ORDER_FIELDS) {
      expect(record).toHaveProperty(field);
      expect(view).not.toHaveProperty(field);
      expect(orderType.getFields()).not.toHaveProperty(field);
    }
    expect(JSON.stringify(view)).not.toContain('secret');
  });
});
