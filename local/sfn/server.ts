/**
 * The AWS JSON 1.0 transport: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>`; answers
 * `application/x-amz-json-1.0`, errors as HTTP 400 `{"__type": "<ErrorCode>", "message": "..."}`,
 * which the SDK turns into its named exception classes. Requests are not SigV4-verified.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Operation } from './api.js';
import { SfnApiError } from './errors.js';
import { isJsonObject, parseJson } from './json.js';

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Inputs and outputs are limited to 256 KiB on AWS; leave room for the envelope. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface JsonServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startJsonServer(options: {
  host: string;
  port: number;
  operations: ReadonlyMap<string, Operation>;
  logger: (line: string) => void;
}): Promise<JsonServer> {
  const server: Server = createServer((req, res) => {
    handle(req, res, options.operations, options.logger).catch((error: unknown) => {
      options.logger(`[sfn] internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) send(res, 500, { __type: 'InternalFailure', message: 'Internal error in the local Step Functions endpoint' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the Step Functions endpoint has no TCP address');
  const { port } = address satisfies AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  operations: ReadonlyMap<string, Operation>,
  logger: (line: string) => void,
): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    send(res, 404, { __type: 'UnknownOperationException', message: 'Only POST / is served' });
    return;
  }
  const target = req.headers['x-amz-target'];
  const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation = name === undefined ? undefined : operations.get(name);
  const body = await readBody(req);
  if (body === undefined) {
    send(res, 413, { __type: 'ValidationException', message: 'Request body too large' });
    return;
  }
  if (!operation) {
    logger(`[sfn] unsupported operation ${String(target)}`);
    send(res, 400, {
      __type: 'UnknownOperationException',
      message: `Operation ${String(target)} is not supported by the local Step Functions endpoint`,
    });
    return;
  }
  const request = body.trim() === '' ? {} : parseJson(body);
  if (!isJsonObject(request)) {
    send(res, 400, { __type: 'SerializationException', message: 'The request body is not a JSON object' });
    return;
  }
  try {
    send(res, 200, await operation(request));
  } catch (error) {
    if (!(error instanceof SfnApiError)) throw error;
    send(res, 400, { __type: error.code, message: error.message });
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
