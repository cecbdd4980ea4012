/**
 * Builds an executable schema from AppSync SDL. AppSync predefines the AWS* scalars and the
 * `@aws_*` directives, so a deployable `schema.graphql` never declares them; we prepend the
 * declarations that the SDL lacks, then attach scalar implementations with AppSync's validation.
 */
import { isIP } from 'node:net';
import {
  buildASTSchema,
  GraphQLError,
  GraphQLScalarType,
  Kind,
  parse,
  type DocumentNode,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';

/** The directives AppSync knows without a declaration (`@deprecated` is built into graphql-js). */
const PRELUDE_DIRECTIVES: Readonly<Record<string, string>> = {
  aws_subscribe: 'directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION',
  aws_publish: 'directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION',
  aws_api_key: 'directive @aws_api_key on FIELD_DEFINITION | OBJECT',
  aws_iam: 'directive @aws_iam on FIELD_DEFINITION | OBJECT',
  aws_cognito_user_pools: 'directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT',
  aws_oidc: 'directive @aws_oidc on FIELD_DEFINITION | OBJECT',
  aws_lambda: 'directive @aws_lambda on FIELD_DEFINITION | OBJECT',
  aws_auth: 'directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION',
};

const DATE = String.raw`\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])`;
const TIME = String.raw`([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?`;
const OFFSET = String.raw`(Z|[+-]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?)`;
const AWS_DATE = new RegExp(`^${DATE}${OFFSET}?$`);
const AWS_TIME = new RegExp(`^${TIME}${OFFSET}?$`);
/** AppSync requires the offset on AWSDateTime (unlike AWSDate/AWSTime, where it is optional). */
const AWS_DATE_TIME = new RegExp(`^${DATE}T${TIME}${OFFSET}$`);
const AWS_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const AWS_PHONE = /^\+?[0-9][0-9 ().-]{2,}[0-9]$/;

/** A scalar whose serialized and input forms are the same string, checked by `valid`. */
function stringScalar(name: string, description: string, valid: (s: string) => boolean): GraphQLScalarType {
  const check = (value: unknown, direction: 'serialize' | 'parse'): string => {
    if (typeof value !== 'string' || !valid(value)) {
      const shown = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
      throw new GraphQLError(
        direction === 'serialize'
          ? `Can't serialize value: Unable to serialize \`${shown}\` as a valid ${name}.`
          : `Unable to parse \`${shown}\` as a valid ${name}.`,
      );
    }
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (v) => check(v, 'serialize'),
    parseValue: (v) => check(v, 'parse'),
    parseLiteral: (node: ValueNode) => check(node.kind === Kind.STRING ? node.value : undefined, 'parse'),
  });
}

function validIpAddress(s: string): boolean {
  const [addr, prefix, ...rest] = s.split('/');
  if (addr === undefined || rest.length > 0) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * AWSJSON: clients send a JSON *string*; resolvers receive it parsed (AWS: "automatically parsed
 * and loaded in the resolver code as maps, lists, or scalar values"). Results are serialized to
 * a JSON string; a string result that already is JSON text is passed through.
 */
const AWSJSON = new GraphQLScalarType({
  name: 'AWSJSON',
  description: 'A JSON string; parsed for resolvers, serialized for clients.',
  serialize(value) {
    if (typeof value === 'string' && parseJsonText(value).ok) return value;
    const text = JSON.stringify(value);
    if (text === undefined) throw new GraphQLError(`Can't serialize value: Unable to serialize value as AWSJSON.`);
    return text;
  },
  parseValue(value) {
    if (typeof value !== 'string') throw new GraphQLError('Unable to parse a non-string value as valid AWSJSON.');
    const parsed = parseJsonText(value);
    if (!parsed.ok) throw new GraphQLError(`Unable to parse \`${value}\` as valid JSON.`);
    return parsed.value;
  },
  parseLiteral(node) {
    if (node.kind !== Kind.STRING) throw new GraphQLError('AWSJSON literals must be strings of JSON text.');
    const parsed = parseJsonText(node.value);
    if (!parsed.ok) throw new GraphQLError(`Unable to parse \`${node.value}\` as valid JSON.`);
    return parsed.value;
  },
});

/** AWSTimestamp: seconds since the epoch, as an integer. */
const AWSTimestamp = new GraphQLScalarType({
  name: 'AWSTimestamp',
  description: 'Seconds since 1970-01-01T00:00Z.',
  serialize(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
    throw new GraphQLError(`Can't serialize value: Unable to serialize \`${String(value)}\` as a valid AWSTimestamp.`);
  },
  parseValue(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    throw new GraphQLError(`Unable to parse \`${String(value)}\` as a valid AWSTimestamp.`);
  },
  parseLiteral(node) {
    if (node.kind === Kind.INT) return Number(node.value);
    throw new GraphQLError('AWSTimestamp literals must be integers.');
  },
});

export const APPSYNC_SCALARS: readonly GraphQLScalarType[] = [
  stringScalar('AWSDate', 'YYYY-MM-DD, optional offset.', (s) => AWS_DATE.test(s)),
  stringScalar('AWSTime', 'hh:mm[:ss[.sss]], optional offset.', (s) => AWS_TIME.test(s)),
  stringScalar('AWSDateTime', 'YYYY-MM-DDThh:mm[:ss[.sss]] with a required offset (Z or ±hh:mm).', (s) => AWS_DATE_TIME.test(s)),
  AWSTimestamp,
  stringScalar('AWSEmail', 'An e-mail address (local@domain.tld).', (s) => AWS_EMAIL.test(s)),
  AWSJSON,
  stringScalar('AWSURL', 'An absolute URL with a scheme.', (s) => /^[a-z][a-z0-9+.-]*:/i.test(s) && URL.canParse(s)),
  stringScalar('AWSPhone', 'A phone number: digits, spaces, hyphens, parentheses, optional leading +.', (s) => AWS_PHONE.test(s)),
  stringScalar('AWSIPAddress', 'An IPv4 or IPv6 address, optionally with a CIDR prefix.', validIpAddress),
];

/** Thrown when the SDL (plus AppSync's prelude) is not a valid schema. */
export class AppSyncSchemaError extends Error {
  override readonly name = 'AppSyncSchemaError';
}

/** Declared names in a document, so the prelude never redeclares what the SDL already has. */
function declaredNames(doc: DocumentNode): { directives: Set<string>; types: Set<string> } {
  const directives = new Set<string>();
  const types = new Set<string>();
  for (const def of doc.definitions) {
    if (def.kind === Kind.DIRECTIVE_DEFINITION) directives.add(def.name.value);
    else if ('name' in def && def.name !== undefined && def.kind !== Kind.OPERATION_DEFINITION && def.kind !== Kind.FRAGMENT_DEFINITION) {
      types.add(def.name.value);
    }
  }
  return { directives, types };
}

/** Builds the schema AppSync would build from `schemaSdl`; throws AppSyncSchemaError if invalid. */
export function buildAppSyncSchema(schemaSdl: string): GraphQLSchema {
  let userDoc: DocumentNode;
  try {
    userDoc = parse(schemaSdl);
  } catch (err) {
    throw new AppSyncSchemaError(`schema does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { directives, types } = declaredNames(userDoc);
  const prelude = [
    ...Object.entries(PRELUDE_DIRECTIVES)
      .filter(([name]) => !directives.has(name))
      .map(([, sdl]) => sdl),
    ...APPSYNC_SCALARS.filter((s) => !types.has(s.name)).map((s) => `scalar ${s.name}`),
  ].join('\n');
  const doc: DocumentNode = { kind: Kind.DOCUMENT, definitions: [...parse(prelude).definitions, ...userDoc.definitions] };
  let schema: GraphQLSchema;
  try {
    schema = buildASTSchema(doc);
  } catch (err) {
    throw new AppSyncSchemaError(`schema is invalid: ${err instanceof Error ? err.message : String(err)}`);
  }
  // buildASTSchema creates placeholder scalars; give them AppSync's behaviour in place.
  for (const impl of APPSYNC_SCALARS) {
    const target = schema.getType(impl.name);
    if (target instanceof GraphQLScalarType) {
      target.serialize = impl.serialize;
      target.parseValue = impl.parseValue;
      target.parseLiteral = impl.parseLiteral;
    }
  }
  return schema;
}
