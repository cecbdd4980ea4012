/**
 * An SSM-compatible HTTP endpoint on loopback (AWS JSON 1.1 protocol), for
 * `AWS_ENDPOINT_URL_SSM`: `POST /` with `X-Amz-Target: AmazonSSM.<Operation>` and a JSON body;
 * answers `application/x-amz-json-1.1`; errors carry `{"__type": "<Code>", "message": …}` and
 * the `x-amzn-errortype` header, which is how `@aws-sdk/client-ssm` picks the exception class.
 * Requests are not signature-checked (any credentials work). Operations and their limits:
 * see `parameter-store.ts`.
 *
 * Persistence: with `persistFile`, parameters are loaded at start and the whole set is
 * rewritten (temp file + rename) after each change, before the change is acknowledged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assertPortFree, describeError } from '../util/ports.js';
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

const TARGET_PREFIX = 'AmazonSSM.';
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

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`[ssm] request failed: ${describeError(error)}`);
      if (!res.headersSent) sendError(res, new SsmError('InternalServerError', 'An internal error occurred.', 500));
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      sendError(res, new SsmError('UnknownOperationException', 'Only POST requests are supported.', 404));
      return;
    }
    const target = req.headers['x-amz-target'];
    const operationName = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const operation = operationName === undefined ? undefined : store.operations[operationName];
    if (operation === undefined) {
      log(`[ssm] unsupported operation ${String(target)}`);
      sendError(res, new SsmError('UnknownOperationException', `The local SSM endpoint does not support ${String(target)}.`));
      return;
    }
    let input: unknown;
    try {
      const body = await readBody(req);
      input = body === '' ? {} : JSON.parse(body);
    } catch (error) {
      sendError(res, error instanceof SsmError ? error : new SsmError('SerializationException', 'The request body is not valid JSON.'));
      return;
    }
    if (!isRecord(input)) {
      sendError(res, new SsmError('SerializationException', 'The request body must be a JSON object.'));
      return;
    }
    try {
      const output = await operation(input);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID() });
      res.end(JSON.stringify(output));
    } catch (error) {
      if (error instanceof SsmError) {
        sendError(res, error);
        return;
      }
      throw error;
    }
  };

  if (options.port !== undefined && options.port !== 0) await assertPortFree(host, options.port);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the SSM endpoint did not report its address');
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  log(`[ssm] ${initial.length} parameter(s) loaded; listening on ${url}`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    stop() {
      stopping ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function sendError(res: ServerResponse, error: SsmError): void {
  res.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(JSON.stringify({ __type: error.code, message: error.message }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new SsmError('ValidationException', 'The request body is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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
