/**
 * The language-feature rules of the APPSYNC_JS static check: what AppSync rejects (after
 * `@aws-appsync/eslint-plugin`'s rules, re-done without type information). Function passing and
 * return only see inline functions and names bound to functions in the same file; recursion only
 * direct calls.
 */
import * as walk from 'acorn-walk';
import { CALLBACK_METHODS } from './allowed-builtins.js';
import { identName, isFunctionNode, memberName, nodeOf, type AnyNode } from './check-ast.js';
import type { Report } from './check-report.js';

/** What the rules need to know about the whole bundle before walking it. */
export interface LanguageFacts {
  /** Names bound to functions (function passing / return / reassignment rules). */
  readonly functionNames: ReadonlySet<string>;
  /** First parameters of functions named request/response: ctx, which may not be replaced. */
  readonly ctxParams: ReadonlySet<string>;
}

const HANDLERS = ['request', 'response'];

export function languageFacts(ast: AnyNode): LanguageFacts {
  const functionNames = new Set<string>();
  const ctxParams = new Set<string>();
  const handlerParam = (fn: AnyNode | null) => {
    const name = identName(fn ? nodeOf((fn['params'] as unknown[] | undefined)?.[0]) : null);
    if (name) ctxParams.add(name);
  };
  walk.full(ast, (n) => {
    const node = n as AnyNode;
    if (node.type === 'FunctionDeclaration') {
      const name = identName(node['id']);
      if (name) functionNames.add(name);
      if (HANDLERS.includes(name ?? '')) handlerParam(node);
    } else if (node.type === 'VariableDeclarator' && isFunctionNode(nodeOf(node['init']))) {
      const name = identName(node['id']);
      if (name) functionNames.add(name);
      if (HANDLERS.includes(name ?? '')) handlerParam(nodeOf(node['init']));
    }
  });
  return { functionNames, ctxParams };
}

export function checkLanguage(node: AnyNode, ancestors: readonly AnyNode[], facts: LanguageFacts, report: Report): void {
  const { functionNames, ctxParams } = facts;
  const parent = ancestors[ancestors.length - 2];
  const isFunctionValue = (arg: AnyNode | null) => isFunctionNode(arg) || (arg !== null && functionNames.has(identName(arg) ?? '\u0000'));
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
      if (name) checkRecursion(name, nodeOf(node['body']) ?? node, report);
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
      const method = callee?.type === 'MemberExpression' ? memberName(callee) : null;
      if (method === 'apply' || method === 'bind' || method === 'call') {
        report(node, 'no-function-apply', `Function.prototype.${method} is not supported`);
      }
      const args = (node['arguments'] as unknown[] | undefined) ?? [];
      if (args.some((a) => isFunctionValue(nodeOf(a))) && (method === null || !CALLBACK_METHODS.has(method))) {
        report(node, 'no-function-passing', `functions may only be passed to the array methods ${[...CALLBACK_METHODS].join(', ')}`);
      }
      break;
    }
    default:
      break;
  }
}

function checkRecursion(fnName: string, body: AnyNode, report: Report): void {
  walk.full(body, (n) => {
    const node = n as AnyNode;
    if (node.type === 'CallExpression' && identName(node['callee']) === fnName) {
      report(node, 'no-recursion', `recursive call to ${fnName}()`);
    }
  });
}
