/**
 * Every cdk-nag (AwsSolutions) finding this stack accepts, each with the reason it is accepted,
 * recorded with CDK's `Validations.of(construct).acknowledge` (cdk-nag v3 reads these). Each
 * acknowledgement names one exact finding (`AwsSolutions-IAM5[Resource::…]`), so a new wildcard
 * in the same policy is still reported.
 */
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One accepted finding: where, which, why. */
export interface NagAcknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

export interface NagTargets {
  /** Function name → its role and its function construct. */
  readonly functions: ReadonlyMap<string, { readonly role: IConstruct; readonly fn: IConstruct }>;
  /** AppSync data sources that call a function, with the function. */
  readonly lambdaDataSources: readonly { readonly serviceRole: IConstruct; readonly fn: IConstruct }[];
  /** AppSync DynamoDB data sources on a table that has GSIs, with the table. */
  readonly indexedTableDataSources: readonly { readonly serviceRole: IConstruct; readonly table: IConstruct }[];
  readonly stateMachineRoles: readonly IConstruct[];
  /** Functions that consume a DynamoDB stream (their roles get dynamodb:ListStreams on *). */
  readonly streamConsumers: ReadonlySet<string>;
  /** Functions that read a SecureString with no KMS key ARN configured. */
  readonly ssmKeyWildcard: ReadonlySet<string>;
  readonly streamFailureQueues: readonly IConstruct[];
  /** Cognito user pools (infra/cdk/identity.ts). */
  readonly userPools?: readonly IConstruct[];
  /** Function name → the physical queue-name pattern (`<stack>-store-*`) it may create queues under. */
  readonly queuePrefixGrants?: ReadonlyMap<string, string>;
  /** Functions the user pool invokes as a trigger, granted AdminAddUserToGroup on `userpool/*`. */
  readonly userPoolTriggers?: ReadonlySet<string>;
}

const XRAY =
  'X-Ray active tracing: xray:PutTraceSegments/PutTelemetryRecords support no resource-level permissions, so their resource is "*".';

function arnRef(c: IConstruct): string {
  const cfn = c.node.defaultChild;
  if (!(cfn instanceof CfnResource)) throw new Error(`${c.node.path} has no CloudFormation resource`);
  return `<${Stack.of(c).getLogicalId(cfn)}.Arn>`;
}

/** Records the acknowledgements and returns them (for the README and the tests). */
export function acknowledgeNagFindings(t: NagTargets): NagAcknowledgement[] {
  const out: NagAcknowledgement[] = [];
  const ack = (c: IConstruct, id: string, reason: string) => {
    Validations.of(c).acknowledge({ id, reason });
    out.push({ path: c.node.path, id, reason });
  };
  for (const [name, { role, fn }] of t.functions) {
    const reason = t.streamConsumers.has(name)
      ? `${XRAY} dynamodb:ListStreams (added by the stream event source) also supports only "*".`
      : XRAY;
    ack(role, 'AwsSolutions-IAM5[Resource::*]', reason);
    if (t.ssmKeyWildcard.has(name)) {
      ack(
        role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
        'kms:Decrypt on key/* of this account and region, but only via SSM (kms:ViaService) and only for the routing-key parameter ' +
          '(kms:EncryptionContext:PARAMETER_ARN): whoever creates the SecureString picks its key. Pass -c orsApiKeyKmsKeyArn=<arn> to name the key instead.',
      );
    }
    ack(
      fn,
      'AwsSolutions-L1',
      'Node.js 22 on purpose: package.json engines, the local stack that runs these handlers in process, the tests and the esbuild ' +
        'bundles all target Node 22, so the deployed runtime is the one tested; a newer runtime is a deliberate upgrade, tested first.',
    );
  }
  for (const [name, pattern] of t.queuePrefixGrants ?? []) {
    const target = t.functions.get(name);
    if (target === undefined) continue;
    ack(
      target.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:${pattern}]`,
      'Stores are data: onboarding a store creates its alert queue and dead-letter queue at run time (no deploy), so their names are ' +
        `not known at synth. The grant covers only queues named ${pattern} in this account and region, and only CreateQueue, ` +
        'GetQueueAttributes and SetQueueAttributes (no receive, send or delete).',
    );
  }
  for (const name of t.userPoolTriggers ?? []) {
    const target = t.functions.get(name);
    if (target === undefined) continue;
    ack(
      target.role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cognito-idp:<AWS::Region>:<AWS::AccountId>:userpool/*]',
      "The user pool's PostConfirmation trigger adds the confirmed user to `customers`. The pool names the function in its " +
        'LambdaConfig, so a policy naming the pool would be a circular dependency; the grant covers the pools of this account ' +
        'and region, and only cognito-idp:AdminAddUserToGroup (the trigger reads the pool id from the event Cognito sends).',
    );
  }
  for (const { serviceRole, fn } of t.lambdaDataSources) {
    ack(
      serviceRole,
      `AwsSolutions-IAM5[Resource::${arnRef(fn)}:*]`,
      'AppSync Lambda data source: CDK grants invoke on the function and its versions/aliases ("<function ARN>:*"); nothing beyond that one function.',
    );
  }
  for (const { serviceRole, table } of t.indexedTableDataSources) {
    ack(
      serviceRole,
      `AwsSolutions-IAM5[Resource::${arnRef(table)}/index/*]`,
      'AppSync DynamoDB data source (read-only): the table and its own indexes ("<table ARN>/index/*"), which a Query on a GSI needs.',
    );
  }
  for (const role of t.stateMachineRoles) {
    ack(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Step Functions logging uses CloudWatch Logs vended delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups, …) and X-Ray; ' +
        'neither supports resource-level permissions, so their resource is "*". The workflow\'s own Lambda and DynamoDB permissions name their resources.',
    );
  }
  for (const queue of t.streamFailureQueues) {
    ack(
      queue,
      'AwsSolutions-SQS3',
      'This queue is the on-failure destination of the DynamoDB stream mapping (records that failed every retry): a DLQ of a DLQ adds nothing.',
    );
  }
  for (const pool of t.userPools ?? []) {
    ack(
      pool,
      'AwsSolutions-COG2',
      'MFA is optional (TOTP), not required: customers sign themselves up to order a pizza, and a second factor at sign-up would turn most away. ' +
        'Staff and operators can enrol TOTP; making it required for their groups is a pre-token-generation check, not a pool setting.',
    );
    ack(
      pool,
      'AwsSolutions-COG8',
      'Threat protection (adaptive authentication, compromised-credential checks) needs the Plus feature plan, billed per monthly active user; ' +
        'this reference deployment uses Essentials. Switch featurePlan to PLUS in identity.ts for a production pool with real customers.',
    );
  }
  return out;
}
