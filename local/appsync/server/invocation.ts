/**
 * Builds what a FieldResolver receives for one field: arguments, identity, request headers and
 * `info` (field, parent type, variables, `selectionSetList`, `selectionSetGraphQL`), as AppSync
 * fills them in.
 */
import { getNamedType, print, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { ResolverInvocation } from '../types.js';
import type { AuthContext } from './auth.js';
import { selectedFields, type SelectionScope } from './selection.js';

/** Who is asking and with which (lower-cased, cookie-free) headers. */
export interface RequestMeta {
  readonly auth: AuthContext;
  readonly headers: Readonly<Record<string, string>>;
}

/** Printed selection sets; documents are cached (document-cache.ts), so their nodes recur. */
const printedSelections = new WeakMap<SelectionSetNode, string>();

function printed(node: SelectionSetNode): string {
  let text = printedSelections.get(node);
  if (text === undefined) {
    text = print(node);
    printedSelections.set(node, text);
  }
  return text;
}

export function buildInvocation(
  source: unknown,
  args: Record<string, unknown>,
  meta: RequestMeta,
  info: GraphQLResolveInfo,
): ResolverInvocation {
  const selectionSetGraphQL = info.fieldNodes
    .map((n) => (n.selectionSet ? printed(n.selectionSet) : ''))
    .filter((s) => s !== '')
    .join('\n');
  return {
    arguments: { ...args },
    identity: meta.auth.identity,
    authType: meta.auth.authType,
    source: info.path.prev === undefined ? null : source,
    request: { headers: meta.headers, domainName: null },
    info: {
      fieldName: info.fieldName,
      parentTypeName: info.parentType.name,
      variables: { ...info.variableValues },
      selectionSetList: selectionSetList(info),
      selectionSetGraphQL,
    },
  };
}

/** AppSync's `info.selectionSetList`: every selected path under the field, by response key, `/`-separated. */
function selectionSetList(info: GraphQLResolveInfo): string[] {
  const scope: SelectionScope = { schema: info.schema, fragments: info.fragments, variables: info.variableValues };
  const list: string[] = [];
  const walk = (node: FieldNode, typeName: string, prefix: string): void => {
    if (!node.selectionSet) return;
    for (const child of selectedFields(scope, node.selectionSet, typeName)) {
      const path = prefix ? `${prefix}/${child.responseKey}` : child.responseKey;
      if (!list.includes(path)) list.push(path);
      if (child.typeName !== undefined) walk(child.node, child.typeName, path);
    }
  };
  const first = info.fieldNodes[0];
  if (first) walk(first, getNamedType(info.returnType).name, '');
  return list;
}
