// @ts-check
/**
 * graphql-codegen plugin: the field names of the configured object types as runtime tuples
 * (`${Type}FieldNames`, sorted by name as graphql-codegen sorts the schema), for code that must
 * handle every field of a type at run time (e.g. the domain's public view of an order). Append
 * it to the `typescript` plugin's output: each tuple is checked against that type's keys.
 *
 * Config: `fieldNamesOf`, the object type names.
 */
import { isObjectType } from 'graphql';

/** @type {import('@graphql-codegen/plugin-helpers').PluginFunction<{ fieldNamesOf?: string[] }>} */
export function plugin(schema, _documents, config) {
  const names = config.fieldNamesOf ?? [];
  return names
    .map((name) => {
      const type = schema.getType(name);
      if (!isObjectType(type)) throw new Error(`field-names plugin: ${name} is not an object type of the schema`);
      const fields = Object.keys(type.getFields()).map((f) => `'${f}'`);
      return [
        `/** Every field of \`${name}\`. */`,
        `export const ${name}FieldNames = [${fields.join(', ')}] as const satisfies readonly (keyof ${name})[];`,
        '',
      ].join('\n');
    })
    .join('\n');
}
