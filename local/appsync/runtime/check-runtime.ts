/**
 * The runtime-members rule of the APPSYNC_JS static check: every `util` / `runtime` / `extensions`
 * member and `@aws-appsync/utils(/dynamodb)` export a resolver uses must be one this local runtime
 * implements, so an unsupported feature fails at load, not at request time.
 */
import { identName, memberName, nodeOf, type AnyNode } from './check-ast.js';
import type { Report } from './check-report.js';

/** A tree of implemented members: `true` marks a callable/leaf member. */
export type MemberShape = true | { readonly [key: string]: MemberShape };

/** Shapes of what the runtime provides: `util`, `runtime`, `extensions` and the dynamodb module. */
export interface RuntimeShapes {
  readonly util: MemberShape;
  readonly runtime: MemberShape;
  readonly extensions: MemberShape;
  readonly dynamodb: MemberShape;
}

const RUNTIME_GLOBALS = ['util', 'runtime', 'extensions'] as const;

/** The member tree of an object: functions are leaves, plain objects recurse. */
export function shapeOf(value: unknown): MemberShape {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return true;
  const out: Record<string, MemberShape> = {};
  for (const [k, v] of Object.entries(value)) out[k] = shapeOf(v);
  return out;
}

/**
 * Local names bound to runtime-provided objects → what they provide: the globals, then the
 * bundle's imports (only the AppSync-provided modules may remain after bundling).
 */
export function runtimeRoots(ast: AnyNode, shapes: RuntimeShapes, report: Report): Map<string, MemberShape> {
  const roots = new Map<string, MemberShape>();
  for (const g of RUNTIME_GLOBALS) roots.set(g, shapes[g]);
  const utilsNamespace: { readonly [key: string]: MemberShape } = {
    util: shapes.util,
    runtime: shapes.runtime,
    extensions: shapes.extensions,
  };

  for (const stmt of (ast['body'] as AnyNode[]) ?? []) {
    if (stmt.type !== 'ImportDeclaration') continue;
    const source = nodeOf(stmt['source'])?.['value'];
    const specifiers = (stmt['specifiers'] as AnyNode[]) ?? [];
    let shape: { readonly [key: string]: MemberShape } | null = null;
    let label = '';
    if (source === '@aws-appsync/utils') {
      shape = utilsNamespace;
      label = '@aws-appsync/utils';
    } else if (source === '@aws-appsync/utils/dynamodb') {
      shape = shapes.dynamodb === true ? {} : shapes.dynamodb;
      label = '@aws-appsync/utils/dynamodb';
    } else {
      report(
        stmt,
        'unsupported-module',
        `module "${String(source)}" is not available in APPSYNC_JS (only @aws-appsync/utils and @aws-appsync/utils/dynamodb are provided locally); bundle it or drop it`,
      );
      continue;
    }
    for (const spec of specifiers) {
      const local = identName(spec['local']);
      if (local === null) continue;
      if (spec.type === 'ImportNamespaceSpecifier') {
        roots.set(local, shape);
      } else if (spec.type === 'ImportDefaultSpecifier') {
        report(spec, 'unsupported-import', `${label} has no default export`);
      } else {
        const imported = identName(spec['imported']) ?? String(nodeOf(spec['imported'])?.['value']);
        const member = shape[imported];
        if (member === undefined) {
          report(spec, 'unsupported-import', `${label} export "${imported}" is not implemented by the local APPSYNC_JS runtime`);
        } else {
          roots.set(local, member);
        }
      }
    }
  }
  return roots;
}

/**
 * Follows `root.a.b...` from a reference to a runtime root and reports unimplemented members;
 * `const { a, b } = root` binds `a` and `b` as new roots.
 */
export function checkRootUse(
  node: AnyNode,
  ancestors: readonly AnyNode[],
  rootName: string,
  roots: Map<string, MemberShape>,
  report: Report,
): void {
  let shape: MemberShape | undefined = roots.get(rootName);
  if (shape === undefined) return;
  let cur: AnyNode = node;
  const path = [rootName];
  for (let i = ancestors.length - 2; i >= 0 && shape !== true; i -= 1) {
    const parent = ancestors[i];
    if (parent === undefined || parent.type !== 'MemberExpression' || parent['object'] !== cur) break;
    const name = memberName(parent);
    if (name === null) {
      report(parent, 'dynamic-runtime-access', `computed access on ${path.join('.')} cannot be checked; use a literal member name`);
      return;
    }
    path.push(name);
    const next: MemberShape | undefined = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (next === undefined) {
      report(parent, 'unsupported-runtime-member', `${path.join('.')} is not implemented by the local APPSYNC_JS runtime`);
      return;
    }
    shape = next;
    cur = parent;
  }
  if (shape === true) return;
  // A namespace object used as a value: only `const { a, b } = ns` can still be followed.
  const parent = ancestors[ancestors.length - 2 - (path.length - 1)];
  if (parent?.type === 'VariableDeclarator' && parent['init'] === cur && nodeOf(parent['id'])?.type === 'ObjectPattern') {
    for (const prop of (nodeOf(parent['id'])?.['properties'] as AnyNode[]) ?? []) {
      const key = prop.type === 'Property' && prop['computed'] !== true ? identName(prop['key']) : null;
      const local = prop.type === 'Property' ? identName(prop['value']) : null;
      const member = key !== null && Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (key === null || local === null) {
        report(prop, 'dynamic-runtime-access', `destructuring of ${path.join('.')} cannot be checked`);
      } else if (member === undefined) {
        report(prop, 'unsupported-runtime-member', `${path.join('.')}.${key} is not implemented by the local APPSYNC_JS runtime`);
      } else {
        roots.set(local, member);
      }
    }
    return;
  }
  report(cur, 'dynamic-runtime-access', `${path.join('.')} is used as a value; call its members directly so they can be checked`);
}
