/**
 * An SSM-compatible HTTP endpoint on loopback, for `AWS_ENDPOINT_URL_SSM`: AWS JSON 1.1 with
 * `X-Amz-Target: AmazonSSM.<Operation>` (see `../util/aws-json-server.ts` for the protocol); an
 * {@link SsmError} answers its status with its code as `__type`, which is how `@aws-sdk/client-ssm`
 * picks the exception class. Operations and their limits: see `parameter-store.ts`.
 *
 * Persistence: with `persistFile`, parameters are loaded at start and the whole set is
 * rewritten (temp file + rename) after each change, before the change is acknowledged.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startAwsJsonServer } from '../util/aws-json-server.js';
import { assertPortFree } from '../util/ports.js';
import { createParameterStore, isRecord, parseStoredParameter, SsmError, type StoredParameter } from './parameter-store.js';

export interface SsmEndpointOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 (or absent) = a free port. @default 0 */
  readonly port?: number;
  readonly region: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** JSON file holding the parameters across restarts; absent = in memory. */
  readonly persistFile?: string | undefined;
  readonly logger?: (line: string) => void;
}

export interface SsmEndpoint {
  /** e.g. `http://127.0.0.1:41234` (what AWS_ENDPOINT_URL_SSM gets). */
  readonly url: string;
  stop(): Promise<void>;
}

export class InvalidPersistFileError extends Error {
  override readonly name = 'InvalidPersistFileError';
  constructor(file: string, detail: string) {
    super(`the SSM parameter file ${file} is not valid (${detail}); fix or delete it`);
  }
}

const MAX_BODY_BYTES = 1024 * 1024;
const PERSIST_FORMAT = 1;

export async function startSsmEndpoint(options: SsmEndpointOptions): Promise<SsmEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? (() => undefined);
  const persistFile = options.persistFile;
  const initial = persistFile === undefined ? [] : await loadParameters(persistFile);
  const store = createParameterStore({
    region: options.region,
    accountId: options.accountId ?? '000000000000',
    initial,
    onChange: persistFile === undefined ? undefined : (all) => saveParameters(persistFile, all),
  });

  if (options.port !== undefined && options.port !== 0) await assertPortFree(host, options.port);
  const server = await startAwsJsonServer({
    service: 'SSM',
    logTag: 'ssm',
    protocol: '1.1',
    targetPrefix: 'AmazonSSM.',
    operations: new Map(Object.entries(store.operations)),
    parseRequest: (body) => (isRecord(body) ? body : undefined),
    toErrorResponse: (error) => (error instanceof SsmError ? error : undefined),
    internalErrorCode: 'InternalServerError',
    host,
    port: options.port ?? 0,
    maxBodyBytes: MAX_BODY_BYTES,
    logger: log,
  });
  const url = server.url;
  log(`[ssm] ${initial.length} parameter(s) loaded; listening on ${url}`);

  return {
    url,
    stop() {
      return server.close();
    },
  };
}

async function loadParameters(file: string): Promise<StoredParameter[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidPersistFileError(file, 'not JSON');
  }
  if (!isRecord(raw) || raw.format !== PERSIST_FORMAT || !Array.isArray(raw.parameters)) {
    throw new InvalidPersistFileError(file, `expected {"format": ${PERSIST_FORMAT}, "parameters": [...]}`);
  }
  return raw.parameters.map((entry: unknown, index: number) => {
    const parameter = parseStoredParameter(entry);
    if (parameter === undefined) throw new InvalidPersistFileError(file, `parameters[${index}] is malformed`);
    return parameter;
  });
}

async function saveParameters(file: string, parameters: readonly StoredParameter[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ format: PERSIST_FORMAT, parameters }, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}
