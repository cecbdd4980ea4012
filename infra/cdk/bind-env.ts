/**
 * A function's environment variable and the IAM grant it implies, set in one place: whatever a
 * function is told about (a table, a topic, a workflow, a parameter), it may use exactly as the
 * plan (infra/manifest-plan.ts) says, and nothing else. This module only makes the plan's
 * logical names physical: tokens, ARNs and policy statements.
 */
import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { EnvSource, EnvVarPlan, Grant } from '../manifest-plan.js';

export { TABLE_ACTIONS, TASK_RESPONSE_ACTIONS } from '../manifest-plan.js';

/** The stack's resources, by manifest name, that the plan's sources and grants resolve to. */
export interface BindingTargets {
  table(logical: string): dynamodb.ITable;
  topic(logical: string): sns.ITopic;
  /** ARN built from the state machine's fixed name (no reference, so no dependency cycle). */
  stateMachineArn(logical: string): string;
  readonly api: appsync.GraphqlApi;
  /** The physical name of a queue prefix: what manifest queue names get prepended, then the prefix. */
  queueNamePrefix(logical: string): string;
  readonly userPool: cognito.IUserPool;
  /** The deployed name of a manifest SSM parameter (context may rename it). */
  ssmParameterName(manifestName: string): string;
  /** KMS key ARN for SecureString decryption; absent = any key in the account, limited by encryption context. */
  readonly ssmKmsKeyArn?: string;
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

function envValue(source: EnvSource, targets: BindingTargets): string {
  switch (source.kind) {
    case 'tableName':
      return targets.table(source.table).tableName;
    case 'topicArn':
      return targets.topic(source.topic).topicArn;
    case 'stateMachineArn':
      return targets.stateMachineArn(source.stateMachine);
    case 'graphqlUrl':
      return targets.api.graphqlUrl;
    case 'ssmParameterName':
      return targets.ssmParameterName(source.parameter);
    case 'queuePrefix':
      return targets.queueNamePrefix(source.prefix);
    case 'userPoolId':
      return targets.userPool.userPoolId;
    case 'value':
      return source.value;
  }
}

/** The resource of a `triggeringUserPool` grant: every user pool of the stack's account and region. */
export function triggeringUserPoolArn(stack: Stack): string {
  return stack.formatArn({ service: 'cognito-idp', resource: 'userpool', resourceName: '*' });
}

/** Adds the policy statements for one planned grant to `fn`'s role. */
export function grant(fn: lambda.Function, g: Grant, targets: BindingTargets): void {
  const stack = Stack.of(fn);
  const allow = (resources: string[]) => fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...g.actions], resources }));
  const r = g.resource;
  switch (r.kind) {
    case 'table': {
      const { tableArn } = targets.table(r.table);
      allow([tableArn, ...r.indexes.map((index) => `${tableArn}/index/${index}`)]);
      return;
    }
    case 'topic':
      allow([targets.topic(r.topic).topicArn]);
      return;
    case 'stateMachine':
      allow([targets.stateMachineArn(r.stateMachine)]);
      return;
    case 'ssmParameter': {
      const parameterArn = ssmParameterArn(stack, targets.ssmParameterName(r.parameter));
      allow([parameterArn]);
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
      return;
    }
    case 'graphqlFields':
      targets.api.grant(fn, appsync.IamResource.ofType(r.typeName, ...r.fields), ...g.actions);
      return;
    case 'queuePrefix':
      // Queues created at run time: only those whose name starts with the prefix, in this account and region.
      allow([
        stack.formatArn({ service: 'sqs', resource: `${targets.queueNamePrefix(r.prefix)}*`, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
      ]);
      return;
    case 'userPool':
      allow([targets.userPool.userPoolArn]);
      return;
    case 'triggeringUserPool':
      // Any pool of this account and region (the trigger's own pool cannot be named: it names the
      // function). Only AdminAddUserToGroup: the nag acknowledgement says why the wildcard is safe.
      allow([triggeringUserPoolArn(stack)]);
      return;
  }
}

/** Sets the planned variable on `fn` and grants exactly the access its binding implies. */
export function bindEnv(fn: lambda.Function, env: EnvVarPlan, targets: BindingTargets): void {
  fn.addEnvironment(env.name, envValue(env.source, targets));
  if (env.grant !== undefined) grant(fn, env.grant, targets);
}
