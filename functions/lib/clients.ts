/**
 * AWS SDK v3 clients, one per process (reused across invocations). Endpoints come from the
 * SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN, ...): there is no
 * local branch here. Each is captured by Tracer (functions/lib/tracer.ts): a subsegment per call
 * on Lambda with active tracing, the client untouched elsewhere.
 *
 * The clients have no logger (the handlers log through Powertools, functions/lib/logger.ts), yet
 * the SDK's logger middleware still builds a redacted copy of every request and response to hand
 * to its no-op logger: about 2% of the local stack's CPU under load (`npm run bench` with
 * BENCH_STACK_CPU_PROF), and the same share of every Lambda's. It is removed from each client.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { tracer } from './tracer.js';

/** The name the SDK registers its logger middleware under (@aws-sdk/core). */
export const SDK_LOGGER_MIDDLEWARE = 'loggerMiddleware';

/** The client without the SDK's logger middleware (see above); for clients given no logger. */
export function quiet<C extends { middlewareStack: { remove(name: string): boolean } }>(client: C): C {
  client.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  return client;
}

let doc: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let sns: SNSClient | undefined;
let ssm: SSMClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(quiet(new DynamoDBClient({}))), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return doc;
}

export function sfnClient(): SFNClient {
  return (sfn ??= tracer.captureAWSv3Client(quiet(new SFNClient({}))));
}

export function snsClient(): SNSClient {
  return (sns ??= tracer.captureAWSv3Client(quiet(new SNSClient({}))));
}

export function ssmClient(): SSMClient {
  return (ssm ??= tracer.captureAWSv3Client(quiet(new SSMClient({}))));
}
