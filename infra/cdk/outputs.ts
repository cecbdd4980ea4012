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
  /** Store alert queues are `<prefix><storeId>`, created when a store is onboarded. */
  storeQueuePrefix: 'StoreQueuePrefix',
} as const;

/** CloudFormation output ids are alphanumeric: `store-ouud…` → `StoreOuud…`. */
export function outputKey(prefix: 'TableName' | 'QueueUrl' | 'DlqUrl' | 'StateMachineArn' | 'TopicArn', logical: string): string {
  const words = logical.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  return prefix + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
