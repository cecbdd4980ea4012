/**
 * The Step Functions endpoint's transport: AWS JSON 1.0 with `X-Amz-Target: AWSStepFunctions.<Operation>`
 * (see `../util/aws-json-server.ts` for the protocol); an {@link SfnApiError} answers HTTP 400 with its
 * code as `__type`, which the SDK turns into its named exception classes.
 */
import type { Operation } from './api.js';
import { SfnApiError } from './errors.js';
import { isJsonObject, toJson, type JsonObject } from './json.js';
import { startAwsJsonServer, type AwsJsonServer } from '../util/aws-json-server.js';

/** Inputs and outputs are limited to 256 KiB on AWS; leave room for the envelope. */
const MAX_BODY_BYTES = 1024 * 1024;

export type JsonServer = AwsJsonServer;

export function startJsonServer(options: {
  host: string;
  port: number;
  operations: ReadonlyMap<string, Operation>;
  logger: (line: string) => void;
}): Promise<JsonServer> {
  return startAwsJsonServer<JsonObject>({
    service: 'Step Functions',
    protocol: '1.0',
    targetPrefix: 'AWSStepFunctions.',
    operations: options.operations,
    parseRequest: (body) => {
      const json = toJson(body);
      return isJsonObject(json) ? json : undefined;
    },
    toErrorResponse: (error) => (error instanceof SfnApiError ? error : undefined),
    host: options.host,
    port: options.port,
    maxBodyBytes: MAX_BODY_BYTES,
    logTag: 'sfn',
    logger: options.logger,
  });
}
