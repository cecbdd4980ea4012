import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest } from '../manifest.js';
import { UnsupportedIntegrationError, workflowPermissions } from './workflow-permissions.js';

const root = join(import.meta.dirname, '..', '..');
const task = (Resource: string, Parameters: Record<string, unknown>) => ({
  StartAt: 'A',
  States: { A: { Type: 'Task', Resource, Parameters, End: true } },
});

describe('workflowPermissions', () => {
  it('derives exactly invoke on the two functions and GetItem/UpdateItem on the orders table from the order workflow', () => {
    const [spec] = manifest.stateMachines;
    const asl: unknown = JSON.parse(readFileSync(join(root, spec!.definitionFile), 'utf8'));
    expect(workflowPermissions(asl)).toEqual([
      { placeholder: 'AwaitPartyFunctionArn', actions: ['lambda:InvokeFunction'] },
      { placeholder: 'OrdersTableName', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
      { placeholder: 'AwaitDeliveryFunctionArn', actions: ['lambda:InvokeFunction'] },
    ]);
  });

  it('looks inside Parallel branches and Map processors', () => {
    const inner = task('arn:aws:states:::sns:publish', { TopicArn: '${Alerts}' });
    const asl = {
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [inner], Next: 'M' },
        M: { Type: 'Map', ItemProcessor: task('arn:aws:states:::dynamodb:putItem', { TableName: '${T}' }), End: true },
      },
    };
    expect(workflowPermissions(asl)).toEqual([
      { placeholder: 'Alerts', actions: ['sns:Publish'] },
      { placeholder: 'T', actions: ['dynamodb:PutItem'] },
    ]);
  });

  it('fails on an integration it has no IAM mapping for', () => {
    expect(() => workflowPermissions(task('arn:aws:states:::sqs:sendMessage', { QueueUrl: '${Q}' }))).toThrow(UnsupportedIntegrationError);
  });

  it('fails when the resource is not a literal placeholder (the role could not name it)', () => {
    expect(() => workflowPermissions(task('arn:aws:states:::dynamodb:getItem', { 'TableName.$': '$.table' }))).toThrow(/literal/);
    expect(() => workflowPermissions(task('arn:aws:lambda:us-east-1:1:function:x', {}))).toThrow(/optimised/);
  });
});
