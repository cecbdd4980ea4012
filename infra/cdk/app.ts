/**
 * The CDK app (`cdk.json` runs it with tsx): one env-agnostic stack from the manifest, checked by
 * cdk-nag's AwsSolutions pack (an unsuppressed finding fails the synth).
 * Settings come from CDK context; see infra/cdk/config.ts and infra/README.md.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { manifest } from '../manifest.js';
import { stackConfigFromContext } from './config.js';
import { ServerlessPizzaStack } from './stack.js';

const rootDir = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const app = new App();
const config = stackConfigFromContext((key) => app.node.tryGetContext(key));
new ServerlessPizzaStack(app, config.stackName, {
  manifest,
  config,
  rootDir,
  description: `Serverless Pizza (${config.stage}): AppSync, Step Functions, DynamoDB, SNS/SQS`,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
