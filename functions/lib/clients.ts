/**
 * AWS SDK v3 clients, one per process (reused across invocations). Endpoints come from the
 * SDK's own variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN, ...): there is no
 * local branch here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

let doc: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let sns: SNSClient | undefined;
let ssm: SSMClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  doc ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return doc;
}

export function sfnClient(): SFNClient {
  return (sfn ??= new SFNClient({}));
}

export function snsClient(): SNSClient {
  return (sns ??= new SNSClient({}));
}

export function ssmClient(): SSMClient {
  return (ssm ??= new SSMClient({}));
}
