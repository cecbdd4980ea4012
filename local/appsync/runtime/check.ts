/**
 * Static check of bundled APPSYNC_JS code: rejects the language features AppSync rejects (after
 * `@aws-appsync/eslint-plugin`'s rules, re-done without type information) and every use of a
 * `util` / `runtime` / `extensions` member or `@aws-appsync/utils/dynamodb` export this runtime
 * does not implement, so an unsupported feature fails at load, not at request time.
 *
 * Without type information some rules are approximations: function passing and return only see
 * inline functions and names bound to functions in the same file; recursion only direct calls;
 * denied built-in methods are matched by name (e.g. any `.padStart(...)`).
 */
import { Parser, type Node } from 'acorn';
import * as walk from 'acorn-walk';
import { MAX_CODE_SIZE } from './build.js';

/** A tree of implemented members: `true` marks a callable/leaf member. */
export type MemberShape = true | { readonly [key: string]: MemberShape };

export interface Violation {
  /** Source file (the resolver's own file when the bundle's source map knows it). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Short rule id, e.g. `no-try`, `unsupported-util`. */
  readonly rule: string;
  readonly message: string;
}

export class UnsupportedResolverFeatureError extends Error {
  override readonly name = 'UnsupportedResolverFeatureError';
  constructor(
    readonly file: string,
    readonly violations: readonly Violation[],
  ) {
    super(
      `${file}: ${violations.length} feature(s) not supported by APPSYNC_JS or by the local runtime:\n` +
        violations.map((v) => `  ${v.file}:${v.line}:${v.column} [${v.rule}] ${v.message}`).join('\n'),
    );
  }
}

export interface CheckOptions {
  /** Name used in violations when no source location is known. */
  readonly file: string;
  /** Shapes of what the runtime provides: `util`, `runtime`, `extensions` and the dynamodb module. */
  readonly shapes: {
    readonly util: MemberShape;
    readonly runtime: MemberShape;
    readonly extensions: MemberShape;
    readonly dynamodb: MemberShape;
  };
  /** Maps a bundle position (1-based line, 0-based column) to the original source, if known. */
  readonly mapLocation?: (line: number, column: number) => { file: string; line: number; column: number } | null;
}

/** Array methods that may receive a callback (eslint rule `no-function-passing`). */
const CALLBACK_METHODS = new Set([
  'map',
  'find',
  'filter',
  'findIndex',
  'findLast',
  'findLastIndex',
  'forEach',
  'reduce',
  'reduceRight',
  'every',
  'some',
  'flatMap',
]);

/** Static built-ins AppSync does not implement (eslint rule `no-disallowed-methods`). */
const DENIED_STATIC: Readonly<Record<string, ReadonlySet<string>>> = {
  Array: new Set(['from', 'of']),
  Object: new Set([
    'create',
    'defineProperties',
    'defineProperty',
    'freeze',
    'getOwnPropertyDescriptor',
    'getOwnPropertyDescriptors',
    'getOwnPropertyNames',
    'getOwnPropertySymbols',
    'getPrototypeOf',
    'is',
    'isExtensible',
    'isFrozen',
    'isSealed',
    'preventExtensions',
    'seal',
    'setPrototypeOf',
  ]),
  String: new Set(['fromCharCode', 'fromCodePoint', 'raw']),
};

/** Instance methods AppSync does not implement, matched by name. */
const DENIED_METHODS = new Set([
  'charCodeAt',
  'localeCompare',
  'matchAll',
  'padEnd',
  'padStart',
  'repeat',
  'search',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'copyWithin',
  'toGMTString',
  'toLocaleDateString',
  'toLocaleString',
  'toLocaleTimeString',
  'setDate',
  'setFullYear',
  'setHours',
  'setMilliseconds',
  'setMinutes',
  'setMonth',
  'setSeconds',
  'setTime',
  'setUTCDate',
  'setUTCFullYear',
  'setUTCHours',
  'setUTCMilliseconds',
  'setUTCMinutes',
  'setUTCMonth',
  'setUTCSeconds',
  'setYear',
]);

/** Globals that do not exist (or may not be used) in APPSYNC_JS. */
const DENIED_GLOBALS = new Set([
  'Promise',
  'eval',
  'Function',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'fetch',
  'require',
  'process',
  'Buffer',
  'globalThis',
  'Proxy',
  'Reflect',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'Intl',
  'XMLHttpRequest',
]);

const RUNTIME_GLOBALS = ['util', 'runtime', 'extensions'] as const;

// acorn's ESTree nodes, loosely: fields are read defensively.
type AnyNode = Node & Record<string, unknown>;

function nodeOf(value: unknown): AnyNode | null {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' ? (value as AnyNode) : null;
}

function identName(node: unknown): string | null {
  const n = nodeOf(node);
  return n !== null && n.type === 'Identifier' && typeof n['name'] === 'string' ? n['name'] : null;
}

/** Property name of a member expression, when static. */
function memberName(node: AnyNode): string | null {
  const prop = nodeOf(node['property']);
  if (prop === null) return null;
  if (node['computed'] !== true) return identName(prop);
  return prop.type === 'Literal' && typeof prop['value'] === 'string' ? prop['value'] : null;
}

function isFunctionNode(node: AnyNode | null): boolean {
  return node !== null && (node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression');
}

/** Is this Identifier a value reference (not a property key, label, or import binding)? */
function isReference(node: AnyNode, parent: AnyNode | undefined): boolean {
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

export function checkResolverCode(code: string, options: CheckOptions): Violation[] {
  const violations: Violation[] = [];
  const report = (node: { loc?: { start: { line: number; column: number } } | null } | null, rule: string, message: string) => {
    const start = node?.loc?.start ?? { line: 1, column: 0 };
    const mapped = options.mapLocation?.(start.line, start.column) ?? null;
    violations.push(
      mapped !== null
        ? { file: mapped.file, line: mapped.line, column: mapped.column, rule, message }
        : { file: options.file, line: start.line, column: start.column + 1, rule, message },
    );
  };

  if (code.length > MAX_CODE_SIZE) {
    report(null, 'code-size', `bundled code is ${code.length} characters; AppSync accepts at most ${MAX_CODE_SIZE}`);
  }

  let ast: AnyNode;
  try {
    ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as unknown as AnyNode;
  } catch (err) {
    const loc = (err as { loc?: { line: number; column: number } }).loc;
    report(loc ? { loc: { start: loc } } : null, 'syntax', err instanceof Error ? err.message : String(err));
    return violations;
  }

  // Local names bound to runtime-provided objects → what they provide.
  const roots = new Map<string, MemberShape>();
  for (const g of RUNTIME_GLOBALS) roots.set(g, options.shapes[g]);
  const utilsNamespace: MemberShape = {
    util: options.shapes.util,
    runtime: options.shapes.runtime,
    extensions: options.shapes.extensions,
  };

  // Names bound to functions (for function passing / return / reassignment rules).
  const functionNames = new Set<string>();
  walk.full(ast, (n) => {
    const node = n as AnyNode;
    if (node.type === 'FunctionDeclaration') {
      const name = identName(node['id']);
      if (name) functionNames.add(name);
    } else if (node.type === 'VariableDeclarator' && isFunctionNode(nodeOf(node['init']))) {
      const name = identName(node['id']);
      if (name) functionNames.add(name);
    }
  });

  // Imports: only the AppSync-provided modules may remain after bundling.
  for (const stmt of (ast['body'] as AnyNode[]) ?? []) {
    if (stmt.type !== 'ImportDeclaration') continue;
    const source = nodeOf(stmt['source'])?.['value'];
    const specifiers = (stmt['specifiers'] as AnyNode[]) ?? [];
    let shape: { readonly [key: string]: MemberShape } | null = null;
    let label = '';
    if (source === '@aws-appsync/utils') {
      shape = utilsNamespace as { readonly [key: string]: MemberShape };
      label = '@aws-appsync/utils';
    } else if (source === '@aws-appsync/utils/dynamodb') {
      const dynamodb = options.shapes.dynamodb;
      shape = dynamodb === true ? {} : dynamodb;
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

  /** Follows `root.a.b...` from an identifier reference and reports unimplemented members. */
  const checkRootUse = (node: AnyNode, ancestors: AnyNode[], rootName: string, rootShape: MemberShape) => {
    let shape: MemberShape = rootShape;
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
  };

  // Functions named request/response: their first parameter is ctx, which may not be replaced.
  const ctxParams = new Set<string>();
  const handlerParam = (fn: AnyNode | null) => {
    const first = fn ? nodeOf((fn['params'] as unknown[] | undefined)?.[0]) : null;
    const name = identName(first);
    if (name) ctxParams.add(name);
  };
  walk.full(ast, (n) => {
    const node = n as AnyNode;
    if (node.type === 'FunctionDeclaration' && ['request', 'response'].includes(identName(node['id']) ?? '')) handlerParam(node);
    if (node.type === 'VariableDeclarator' && ['request', 'response'].includes(identName(node['id']) ?? '')) {
      const init = nodeOf(node['init']);
      if (isFunctionNode(init)) handlerParam(init);
    }
  });

  const isFunctionValue = (arg: AnyNode | null) => isFunctionNode(arg) || (arg !== null && functionNames.has(identName(arg) ?? '\u0000'));

  const checkRecursion = (fnName: string, fn: AnyNode) => {
    walk.full(fn, (n) => {
      const node = n as AnyNode;
      if (node.type === 'CallExpression' && identName(node['callee']) === fnName) {
        report(node, 'no-recursion', `recursive call to ${fnName}()`);
      }
    });
  };

  walk.fullAncestor(ast, (n, _state, ancestorsRaw) => {
    const node = n as AnyNode;
    const ancestors = ancestorsRaw as AnyNode[];
    const parent = ancestors[ancestors.length - 2];
    switch (node.type) {
      case 'TryStatement':
        report(node, 'no-try', 'try/catch/finally is not supported');
        break;
      case 'ThrowStatement':
        report(node, 'no-throw', 'throw is not supported; use util.error()');
        break;
      case 'WhileStatement':
      case 'DoWhileStatement':
        report(node, 'no-while', 'while / do-while loops are not supported');
        break;
      case 'ForStatement':
        report(node, 'no-for', 'classic for(;;) loops are not supported; use for-of / for-in');
        break;
      case 'ContinueStatement':
        report(node, 'no-continue', 'continue is not supported');
        break;
      case 'LabeledStatement':
        report(node, 'no-labels', 'labels are not supported');
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        report(node, 'no-classes', 'classes are not supported');
        break;
      case 'ThisExpression':
        report(node, 'no-this', 'this is not supported');
        break;
      case 'YieldExpression':
        report(node, 'no-yield', 'yield is not supported');
        break;
      case 'AwaitExpression':
        report(node, 'no-await', 'await is not supported');
        break;
      case 'ImportExpression':
        report(node, 'no-dynamic-import', 'dynamic import() is not supported');
        break;
      case 'UpdateExpression':
        report(node, 'no-disallowed-unary-operators', `the operator ${String(node['operator'])} is not supported`);
        break;
      case 'UnaryExpression':
        if (node['operator'] === '~') report(node, 'no-disallowed-unary-operators', 'the operator ~ is not supported');
        if (node['operator'] === 'delete') {
          const arg = nodeOf(node['argument']);
          if (arg?.type === 'MemberExpression' && ctxParams.has(identName(arg['object']) ?? '\u0000')) {
            report(
              node,
              'no-disallowed-re-assignment',
              `deleting a top-level property of ${identName(arg['object']) ?? 'ctx'} is not supported`,
            );
          }
        }
        break;
      case 'BinaryExpression':
        if (node['operator'] === 'in') report(node, 'no-in-operator', 'the in operator is not supported; use Object.hasOwn()');
        if (node['operator'] === 'instanceof') report(node, 'no-disallowed-binary-operators', 'instanceof is not supported');
        break;
      case 'Literal':
        if (node['regex'] !== undefined) report(node, 'no-regex', 'regular expression literals are not supported');
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        if (node['generator'] === true) report(node, 'no-generators', 'generators are not supported');
        if (node['async'] === true) report(node, 'no-async', 'async functions are not supported');
        if (node.type === 'ArrowFunctionExpression' && node['expression'] === true && isFunctionNode(nodeOf(node['body']))) {
          report(node, 'no-function-return', 'returning a function is not supported');
        }
        const name =
          node.type === 'FunctionDeclaration'
            ? identName(node['id'])
            : parent?.type === 'VariableDeclarator' && parent['init'] === node
              ? identName(parent['id'])
              : null;
        if (name) checkRecursion(name, nodeOf(node['body']) ?? node);
        break;
      }
      case 'ReturnStatement':
        if (isFunctionValue(nodeOf(node['argument']))) report(node, 'no-function-return', 'returning a function is not supported');
        break;
      case 'AssignmentExpression': {
        const left = nodeOf(node['left']);
        const leftName = identName(left);
        if (leftName !== null && functionNames.has(leftName))
          report(node, 'no-function-reassign', `reassigning function ${leftName} is not supported`);
        if (leftName !== null && ctxParams.has(leftName))
          report(node, 'no-disallowed-re-assignment', `reassigning ${leftName} is not supported`);
        if (left?.type === 'MemberExpression' && ctxParams.has(identName(left['object']) ?? '\u0000')) {
          report(
            node,
            'no-disallowed-re-assignment',
            `replacing ${identName(left['object']) ?? 'ctx'}.${memberName(left) ?? '[…]'} is not supported (mutate it instead, e.g. ctx.stash.x = …)`,
          );
        }
        break;
      }
      case 'NewExpression':
      case 'CallExpression': {
        const callee = nodeOf(node['callee']);
        const calleeName = identName(callee);
        if (calleeName === 'Function' || calleeName === 'eval') report(node, 'no-function-constructor', `${calleeName}() is not supported`);
        let method: string | null = null;
        if (callee?.type === 'MemberExpression') {
          method = memberName(callee);
          const owner = identName(callee['object']);
          if (method !== null && (method === 'apply' || method === 'bind' || method === 'call')) {
            report(node, 'no-function-apply', `Function.prototype.${method} is not supported`);
          }
          if (method !== null && owner !== null && DENIED_STATIC[owner]?.has(method) === true) {
            report(node, 'no-disallowed-methods', `${owner}.${method} is not implemented in APPSYNC_JS`);
          } else if (method !== null && DENIED_METHODS.has(method)) {
            report(node, 'no-disallowed-methods', `.${method}() is not implemented in APPSYNC_JS`);
          }
        }
        const args = (node['arguments'] as unknown[] | undefined) ?? [];
        if (args.some((a) => isFunctionValue(nodeOf(a))) && (method === null || !CALLBACK_METHODS.has(method))) {
          report(node, 'no-function-passing', `functions may only be passed to the array methods ${[...CALLBACK_METHODS].join(', ')}`);
        }
        break;
      }
      case 'TaggedTemplateExpression': {
        const tag = nodeOf(node['tag']);
        if (tag?.type === 'MemberExpression' && identName(tag['object']) === 'String' && memberName(tag) === 'raw') {
          report(node, 'no-disallowed-methods', 'String.raw is not implemented in APPSYNC_JS');
        }
        break;
      }
      case 'Identifier': {
        const name = identName(node);
        if (name === null || !isReference(node, parent)) break;
        if (DENIED_GLOBALS.has(name)) {
          report(node, 'unsupported-global', `${name} is not available in APPSYNC_JS`);
          break;
        }
        const shape = roots.get(name);
        if (shape !== undefined) checkRootUse(node, ancestors, name, shape);
        break;
      }
      default:
        break;
    }
  });

  // Bundles list helpers before use, but report in source order regardless.
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** The member tree of an object: functions are leaves, plain objects recurse. */
export function shapeOf(value: unknown): MemberShape {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return true;
  const out: Record<string, MemberShape> = {};
  for (const [k, v] of Object.entries(value)) out[k] = shapeOf(v);
  return out;
}
