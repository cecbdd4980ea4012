/**
 * A function's environment variable and the IAM grant it implies, set in one place: whatever a
 * function is told about (a table, a topic, a workflow, a parameter), it may use exactly as the
 * binding says, and nothing else.
 */
import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { EnvBinding, TableSpec } from '../manifest-types.js';

/** DynamoDB data-plane actions per access level (TransactWriteItems is authorised per item action). */
export const TABLE_ACTIONS = {
  read: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
  readWrite: [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
  ],
} as const;

export const TASK_RESPONSE_ACTIONS = ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'] as const;

/** The stack's resources, by manifest name, that bindings resolve to. */
export interface BindingTargets {
  table(logical: string): { readonly table: dynamodb.ITable; readonly spec: TableSpec };
  topic(logical: string): sns.ITopic;
  /** ARN built from the state machine's fixed name (no reference, so no dependency cycle). */
  stateMachineArn(logical: string): string;
  graphqlUrl(): string;
  /** The deployed name of a manifest SSM parameter (context may rename it). */
  ssmParameterName(manifestName: string): string;
  /** KMS key ARN for SecureString decryption; absent = any key in the account, limited by encryption context. */
  readonly ssmKmsKeyArn?: string;
}

export class UnknownBindingTargetError extends Error {
  override readonly name = 'UnknownBindingTargetError';
}

/** ARN of a table and each of its GSIs (explicit index names, no `index/*`). */
export function tableResourceArns(table: dynamodb.ITable, spec: TableSpec): string[] {
  return [table.tableArn, ...(spec.globalSecondaryIndexes ?? []).map((gsi) => `${table.tableArn}/index/${gsi.name}`)];
}

/** ARN of an SSM parameter by name (with or without the leading slash). */
export function ssmParameterArn(scope: Stack, name: string): string {
  return scope.formatArn({
    service: 'ssm',
    resource: 'parameter',
    resourceName: name.replace(/^\//, ''),
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** Sets `name` on `fn` to what `binding` points at and grants exactly the access it implies. */
export function bindEnv(fn: lambda.Function, name: string, binding: EnvBinding, targets: BindingTargets): void {
  const stack = Stack.of(fn);
  if ('table' in binding) {
    const { table, spec } = targets.table(binding.table);
    fn.addEnvironment(name, table.tableName);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...TABLE_ACTIONS[binding.access]], resources: tableResourceArns(table, spec) }));
  } else if ('topic' in binding) {
    const topic = targets.topic(binding.topic);
    fn.addEnvironment(name, topic.topicArn);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
  } else if ('stateMachine' in binding) {
    const arn = targets.stateMachineArn(binding.stateMachine);
    fn.addEnvironment(name, arn);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] }));
  } else if ('graphqlUrl' in binding) {
    // The URL alone grants nothing: calling the API needs `graphqlIam` (see grantGraphqlIam).
    fn.addEnvironment(name, targets.graphqlUrl());
  } else if ('ssmParameter' in binding) {
    const parameterName = targets.ssmParameterName(binding.ssmParameter);
    const parameterArn = ssmParameterArn(stack, parameterName);
    fn.addEnvironment(name, parameterName);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameterArn] }));
    // SecureString: SSM decrypts with the caller's KMS permission, and always passes the
    // parameter's ARN as encryption context, so the grant covers this one parameter only.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [targets.ssmKmsKeyArn ?? stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
        conditions: {
          StringEquals: { 'kms:ViaService': `ssm.${Aws.REGION}.${Aws.URL_SUFFIX}`, 'kms:EncryptionContext:PARAMETER_ARN': parameterArn },
        },
      }),
    );
  } else if ('value' in binding) {
    fn.addEnvironment(name, binding.value);
  } else {
    throw new UnknownBindingTargetError(`env var ${name}: unknown binding ${JSON.stringify(binding)}`);
  }
}

/** Lets `fn` resume (or heartbeat) the waiting tasks of one state machine. */
export function grantTaskResponse(fn: lambda.Function, stateMachineArn: string): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...TASK_RESPONSE_ACTIONS], resources: [stateMachineArn] }));
}
