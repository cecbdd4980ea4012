/**
 * Checks a config file against the vendored schema of its format (client/schemas/) with ajv 6.
 * The Gen 2 schema declares draft 2020-12, which ajv 6 cannot load as a meta-schema; it uses no
 * keyword ajv 6 lacks, so it is compiled without meta-validation (see client/schemas/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';

const SCHEMAS = join(import.meta.dirname, 'schemas');

export type AmplifyFileFormat = 'amplify_outputs' | 'amplifyconfiguration';

const validators = new Map<AmplifyFileFormat, Ajv.ValidateFunction>();

function validator(format: AmplifyFileFormat): Ajv.ValidateFunction {
  let validate = validators.get(format);
  if (validate === undefined) {
    const schema: unknown = JSON.parse(readFileSync(join(SCHEMAS, `${format}.schema.json`), 'utf8'));
    if (typeof schema !== 'object' || schema === null) throw new Error(`${format}.schema.json is not a JSON object`);
    validate = new Ajv({ allErrors: true, validateSchema: false }).compile(schema);
    validators.set(format, validate);
  }
  return validate;
}

/** The schema's complaints about `document` (`<path> <message>`), none when it conforms. */
export function schemaErrors(format: AmplifyFileFormat, document: unknown): string[] {
  const validate = validator(format);
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.dataPath || '/'} ${e.message ?? e.keyword}`);
}
