/**
 * AWS SDK v3 clients, one per process (reused across invocations). Endpoints come from the
 * SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN, ...): there is no
 * local branch here. Each is captured by Tracer (functions/lib/tracer.ts): a subsegment per call
 * on Lambda with active tracing, the client untouched elsewhere.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { tracer } from './tracer.js';

let doc: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let sns: SNSClient | undefined;
let ssm: SSMClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return doc;
}

export function sfnClient(): SFNClient {
  return (sfn ??= tracer.captureAWSv3Client(new SFNClient({})));
}

export function snsClient(): SNSClient {
  return (sns ??= tracer.captureAWSv3Client(new SNSClient({})));
}

export function ssmClient(): SSMClient {
  return (ssm ??= tracer.captureAWSv3Client(new SSMClient({})));
}
