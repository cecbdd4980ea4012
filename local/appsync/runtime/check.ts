/**
 * Static check of bundled APPSYNC_JS code, run before a resolver is loaded: the language features
 * AppSync rejects (check-language.ts), built-ins outside AppSync's documented allow-list
 * (check-builtins.ts over allowed-builtins.ts), and `util` / `runtime` / `extensions` members or
 * `@aws-appsync/utils/dynamodb` exports this runtime does not implement (check-runtime.ts). Every
 * violation carries the resolver's file:line:column (check-report.ts).
 */
import { Parser } from 'acorn';
import * as walk from 'acorn-walk';
import { MAX_CODE_SIZE } from './build.js';
import { declaredNames, isReference, identName, type AnyNode } from './check-ast.js';
import { checkGlobalReference, checkMethodCall } from './check-builtins.js';
import { checkLanguage, languageFacts } from './check-language.js';
import { createReporter, type MapLocation, type Violation } from './check-report.js';
import { checkRootUse, runtimeRoots, type RuntimeShapes } from './check-runtime.js';

export { UnsupportedResolverFeatureError, type Violation } from './check-report.js';
export { shapeOf, type MemberShape } from './check-runtime.js';

export interface CheckOptions {
  /** Name used in violations when no source location is known. */
  readonly file: string;
  /** Shapes of what the runtime provides: `util`, `runtime`, `extensions` and the dynamodb module. */
  readonly shapes: RuntimeShapes;
  /** Maps a bundle position (1-based line, 0-based column) to the original source, if known. */
  readonly mapLocation?: MapLocation;
}

export function checkResolverCode(code: string, options: CheckOptions): Violation[] {
  const { report, violations } = createReporter(options.file, options.mapLocation);

  if (code.length > MAX_CODE_SIZE) {
    report(null, 'code-size', `bundled code is ${code.length} characters; AppSync accepts at most ${MAX_CODE_SIZE}`);
  }

  let ast: AnyNode;
  try {
    ast = Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as unknown as AnyNode;
  } catch (err) {
    const loc = (err as { loc?: { line: number; column: number } }).loc;
    report(loc ? { loc: { start: loc } } : null, 'syntax', err instanceof Error ? err.message : String(err));
    return violations();
  }

  const roots = runtimeRoots(ast, options.shapes, report);
  const facts = languageFacts(ast);
  const builtins = { report, declared: declaredNames(ast), runtimeNames: roots };

  walk.fullAncestor(ast, (n, _state, ancestorsRaw) => {
    const node = n as AnyNode;
    const ancestors = ancestorsRaw as AnyNode[];
    checkLanguage(node, ancestors, facts, report);
    if (node.type === 'CallExpression') checkMethodCall(node, builtins);
    if (node.type === 'Identifier' && isReference(node, ancestors[ancestors.length - 2])) {
      const name = identName(node);
      if (name !== null && roots.has(name)) checkRootUse(node, ancestors, name, roots, report);
      else checkGlobalReference(node, ancestors[ancestors.length - 2], builtins);
    }
  });

  return violations();
}
