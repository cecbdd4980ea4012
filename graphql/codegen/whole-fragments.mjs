// @ts-check
/**
 * graphql-codegen document loader: for each type named in `fragmentsOf`, the fragment
 * `${Type}Fields` that selects every field of the type, recursively, read from the schema file
 * the pointer names. Documents spread these fragments (`...OrderFields`), so a field added to
 * the schema is selected everywhere by the next `npm run codegen`, with no document edited.
 *
 * Object types only, and fields without arguments: anything else has no single "whole" selection
 * and fails the codegen run with a message naming it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cwd } from 'node:process';
import { Kind, parse } from 'graphql';

/** @param {import('graphql').TypeNode} type @returns {string} */
function namedType(type) {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/**
 * @param {string} pointer the schema file, relative to the working directory
 * @param {{ cwd?: string, fragmentsOf?: string[] }} options
 */
export default function wholeFragments(pointer, options) {
  const sdl = readFileSync(resolve(options.cwd ?? cwd(), pointer), 'utf8');
  const definitions = parse(sdl).definitions;
  /** @type {Map<string, import('graphql').ObjectTypeDefinitionNode>} */
  const objects = new Map();
  /** @type {Set<string>} */
  const abstract = new Set();
  for (const d of definitions) {
    if (d.kind === Kind.OBJECT_TYPE_DEFINITION) objects.set(d.name.value, d);
    else if (d.kind === Kind.INTERFACE_TYPE_DEFINITION || d.kind === Kind.UNION_TYPE_DEFINITION) abstract.add(d.name.value);
  }

  /**
   * @param {string} typeName
   * @param {string[]} path field names from the fragment's type, for messages
   * @param {string[]} types the object types on the path, to refuse a cycle
   * @param {string} indent
   * @returns {string}
   */
  const selection = (typeName, path, types, indent) => {
    const type = objects.get(typeName);
    if (type === undefined) throw new Error(`${pointer}: ${path.join('.')} is not an object type`);
    return (type.fields ?? [])
      .map((field) => {
        const where = [...path, field.name.value].join('.');
        if ((field.arguments ?? []).length > 0)
          throw new Error(`${pointer}: ${where} takes arguments; a whole-type fragment cannot select it`);
        const child = namedType(field.type);
        if (abstract.has(child)) throw new Error(`${pointer}: ${where} is an interface or union; a whole-type fragment cannot select it`);
        if (!objects.has(child)) return `${indent}${field.name.value}`;
        if (types.includes(child)) throw new Error(`${pointer}: ${where} refers back to ${child}; a whole-type fragment would never end`);
        return `${indent}${field.name.value} {\n${selection(child, [...path, field.name.value], [...types, child], `${indent}  `)}\n${indent}}`;
      })
      .join('\n');
  };

  const rawSDL = (options.fragmentsOf ?? [])
    .map((typeName) => `fragment ${typeName}Fields on ${typeName} {\n${selection(typeName, [typeName], [typeName], '  ')}\n}\n`)
    .join('\n');
  return { document: parse(rawSDL), rawSDL, location: pointer };
}
