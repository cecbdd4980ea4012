/**
 * The transport-free core of the local SSM Parameter Store: the operations the project uses,
 * with AWS's semantics and error codes, on a map of parameters. `ssm-endpoint.ts` puts it
 * behind HTTP (AWS JSON 1.1); this file knows nothing about sockets.
 *
 * Supported: GetParameter, GetParameters, PutParameter, DeleteParameter, DescribeParameters
 * (filters: Name Equals/BeginsWith, Type Equals; MaxResults/NextToken paging).
 * Types String, StringList, SecureString; Standard tier only; `name:version` selectors only
 * for the current version (no history is kept). Rejected loudly (ValidationException):
 * AllowedPattern, Policies, a tier other than Standard, a data type other than text, other
 * filters. Other operations answer UnknownOperationException.
 *
 * SecureString: the plain value is kept (locally, in the persist file: this is not a vault);
 * without WithDecryption: true the caller gets an opaque ciphertext (AES-GCM under a key that
 * lives only in this process), as AWS returns the KMS ciphertext.
 */
import { createCipheriv, randomBytes } from 'node:crypto';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface StoredParameter {
  readonly name: string;
  readonly type: ParameterType;
  readonly value: string;
  readonly version: number;
  /** Epoch milliseconds. */
  readonly lastModified: number;
  readonly description?: string | undefined;
  /** Recorded for SecureString; nothing is encrypted with it. @default 'alias/aws/ssm' */
  readonly keyId?: string | undefined;
}

/** An error AWS would answer with: `code` is the `__type` the SDK maps to an exception class. */
export class SsmError extends Error {
  override readonly name = 'SsmError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface ParameterStoreOptions {
  readonly region: string;
  readonly accountId: string;
  readonly initial?: readonly StoredParameter[];
  /** Called after each change with every parameter; the change's reply waits for it. */
  readonly onChange?: (all: readonly StoredParameter[]) => Promise<void>;
  readonly now?: () => number;
}

export type SsmOperation = (input: Record<string, unknown>) => Promise<Record<string, unknown>>;

const MAX_STANDARD_VALUE_BYTES = 4096;
const NAME_PATTERN = /^[a-zA-Z0-9_.\-/]+$/;
const TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];

export function createParameterStore(options: ParameterStoreOptions): {
  readonly operations: Readonly<Record<string, SsmOperation>>;
  list(): StoredParameter[];
} {
  const parameters = new Map<string, StoredParameter>((options.initial ?? []).map((p) => [p.name, p]));
  const now = options.now ?? Date.now;
  const cipherKey = randomBytes(32);
  // One change at a time, so the persisted file always reflects a whole sequence of changes.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const persist = async () => options.onChange?.([...parameters.values()]);

  const arn = (name: string) => `arn:aws:ssm:${options.region}:${options.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

  const opaque = (value: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', cipherKey, iv);
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    // AWS's KMS ciphertexts start "AQICAH…"; the bytes after are meaningless to callers.
    return Buffer.concat([Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]), iv, cipher.getAuthTag(), body]).toString('base64');
  };

  const view = (p: StoredParameter, withDecryption: boolean, selector: string) => ({
    Name: p.name,
    Type: p.type,
    Value: p.type === 'SecureString' && !withDecryption ? opaque(p.value) : p.value,
    Version: p.version,
    ...(selector === '' ? {} : { Selector: selector }),
    LastModifiedDate: p.lastModified / 1000,
    ARN: arn(p.name),
    DataType: 'text',
  });

  /** `name` or `name:version`; only the current version exists here. */
  const find = (requested: string): { parameter: StoredParameter; selector: string } | 'missing' | 'version-missing' => {
    const colon = requested.lastIndexOf(':');
    const name = colon < 0 ? requested : requested.slice(0, colon);
    const selector = colon < 0 ? '' : requested.slice(colon);
    const parameter = parameters.get(name);
    if (parameter === undefined) return 'missing';
    if (selector !== '' && selector !== `:${parameter.version}`) return 'version-missing';
    return { parameter, selector };
  };

  const operations: Record<string, SsmOperation> = {
    async GetParameter(input) {
      const name = requiredString(input, 'Name');
      const found = find(name);
      if (found === 'missing') throw new SsmError('ParameterNotFound', `Parameter ${name} not found.`);
      if (found === 'version-missing')
        throw new SsmError(
          'ParameterVersionNotFound',
          `Systems Manager could not find version ${name.slice(name.lastIndexOf(':') + 1)} of ${name}. Only the current version is kept locally.`,
        );
      return { Parameter: view(found.parameter, optionalBoolean(input, 'WithDecryption') ?? false, found.selector) };
    },

    async GetParameters(input) {
      const names = requiredStringArray(input, 'Names');
      if (names.length < 1 || names.length > 10) throw new SsmError('ValidationException', 'Names must hold 1 to 10 names.');
      const withDecryption = optionalBoolean(input, 'WithDecryption') ?? false;
      const found: unknown[] = [];
      const invalid: string[] = [];
      for (const name of new Set(names)) {
        const hit = find(name);
        if (typeof hit === 'string') invalid.push(name);
        else found.push(view(hit.parameter, withDecryption, hit.selector));
      }
      return { Parameters: found, InvalidParameters: invalid };
    },

    PutParameter: (input) =>
      serialized(async () => {
        const name = requiredString(input, 'Name');
        validateName(name);
        const value = requiredString(input, 'Value');
        if (value === '')
          throw new SsmError(
            'ValidationException',
            "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
          );
        if (Buffer.byteLength(value) > MAX_STANDARD_VALUE_BYTES) {
          throw new SsmError(
            'ValidationException',
            `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE_BYTES} characters.`,
          );
        }
        for (const unsupported of ['AllowedPattern', 'Policies']) {
          if (input[unsupported] !== undefined)
            throw new SsmError('ValidationException', `${unsupported} is not supported by the local SSM endpoint.`);
        }
        const tier = optionalString(input, 'Tier');
        if (tier !== undefined && tier !== 'Standard')
          throw new SsmError('ValidationException', `Tier ${tier} is not supported by the local SSM endpoint (Standard only).`);
        const dataType = optionalString(input, 'DataType');
        if (dataType !== undefined && dataType !== 'text')
          throw new SsmError('ValidationException', `DataType ${dataType} is not supported by the local SSM endpoint (text only).`);
        const typeText = optionalString(input, 'Type');
        if (typeText !== undefined && !isParameterType(typeText)) {
          throw new SsmError(
            'ValidationException',
            `1 validation error detected: Value '${typeText}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
          );
        }
        const overwrite = optionalBoolean(input, 'Overwrite') ?? false;
        const existing = parameters.get(name);
        if (existing !== undefined && !overwrite) {
          throw new SsmError(
            'ParameterAlreadyExists',
            'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          );
        }
        if (existing !== undefined && input.Tags !== undefined) {
          throw new SsmError(
            'ValidationException',
            "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
          );
        }
        const type = typeText ?? existing?.type;
        if (type === undefined) throw new SsmError('ValidationException', 'A parameter type is required when you create a parameter.');
        const keyId = optionalString(input, 'KeyId');
        if (keyId !== undefined && type !== 'SecureString')
          throw new SsmError('ValidationException', 'KeyId is required for SecureString type parameter only.');
        const next: StoredParameter = {
          name,
          type,
          value,
          version: (existing?.version ?? 0) + 1,
          lastModified: now(),
          description: optionalString(input, 'Description') ?? existing?.description,
          keyId: type === 'SecureString' ? (keyId ?? existing?.keyId ?? 'alias/aws/ssm') : undefined,
        };
        parameters.set(name, next);
        await persist();
        return { Version: next.version, Tier: 'Standard' };
      }),

    DeleteParameter: (input) =>
      serialized(async () => {
        const name = requiredString(input, 'Name');
        if (!parameters.delete(name)) throw new SsmError('ParameterNotFound', `Parameter ${name} not found.`);
        await persist();
        return {};
      }),

    async DescribeParameters(input) {
      if (input.Filters !== undefined)
        throw new SsmError('ValidationException', 'Filters is not supported by the local SSM endpoint; use ParameterFilters.');
      const filters = parseFilters(input.ParameterFilters);
      const maxResults = optionalNumber(input, 'MaxResults') ?? 50;
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50)
        throw new SsmError('ValidationException', 'MaxResults must be from 1 to 50.');
      const token = optionalString(input, 'NextToken');
      const offset = token === undefined ? 0 : Number.parseInt(token, 10);
      if (!Number.isInteger(offset) || offset < 0) throw new SsmError('InvalidNextToken', 'The specified token is not valid.');
      const matching = [...parameters.values()].filter((p) => filters.every((f) => f(p))).sort((a, b) => a.name.localeCompare(b.name));
      const page = matching.slice(offset, offset + maxResults);
      return {
        Parameters: page.map((p) => ({
          Name: p.name,
          ARN: arn(p.name),
          Type: p.type,
          ...(p.keyId === undefined ? {} : { KeyId: p.keyId }),
          LastModifiedDate: p.lastModified / 1000,
          LastModifiedUser: `arn:aws:iam::${options.accountId}:user/local`,
          ...(p.description === undefined ? {} : { Description: p.description }),
          Version: p.version,
          Tier: 'Standard',
          Policies: [],
          DataType: 'text',
        })),
        ...(offset + maxResults < matching.length ? { NextToken: String(offset + maxResults) } : {}),
      };
    },
  };

  return { operations, list: () => [...parameters.values()] };
}

function validateName(name: string): void {
  if (name.length > 2048 || !NAME_PATTERN.test(name)) {
    throw new SsmError(
      'ValidationException',
      `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive), and must only contain a-zA-Z0-9_.-/ (got "${name}").`,
    );
  }
  if (name.includes('/') && !name.startsWith('/'))
    throw new SsmError('ValidationException', 'Parameter name must be a fully qualified name.');
  const first = (name.startsWith('/') ? name.slice(1) : name).toLowerCase();
  if (first.startsWith('aws') || first.startsWith('ssm'))
    throw new SsmError('ValidationException', 'No access to reserved parameter name: aws or ssm prefix.');
}

function parseFilters(raw: unknown): ((p: StoredParameter) => boolean)[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new SsmError('ValidationException', 'ParameterFilters must be a list.');
  return raw.map((f: unknown) => {
    if (!isRecord(f)) throw new SsmError('ValidationException', 'Each ParameterFilter must be an object.');
    const key = requiredString(f, 'Key');
    const option = optionalString(f, 'Option') ?? 'Equals';
    const values = requiredStringArray(f, 'Values');
    if (key === 'Name' && option === 'Equals') return (p) => values.includes(p.name);
    if (key === 'Name' && option === 'BeginsWith') return (p) => values.some((v) => p.name.startsWith(v));
    if (key === 'Type' && option === 'Equals') return (p) => values.includes(p.type);
    throw new SsmError(
      'ValidationException',
      `ParameterFilter ${key} ${option} is not supported by the local SSM endpoint (Name Equals/BeginsWith, Type Equals).`,
    );
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isParameterType(value: string): value is ParameterType {
  return (TYPES as readonly string[]).includes(value);
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string') throw new SsmError('ValidationException', `1 validation error detected: ${field} must be a string.`);
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  return input[field] === undefined || input[field] === null ? undefined : requiredString(input, field);
}

function optionalBoolean(input: Record<string, unknown>, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new SsmError('ValidationException', `${field} must be a boolean.`);
  return value;
}

function optionalNumber(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new SsmError('ValidationException', `${field} must be a number.`);
  return value;
}

function requiredStringArray(input: Record<string, unknown>, field: string): string[] {
  const value = input[field];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new SsmError('ValidationException', `1 validation error detected: ${field} must be a list of strings.`);
  }
  return value;
}

/** Validates one persisted parameter (the persist file is input like any other). */
export function parseStoredParameter(raw: unknown): StoredParameter | undefined {
  if (!isRecord(raw)) return undefined;
  const { name, type, value, version, lastModified, description, keyId } = raw;
  if (typeof name !== 'string' || typeof type !== 'string' || !isParameterType(type) || typeof value !== 'string') return undefined;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || typeof lastModified !== 'number') return undefined;
  if (description !== undefined && typeof description !== 'string') return undefined;
  if (keyId !== undefined && typeof keyId !== 'string') return undefined;
  return { name, type, value, version, lastModified, description, keyId };
}
