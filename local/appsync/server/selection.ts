/**
 * The one walk over a selection set: the fields it selects on a type, through fragments and
 * `@skip`/`@include`, each with the named type its value has. Resolver invocations
 * (`info.selectionSetList`), published mutation payloads and subscription root fields all read
 * selections through it.
 */
import {
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** What a selection set is read against: the schema, the document's fragments, the operation's variables. */
export interface SelectionScope {
  readonly schema: GraphQLSchema;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  readonly variables: Readonly<Record<string, unknown>>;
}

export interface SelectedField {
  readonly node: FieldNode;
  /** The key of the field in a response: its alias, else its name. */
  readonly responseKey: string;
  readonly fieldName: string;
  /** Named type of the field's value; `undefined` when the parent is not an object type or lacks the field (`__typename`). */
  readonly typeName: string | undefined;
}

export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const out: Record<string, FragmentDefinitionNode> = {};
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) out[def.name.value] = def;
  return out;
}

/**
 * The fields `selectionSet` selects on a value of type `typeName` (`undefined`: unknown type, so
 * only fragments without a type condition apply), in document order, fragments flattened.
 */
export function selectedFields(scope: SelectionScope, selectionSet: SelectionSetNode, typeName: string | undefined): SelectedField[] {
  const type = typeName === undefined ? undefined : scope.schema.getType(typeName);
  const fields = isObjectType(type) ? type.getFields() : undefined;
  return collectFieldNodes(scope, selectionSet, typeName, []).map((node) => {
    const field = fields?.[node.name.value];
    return {
      node,
      responseKey: node.alias?.value ?? node.name.value,
      fieldName: node.name.value,
      typeName: field ? getNamedType(field.type).name : undefined,
    };
  });
}

function collectFieldNodes(
  scope: SelectionScope,
  selectionSet: SelectionSetNode,
  typeName: string | undefined,
  out: FieldNode[],
): FieldNode[] {
  const { schema, fragments } = scope;
  const applies = (condition: string | undefined): boolean => {
    if (condition === undefined || condition === typeName) return true;
    const cond = schema.getType(condition);
    const type = typeName === undefined ? undefined : schema.getType(typeName);
    return cond !== undefined && isAbstractType(cond) && isObjectType(type) && schema.isSubType(cond, type);
  };
  for (const sel of selectionSet.selections) {
    if (!included(sel, scope.variables)) continue;
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (applies(sel.typeCondition?.name.value)) collectFieldNodes(scope, sel.selectionSet, typeName, out);
    } else {
      const frag = fragments[sel.name.value];
      if (frag && applies(frag.typeCondition.name.value)) collectFieldNodes(scope, frag.selectionSet, typeName, out);
    }
  }
  return out;
}

function included(node: SelectionNode, variables: Readonly<Record<string, unknown>>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.['if'] === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.['if'] !== false;
}
