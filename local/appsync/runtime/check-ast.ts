/**
 * Reading acorn's ESTree nodes without type information, for the APPSYNC_JS static check: fields
 * are read defensively, names only when static.
 */
import type { Node } from 'acorn';
import * as walk from 'acorn-walk';

export type AnyNode = Node & Record<string, unknown>;

export function nodeOf(value: unknown): AnyNode | null {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as AnyNode) : null;
}

export function identName(node: unknown): string | null {
  const n = nodeOf(node);
  return n !== null && n.type === 'Identifier' && typeof n['name'] === 'string' ? n['name'] : null;
}

/** Property name of a member expression, when static. */
export function memberName(node: AnyNode): string | null {
  const prop = nodeOf(node['property']);
  if (prop === null) return null;
  if (node['computed'] !== true) return identName(prop);
  return prop.type === 'Literal' && typeof prop['value'] === 'string' ? prop['value'] : null;
}

export function isFunctionNode(node: AnyNode | null): boolean {
  return node !== null && (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression');
}

/** Is this Identifier a value reference (not a property key, label, or import binding)? */
export function isReference(node: AnyNode, parent: AnyNode | undefined): boolean {
  if (parent === undefined) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return parent['object'] === node || parent['computed'] === true;
    case 'Property':
      return parent['value'] === node || parent['computed'] === true || parent['shorthand'] === true;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportSpecifier':
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return false;
    default:
      return true;
  }
}

function addPatternNames(pattern: AnyNode | null, into: Set<string>): void {
  if (pattern === null) return;
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern['name'] as string);
      break;
    case 'ObjectPattern':
      for (const p of (pattern['properties'] as AnyNode[]) ?? []) {
        addPatternNames(nodeOf(p.type === 'RestElement' ? p['argument'] : p['value']), into);
      }
      break;
    case 'ArrayPattern':
      for (const e of (pattern['elements'] as unknown[]) ?? []) addPatternNames(nodeOf(e), into);
      break;
    case 'AssignmentPattern':
      addPatternNames(nodeOf(pattern['left']), into);
      break;
    case 'RestElement':
      addPatternNames(nodeOf(pattern['argument']), into);
      break;
    default:
      break;
  }
}

/**
 * Every name the bundle declares anywhere (variables, functions, parameters, imports, classes,
 * catch parameters). Scopes are not tracked: a name declared anywhere is not a global.
 */
export function declaredNames(ast: AnyNode): Set<string> {
  const names = new Set<string>();
  walk.full(ast, (n) => {
    const node = n as AnyNode;
    switch (node.type) {
      case 'VariableDeclarator':
        addPatternNames(nodeOf(node['id']), names);
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        addPatternNames(nodeOf(node['id']), names);
        for (const p of (node['params'] as unknown[]) ?? []) addPatternNames(nodeOf(p), names);
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        addPatternNames(nodeOf(node['id']), names);
        break;
      case 'CatchClause':
        addPatternNames(nodeOf(node['param']), names);
        break;
      case 'ImportSpecifier':
      case 'ImportDefaultSpecifier':
      case 'ImportNamespaceSpecifier':
        addPatternNames(nodeOf(node['local']), names);
        break;
      default:
        break;
    }
  });
  return names;
}
