// @ts-check
/**
 * graphql-codegen plugin: every operation in the documents as a string constant, ready to send
 * (`${Name}Document`: the operation followed by every fragment it uses, transitively), typed
 * with the result and variables types that the typescript-operations plugin writes before it
 * (run it first, in the same output file).
 * Plain TypeScript, no runtime dependency, so a Lambda bundles it like any other module.
 * Each fragment is also exported alone (`${Name}FragmentDoc`).
 */
import { Kind, print, visit } from 'graphql';

const SUFFIX = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };
const NAME = /^[A-Z][A-Za-z0-9]*$/;

/** @param {string} name @param {string} what */
function checkName(name, what) {
  // typescript-operations PascalCases names; requiring PascalCase keeps our names equal to its.
  if (!NAME.test(name)) throw new Error(`${what} "${name}" must be PascalCase (letters and digits)`);
  return name;
}

/** @param {import('graphql').ASTNode} node @returns {string[]} */
function spreadNames(node) {
  /** @type {string[]} */
  const names = [];
  visit(node, { FragmentSpread: (spread) => void names.push(spread.name.value) });
  return names;
}

/** @param {string} text */
function literal(text) {
  return '`' + text.replace(/[`\\]/g, (c) => '\\' + c).replace(/\$\{/g, '\\${') + '`';
}

/** @type {import('@graphql-codegen/plugin-helpers').PluginFunction} */
export function plugin(_schema, documents) {
  const definitions = documents.flatMap((d) => (d.document ? d.document.definitions : []));
  /** @type {Map<string, import('graphql').FragmentDefinitionNode>} */
  const fragments = new Map();
  for (const d of definitions) {
    if (d.kind !== Kind.FRAGMENT_DEFINITION) continue;
    const name = checkName(d.name.value, 'fragment');
    if (fragments.has(name)) throw new Error(`fragment ${name} is defined twice`);
    fragments.set(name, d);
  }

  /** Fragments a node uses, transitively, each once, in first-use order. @param {import('graphql').ASTNode} node */
  const used = (node) => {
    /** @type {string[]} */
    const order = [];
    const pending = spreadNames(node);
    while (pending.length > 0) {
      const name = /** @type {string} */ (pending.shift());
      if (order.includes(name)) continue;
      const fragment = fragments.get(name);
      if (fragment === undefined) throw new Error(`fragment ${name} is used but not defined`);
      order.push(name);
      pending.push(...spreadNames(fragment));
    }
    return order;
  };
  /** @param {import('graphql').ASTNode} node */
  const withFragments = (node) =>
    [print(node), ...used(node).map((name) => print(/** @type {never} */ (fragments.get(name))))].join('\n\n');

  /** @type {string[]} */
  const constants = [];
  for (const [name, fragment] of fragments) {
    constants.push(`export const ${name}FragmentDoc = ${literal(withFragments(fragment))};`);
  }
  for (const d of definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (d.name === undefined) throw new Error('every operation needs a name');
    const name = checkName(d.name.value, 'operation');
    const result = `${name}${SUFFIX[d.operation]}`;
    constants.push(`export const ${name}Document = ${literal(withFragments(d))} as TypedDocumentString<${result}, ${result}Variables>;`);
  }

  return {
    content: [
      '/**',
      ' * A GraphQL document as sent on the wire: a plain string at run time, branded with the types',
      ' * of its result and variables.',
      ' */',
      'export type TypedDocumentString<TResult, TVariables> = string & {',
      '  readonly __documentTypes?: (variables: TVariables) => TResult;',
      '};',
      '',
      ...constants.flatMap((c) => [c, '']),
    ].join('\n'),
  };
}
