/**
 * Test helpers: synthesize a stack in-process (once per test file: bundling seven functions takes
 * seconds) and navigate the template by the constructs that made it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { Manifest } from '../../manifest-types.js';
import { stackConfigFromContext } from '../config.js';
import { ServerlessPizzaStack } from '../stack.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface Synthesized {
  readonly app: App;
  readonly stack: ServerlessPizzaStack;
  readonly template: Template;
  readonly json: {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
    Outputs?: Record<string, { Value: unknown }>;
  };
  dispose(): void;
}

export function synthesize(manifest: Manifest, context: Record<string, unknown> = {}, rootDir = REPO_ROOT): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'pizza-cdk-'));
  const app = new App({ outdir, context });
  const config = stackConfigFromContext((k) => app.node.tryGetContext(k));
  const stack = new ServerlessPizzaStack(app, config.stackName, { manifest, config, rootDir });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    json: template.toJSON() as Synthesized['json'],
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Logical id of a construct's CloudFormation resource. */
export function logicalId(c: IConstruct): string {
  const cfn = c instanceof CfnResource ? c : c.node.defaultChild;
  if (!(cfn instanceof CfnResource)) throw new Error(`${c.node.path} has no CloudFormation resource`);
  return Stack.of(c).getLogicalId(cfn);
}

/** Every `Ref` and `Fn::GetAtt` target inside a template fragment. */
export function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') into.add(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') into.add(v[0]);
      else referencedIds(v, into);
    }
  }
  return into;
}
