/**
 * Service integrations, chosen by a Task state's `Resource` ARN, as Step Functions does.
 * Each one turns the state's effective parameters into one SDK call (or one Lambda invoke) and
 * maps the answer and the errors the way Step Functions reports them to ASL.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { TaskFailedError } from './errors.js';
import { isJsonObject, toJson, type Json, type JsonObject } from './json.js';

export type DynamoDbAction = 'getItem' | 'putItem' | 'updateItem' | 'deleteItem';

export type Integration =
  /** `arn:aws:states:::lambda:invoke[.waitForTaskToken]` */
  | { readonly kind: 'lambda-invoke'; readonly waitForTaskToken: boolean }
  /** A Lambda function ARN as `Resource`: the state's input is the event, the result is the function's return. */
  | { readonly kind: 'lambda-function'; readonly functionArn: string; readonly waitForTaskToken: false }
  /** `arn:aws:states:::dynamodb:<action>` (request-response only, as on AWS). */
  | { readonly kind: 'dynamodb'; readonly action: DynamoDbAction; readonly waitForTaskToken: false }
  /** `arn:aws:states:::sns:publish[.waitForTaskToken]` */
  | { readonly kind: 'sns-publish'; readonly waitForTaskToken: boolean };

const DYNAMODB_ACTIONS: readonly DynamoDbAction[] = ['getItem', 'putItem', 'updateItem', 'deleteItem'];
const OPTIMISED = /^arn:aws[a-z-]*:states:::([a-z0-9]+):([A-Za-z]+)(\.waitForTaskToken)?$/;
const LAMBDA_FUNCTION = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;

/** The integration behind a `Resource`, or `undefined` when this endpoint does not support it. */
export function parseResource(resource: string): Integration | undefined {
  if (LAMBDA_FUNCTION.test(resource)) return { kind: 'lambda-function', functionArn: resource, waitForTaskToken: false };
  const match = OPTIMISED.exec(resource);
  if (!match) return undefined;
  const [, service, action, wait] = match;
  const waitForTaskToken = wait !== undefined;
  if (service === 'lambda' && action === 'invoke') return { kind: 'lambda-invoke', waitForTaskToken };
  if (service === 'sns' && action === 'publish') return { kind: 'sns-publish', waitForTaskToken };
  const dynamoAction = DYNAMODB_ACTIONS.find((a) => a === action);
  if (service === 'dynamodb' && dynamoAction && !waitForTaskToken)
    return { kind: 'dynamodb', action: dynamoAction, waitForTaskToken: false };
  return undefined;
}

/** `resourceType` / `resource` as they appear in execution history events. */
export function historyResource(integration: Integration): { resourceType: string; resource: string } {
  const suffix = integration.waitForTaskToken ? '.waitForTaskToken' : '';
  switch (integration.kind) {
    case 'lambda-invoke':
      return { resourceType: 'lambda', resource: `invoke${suffix}` };
    case 'lambda-function':
      return { resourceType: 'lambda', resource: integration.functionArn };
    case 'dynamodb':
      return { resourceType: 'dynamodb', resource: integration.action };
    case 'sns-publish':
      return { resourceType: 'sns', resource: `publish${suffix}` };
  }
}

export interface IntegrationDeps {
  readonly region: string;
  readonly accountId: string;
  /** Rejects with an Error whose `name` is the Lambda `errorType` (or a `Lambda.*` service error). */
  readonly invokeLambda: (functionArn: string, payload: unknown) => Promise<unknown>;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
}

/**
 * Calls the integration with the state's effective parameters and resolves with the task result
 * (for `.waitForTaskToken` variants: the call's result is only the "submitted" output; the task
 * result comes later from SendTaskSuccess). Rejects with a TaskFailedError.
 */
export async function callIntegration(integration: Integration, parameters: Json, deps: IntegrationDeps): Promise<Json> {
  switch (integration.kind) {
    case 'lambda-function':
      return toJson(await invoke(deps, integration.functionArn, parameters));
    case 'lambda-invoke':
      return lambdaInvoke(parameters, deps);
    case 'dynamodb':
      return dynamoDb(integration.action, parameters, deps);
    case 'sns-publish':
      return snsPublish(parameters, deps);
  }
}

/** Lambda's own (service-side) errors; Step Functions reports them as `Lambda.<name>`. */
const LAMBDA_SERVICE_ERRORS = new Set([
  'ServiceException',
  'AWSLambdaException',
  'SdkClientException',
  'TooManyRequestsException',
  'ResourceNotFoundException',
  'ResourceConflictException',
  'InvalidParameterValueException',
  'RequestTooLargeException',
]);

async function invoke(deps: IntegrationDeps, functionArn: string, payload: unknown): Promise<unknown> {
  try {
    return await deps.invokeLambda(functionArn, payload);
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Lambda.SdkClientException';
    const message = error instanceof Error ? error.message : String(error);
    if (name.startsWith('Lambda.')) throw new TaskFailedError(name, message);
    if (LAMBDA_SERVICE_ERRORS.has(name)) throw new TaskFailedError(`Lambda.${name}`, message);
    // A function error: Step Functions' Cause is the function's error document.
    throw new TaskFailedError(name, JSON.stringify({ errorType: name, errorMessage: message, trace: [] }));
  }
}

const LAMBDA_INVOKE_KEYS = new Set(['FunctionName', 'Payload', 'InvocationType', 'Qualifier', 'ClientContext', 'LogType']);

async function lambdaInvoke(parameters: Json, deps: IntegrationDeps): Promise<Json> {
  const p = requireObject(parameters, 'lambda:invoke', LAMBDA_INVOKE_KEYS);
  const functionName = requireString(p, 'FunctionName', 'lambda:invoke');
  if (p['InvocationType'] !== undefined && p['InvocationType'] !== 'RequestResponse') {
    throw runtimeError(
      `lambda:invoke InvocationType ${JSON.stringify(p['InvocationType'])} is not supported locally (only RequestResponse)`,
    );
  }
  const qualifier = optionalString(p, 'Qualifier', 'lambda:invoke');
  let functionArn = functionName.startsWith('arn:')
    ? functionName
    : `arn:aws:lambda:${deps.region}:${deps.accountId}:function:${functionName}`;
  if (qualifier !== undefined) functionArn = `${functionArn}:${qualifier}`;
  // A string Payload is the raw request body: Lambda parses it as JSON.
  const raw = p['Payload'];
  let payload: Json = raw ?? {};
  if (typeof raw === 'string') {
    try {
      payload = toJson(JSON.parse(raw));
    } catch {
      payload = raw;
    }
  }
  const result = toJson(await invoke(deps, functionArn, payload));
  const requestId = randomUUID();
  return {
    ExecutedVersion: qualifier ?? '$LATEST',
    Payload: result,
    SdkHttpMetadata: {
      AllHttpHeaders: { 'X-Amz-Executed-Version': [qualifier ?? '$LATEST'], 'x-amzn-RequestId': [requestId] },
      HttpHeaders: { 'X-Amz-Executed-Version': qualifier ?? '$LATEST', 'x-amzn-RequestId': requestId },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

const COMMON_DYNAMO_KEYS = ['TableName', 'Key', 'ExpressionAttributeNames', 'ReturnConsumedCapacity'];
const DYNAMO_KEYS: Record<DynamoDbAction, ReadonlySet<string>> = {
  getItem: new Set([...COMMON_DYNAMO_KEYS, 'ConsistentRead', 'ProjectionExpression']),
  putItem: new Set([
    'TableName',
    'Item',
    'ConditionExpression',
    'ExpressionAttributeNames',
    'ExpressionAttributeValues',
    'ReturnValues',
    'ReturnConsumedCapacity',
    'ReturnItemCollectionMetrics',
    'ReturnValuesOnConditionCheckFailure',
  ]),
  updateItem: new Set([
    ...COMMON_DYNAMO_KEYS,
    'UpdateExpression',
    'ConditionExpression',
    'ExpressionAttributeValues',
    'ReturnValues',
    'ReturnItemCollectionMetrics',
    'ReturnValuesOnConditionCheckFailure',
  ]),
  deleteItem: new Set([
    ...COMMON_DYNAMO_KEYS,
    'ConditionExpression',
    'ExpressionAttributeValues',
    'ReturnValues',
    'ReturnItemCollectionMetrics',
    'ReturnValuesOnConditionCheckFailure',
  ]),
};

async function dynamoDb(action: DynamoDbAction, parameters: Json, deps: IntegrationDeps): Promise<Json> {
  const what = `dynamodb:${action}`;
  const p = requireObject(parameters, what, DYNAMO_KEYS[action]);
  const TableName = requireString(p, 'TableName', what);
  const names = optionalStringMap(p, 'ExpressionAttributeNames', what);
  const values =
    p['ExpressionAttributeValues'] === undefined
      ? undefined
      : attributeMap(p['ExpressionAttributeValues'], `${what} ExpressionAttributeValues`);
  const ReturnConsumedCapacity = optionalEnum(p, 'ReturnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE'] as const, what);
  const ReturnValues = optionalEnum(p, 'ReturnValues', ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'] as const, what);
  const ReturnItemCollectionMetrics = optionalEnum(p, 'ReturnItemCollectionMetrics', ['SIZE', 'NONE'] as const, what);
  const ReturnValuesOnConditionCheckFailure = optionalEnum(p, 'ReturnValuesOnConditionCheckFailure', ['ALL_OLD', 'NONE'] as const, what);
  const ConditionExpression = optionalString(p, 'ConditionExpression', what);
  try {
    let output: object;
    switch (action) {
      case 'getItem': {
        const consistent = p['ConsistentRead'];
        if (consistent !== undefined && typeof consistent !== 'boolean') throw runtimeError(`${what} ConsistentRead must be a boolean`);
        output = await deps.dynamodb.send(
          new GetItemCommand({
            TableName,
            Key: attributeMap(p['Key'], `${what} Key`),
            ConsistentRead: consistent,
            ProjectionExpression: optionalString(p, 'ProjectionExpression', what),
            ExpressionAttributeNames: names,
            ReturnConsumedCapacity,
          }),
        );
        break;
      }
      case 'putItem':
        output = await deps.dynamodb.send(
          new PutItemCommand({
            TableName,
            Item: attributeMap(p['Item'], `${what} Item`),
            ConditionExpression,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues:
              ReturnValues === 'NONE' || ReturnValues === 'ALL_OLD' || ReturnValues === undefined
                ? ReturnValues
                : badEnum(what, 'ReturnValues', ReturnValues),
            ReturnConsumedCapacity,
            ReturnItemCollectionMetrics,
            ReturnValuesOnConditionCheckFailure,
          }),
        );
        break;
      case 'updateItem':
        output = await deps.dynamodb.send(
          new UpdateItemCommand({
            TableName,
            Key: attributeMap(p['Key'], `${what} Key`),
            UpdateExpression: optionalString(p, 'UpdateExpression', what),
            ConditionExpression,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues,
            ReturnConsumedCapacity,
            ReturnItemCollectionMetrics,
            ReturnValuesOnConditionCheckFailure,
          }),
        );
        break;
      case 'deleteItem':
        output = await deps.dynamodb.send(
          new DeleteItemCommand({
            TableName,
            Key: attributeMap(p['Key'], `${what} Key`),
            ConditionExpression,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues:
              ReturnValues === 'NONE' || ReturnValues === 'ALL_OLD' || ReturnValues === undefined
                ? ReturnValues
                : badEnum(what, 'ReturnValues', ReturnValues),
            ReturnConsumedCapacity,
            ReturnItemCollectionMetrics,
            ReturnValuesOnConditionCheckFailure,
          }),
        );
        break;
    }
    return withSdkMetadata(output);
  } catch (error) {
    throw serviceError('DynamoDB', error);
  }
}

const SNS_KEYS = new Set([
  'TopicArn',
  'TargetArn',
  'PhoneNumber',
  'Message',
  'Subject',
  'MessageStructure',
  'MessageAttributes',
  'MessageGroupId',
  'MessageDeduplicationId',
]);

async function snsPublish(parameters: Json, deps: IntegrationDeps): Promise<Json> {
  const what = 'sns:publish';
  const p = requireObject(parameters, what, SNS_KEYS);
  const message = p['Message'];
  if (message === undefined) throw runtimeError(`${what} requires Message`);
  // As on AWS, a JSON (non-string) Message is published as its JSON text.
  const Message = typeof message === 'string' ? message : JSON.stringify(message);
  let MessageAttributes: Record<string, MessageAttributeValue> | undefined;
  const rawAttributes = p['MessageAttributes'];
  if (rawAttributes !== undefined) {
    if (!isJsonObject(rawAttributes)) throw runtimeError(`${what} MessageAttributes must be an object`);
    MessageAttributes = {};
    for (const [name, attribute] of Object.entries(rawAttributes)) {
      if (!isJsonObject(attribute) || typeof attribute['DataType'] !== 'string') {
        throw runtimeError(`${what} MessageAttributes.${name} needs a DataType`);
      }
      const StringValue = attribute['StringValue'];
      const BinaryValue = attribute['BinaryValue'];
      MessageAttributes[name] = {
        DataType: attribute['DataType'],
        StringValue: typeof StringValue === 'string' ? StringValue : undefined,
        BinaryValue: typeof BinaryValue === 'string' ? Buffer.from(BinaryValue, 'base64') : undefined,
      };
    }
  }
  try {
    const output = await deps.sns.send(
      new PublishCommand({
        TopicArn: optionalString(p, 'TopicArn', what),
        TargetArn: optionalString(p, 'TargetArn', what),
        PhoneNumber: optionalString(p, 'PhoneNumber', what),
        Message,
        Subject: optionalString(p, 'Subject', what),
        MessageStructure: optionalString(p, 'MessageStructure', what),
        MessageAttributes,
        MessageGroupId: optionalString(p, 'MessageGroupId', what),
        MessageDeduplicationId: optionalString(p, 'MessageDeduplicationId', what),
      }),
    );
    return withSdkMetadata(output);
  } catch (error) {
    throw serviceError('SNS', error);
  }
}

/** The SDK output without `$metadata`, plus the `SdkHttpMetadata` Step Functions adds. */
function withSdkMetadata(output: object): Json {
  const body: JsonObject = {};
  for (const [key, value] of Object.entries(output)) {
    if (key !== '$metadata' && value !== undefined) body[key] = toJson(value);
  }
  const requestId = randomUUID();
  body['SdkHttpMetadata'] = { HttpHeaders: { 'x-amzn-RequestId': requestId }, HttpStatusCode: 200 };
  body['SdkResponseMetadata'] = { RequestId: requestId };
  return body;
}

/** Service errors become `<Service>.<ErrorName>` (e.g. `DynamoDB.ConditionalCheckFailedException`). */
function serviceError(service: 'DynamoDB' | 'SNS', error: unknown): Error {
  if (error instanceof TaskFailedError) return error;
  if (error instanceof Error && '$metadata' in error) {
    return new TaskFailedError(`${service}.${error.name}`, `${error.message} (Service: ${service}; Error Code: ${error.name})`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TaskFailedError(`${service}.SdkClientException`, message);
}

function runtimeError(message: string): TaskFailedError {
  return new TaskFailedError('States.Runtime', message, false);
}

function badEnum(what: string, key: string, value: string): never {
  throw runtimeError(`${what} ${key} ${value} is not valid for this action`);
}

function requireObject(value: Json, what: string, allowed: ReadonlySet<string>): JsonObject {
  if (!isJsonObject(value)) throw runtimeError(`${what} Parameters must be an object`);
  const unknown = Object.keys(value).filter((key) => !allowed.has(key));
  if (unknown.length > 0) throw runtimeError(`${what}: unsupported parameter(s) ${unknown.join(', ')}`);
  return value;
}

function requireString(p: JsonObject, key: string, what: string): string {
  const value = p[key];
  if (typeof value !== 'string') throw runtimeError(`${what} requires ${key} (a string)`);
  return value;
}

function optionalString(p: JsonObject, key: string, what: string): string | undefined {
  const value = p[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw runtimeError(`${what} ${key} must be a string`);
  return value;
}

function optionalEnum<T extends string>(p: JsonObject, key: string, allowed: readonly T[], what: string): T | undefined {
  const value = p[key];
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw runtimeError(`${what} ${key} must be one of ${allowed.join(', ')}`);
  return found;
}

function optionalStringMap(p: JsonObject, key: string, what: string): Record<string, string> | undefined {
  const value = p[key];
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw runtimeError(`${what} ${key} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw runtimeError(`${what} ${key}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

function attributeMap(value: Json | undefined, where: string): Record<string, AttributeValue> {
  if (value === undefined || !isJsonObject(value)) throw runtimeError(`${where} must be a map of DynamoDB attribute values`);
  const out: Record<string, AttributeValue> = {};
  for (const [name, member] of Object.entries(value)) out[name] = attributeValue(member, `${where}.${name}`);
  return out;
}

/** DynamoDB JSON (`{"S": "x"}`, `{"N": "1"}`, ...) as Step Functions accepts it; binary is base64. */
function attributeValue(value: Json, where: string): AttributeValue {
  if (!isJsonObject(value)) throw runtimeError(`${where} must be a DynamoDB attribute value`);
  const entries = Object.entries(value);
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined) throw runtimeError(`${where} must have exactly one type key`);
  const [type, v] = entry;
  const strings = (): string[] => {
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string'))
      throw runtimeError(`${where}.${type} must be a list of strings`);
    return v;
  };
  switch (type) {
    case 'S':
    case 'N':
      if (typeof v !== 'string') throw runtimeError(`${where}.${type} must be a string`);
      return type === 'S' ? { S: v } : { N: v };
    case 'B':
      if (typeof v !== 'string') throw runtimeError(`${where}.B must be a base64 string`);
      return { B: Buffer.from(v, 'base64') };
    case 'SS':
      return { SS: strings() };
    case 'NS':
      return { NS: strings() };
    case 'BS':
      return { BS: strings().map((s) => Buffer.from(s, 'base64')) };
    case 'BOOL':
    case 'NULL':
      if (typeof v !== 'boolean') throw runtimeError(`${where}.${type} must be a boolean`);
      return type === 'BOOL' ? { BOOL: v } : { NULL: v };
    case 'M':
      return { M: attributeMap(v, `${where}.M`) };
    case 'L':
      if (!Array.isArray(v)) throw runtimeError(`${where}.L must be a list`);
      return { L: v.map((item, i) => attributeValue(item, `${where}.L[${i}]`)) };
    default:
      throw runtimeError(`${where}: unknown attribute type ${type}`);
  }
}
