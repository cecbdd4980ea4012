/**
 * Stack output keys: written by the stack, read by the scripts (amplify-config, seed) from the
 * `cdk deploy --outputs-file` JSON. One definition, so writer and readers cannot disagree.
 */
export const OUTPUT = {
  graphqlUrl: 'GraphqlUrl',
  realtimeUrl: 'RealtimeUrl',
  apiKey: 'ApiKey',
  region: 'Region',
  userPoolId: 'UserPoolId',
  userPoolClientId: 'UserPoolClientId',
  /** The SNS topic every alarm notifies (infra/cdk/monitoring.ts). */
  alarmTopicArn: 'AlarmTopicArn',
  /** Who the alarm topic notifies: the `alarmEmail` setting, or a sentence saying nobody is. */
  alarmSubscriber: 'AlarmSubscriber',
  /** The CloudWatch dashboard of the business and the plumbing. */
  dashboardName: 'DashboardName',
  /** Store alert queues are `<prefix><storeId>`, created when a store is onboarded. */
  storeQueuePrefix: 'StoreQueuePrefix',
} as const;

/** CloudFormation output ids are alphanumeric: `store-ouud…` → `StoreOuud…`. */
export function outputKey(prefix: 'TableName' | 'QueueUrl' | 'DlqUrl' | 'StateMachineArn' | 'TopicArn', logical: string): string {
  const words = logical.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return prefix + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
