/**
 * The built-in allow-list rule of the APPSYNC_JS static check: every global, static member and
 * prototype method a resolver uses must be in `ALLOWED_BUILTINS` (AppSync's documented list).
 *
 * Without type information, prototype methods are matched by name: a call `x.m(…)` is refused when
 * `m` is a method of a value a resolver can hold (string, number, boolean, array, object, function:
 * the documented types) and no documented String or Array method has that name.
 */
import { ALLOWED_BUILTINS, SUPPORTED_FEATURES_URL, type AllowedBuiltin } from './allowed-builtins.js';
import { identName, memberName, nodeOf, type AnyNode } from './check-ast.js';
import type { Report } from './check-report.js';

export const BUILTIN_RULE = 'unsupported-builtin';

/** `Object` → (`keys` → entry), for the namespaces with documented static members. */
const STATIC_MEMBERS = new Map<string, Map<string, AllowedBuiltin>>();
/** Documented prototype methods by name (`slice` → String's and Array's). */
const INSTANCE_METHODS = new Map<string, AllowedBuiltin[]>();
/** Documented plain globals (`NaN`, `util`, …). */
const PLAIN_GLOBALS = new Map<string, AllowedBuiltin>();

for (const entry of ALLOWED_BUILTINS) {
  const parts = entry.name.split('.');
  const [owner, second, third] = parts;
  if (owner === undefined) continue;
  if (second === 'prototype' && third !== undefined) {
    INSTANCE_METHODS.set(third, [...(INSTANCE_METHODS.get(third) ?? []), entry]);
  } else if (second !== undefined) {
    const members = STATIC_MEMBERS.get(owner) ?? new Map<string, AllowedBuiltin>();
    members.set(second, entry);
    STATIC_MEMBERS.set(owner, members);
  } else {
    PLAIN_GLOBALS.set(owner, entry);
  }
}

/** Method name → the built-in prototypes defining it (`includes` → Array.prototype, String.prototype). */
const HOST_METHODS = new Map<string, string[]>();
for (const [owner, proto] of [
  ['String', String.prototype],
  ['Array', Array.prototype],
  ['Number', Number.prototype],
  ['Boolean', Boolean.prototype],
  ['Object', Object.prototype],
  ['Function', Function.prototype],
] as const) {
  for (const name of Object.getOwnPropertyNames(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (typeof descriptor?.value === 'function') HOST_METHODS.set(name, [...(HOST_METHODS.get(name) ?? []), `${owner}.prototype.${name}`]);
  }
}

/** Methods with their own rule (`no-function-apply`). */
const OWN_RULE_METHODS = new Set(['apply', 'bind', 'call']);

const notSupported = (what: string) => `${what} is not among AppSync's supported built-ins (${SUPPORTED_FEATURES_URL})`;

const namespaceMembers = (owner: string, members: ReadonlyMap<string, AllowedBuiltin>) =>
  [...members.keys()].map((m) => `${owner}.${m}`).join(', ');

export interface BuiltinContext {
  readonly report: Report;
  /** Names the bundle declares: these are never globals. */
  readonly declared: ReadonlySet<string>;
  /** Names bound to runtime-provided objects (`util`, imported dynamodb helpers…): checked elsewhere. */
  readonly runtimeNames: { has(name: string): boolean };
}

/** An identifier reference that is not declared in the bundle: a global, which must be documented. */
export function checkGlobalReference(node: AnyNode, parent: AnyNode | undefined, ctx: BuiltinContext): void {
  const name = identName(node);
  if (name === null || ctx.declared.has(name) || PLAIN_GLOBALS.has(name)) return;
  const accessed = parent?.type === 'MemberExpression' && parent['object'] === node;
  const member = accessed ? memberName(parent) : null;
  const members = STATIC_MEMBERS.get(name);
  if (members === undefined) {
    ctx.report(accessed ? parent : node, BUILTIN_RULE, notSupported(member !== null ? `${name}.${member}` : `the global ${name}`));
    return;
  }
  if (member !== null && members.has(member)) return;
  ctx.report(
    accessed ? parent : node,
    BUILTIN_RULE,
    member !== null
      ? notSupported(`${name}.${member}`)
      : `${name} may only be used through its supported members (${namespaceMembers(name, members)}); see ${SUPPORTED_FEATURES_URL}`,
  );
}

/** The identifier a pure member chain starts from (`a` in `a.b.c`), if any. */
function memberChainBase(node: AnyNode | null): string | null {
  let cur = node;
  while (cur !== null && cur.type === 'MemberExpression') cur = nodeOf(cur['object']);
  return identName(cur);
}

/** `x.m(…)`: `m`, when a built-in prototype method, must be a documented one. */
export function checkMethodCall(node: AnyNode, ctx: BuiltinContext): void {
  const callee = nodeOf(node['callee']);
  if (callee?.type !== 'MemberExpression') return;
  const method = memberName(callee);
  if (method === null || OWN_RULE_METHODS.has(method)) return;
  const object = nodeOf(callee['object']);
  const base = memberChainBase(object);
  if (base !== null && ctx.runtimeNames.has(base)) return;
  // `Math.abs(…)`: a static member, reported by checkGlobalReference.
  if (object?.type === 'Identifier' && base !== null && !ctx.declared.has(base) && STATIC_MEMBERS.has(base)) return;
  const hosts = HOST_METHODS.get(method);
  if (hosts === undefined) return;
  if (!INSTANCE_METHODS.has(method)) {
    ctx.report(node, BUILTIN_RULE, notSupported(`.${method}() (${hosts.join(' / ')})`));
  } else if (method === 'sort' && ((node['arguments'] as unknown[] | undefined) ?? []).length > 0) {
    ctx.report(node, BUILTIN_RULE, `Array.prototype.sort() takes no arguments in APPSYNC_JS (${SUPPORTED_FEATURES_URL})`);
  }
}
