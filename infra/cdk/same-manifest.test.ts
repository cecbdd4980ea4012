/**
 * The local stack and the CDK stack are built from the same manifest: one change to it (a new
 * resolver on a new schema field, a new queue) shows up in both, with no other file touched.
 * The local side is the real local stack (in memory, loopback, free ports), queried over HTTP.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { manifest } from '../manifest.js';
import type { Manifest } from '../manifest-types.js';
import { logicalId, REPO_ROOT, synthesize, type Synthesized } from './testing/synth.js';

const FIELD = 'specialOfTheDay';
const QUEUE = 'specials-ouudJiBWJd0HQUafMVLvX';

let dir: string;
let modified: Manifest;
let cdk: Synthesized;
let local: LocalStack | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pizza-manifest-'));
  const schema = readFileSync(join(REPO_ROOT, manifest.schemaFile), 'utf8');
  if (!schema.includes('type Query {')) throw new Error('schema.graphql has no `type Query {` to extend');
  // Public like listStores, so the test can call it with the API key on both targets (a field
  // without a directive takes the default mode: a signed-in user).
  writeFileSync(
    join(dir, 'schema.graphql'),
    schema.replace('type Query {', `type Query {\n  ${FIELD}: String @aws_api_key @aws_cognito_user_pools`),
  );
  writeFileSync(
    join(dir, `Query.${FIELD}.js`),
    "export function request(ctx) {\n  return { payload: 'Margherita' };\n}\n\nexport function response(ctx) {\n  return ctx.result;\n}\n",
  );
  // Manifest paths are relative to the repository root.
  const rel = (file: string) => relative(REPO_ROOT, join(dir, file));
  modified = {
    ...manifest,
    schemaFile: rel('schema.graphql'),
    resolvers: [...manifest.resolvers, { typeName: 'Query', fieldName: FIELD, dataSource: 'None', file: rel(`Query.${FIELD}.js`) }],
    queues: [
      ...manifest.queues,
      { name: QUEUE, topic: 'StoreAlerts', filterPolicy: { storeId: ['ouudJiBWJd0HQUafMVLvX'], special: ['true'] } },
    ],
  };
  cdk = synthesize(modified);
  local = await startLocalStack({ inMemory: true, port: 0, manifest: modified });
}, 180_000);

afterAll(async () => {
  await local?.stop();
  cdk?.dispose();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('one manifest, two stacks', () => {
  it('deploys the added resolver on the added field to AWS', () => {
    const resolvers = Object.values(cdk.json.Resources).filter((r) => r.Type === 'AWS::AppSync::Resolver');
    expect(resolvers.find((r) => r.Properties?.FieldName === FIELD)?.Properties).toMatchObject({
      TypeName: 'Query',
      DataSourceName: 'None',
      Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
      Code: expect.stringContaining('Margherita'),
    });
    const schema = Object.values(cdk.json.Resources).find((r) => r.Type === 'AWS::AppSync::GraphQLSchema');
    expect(String(schema?.Properties?.Definition)).toContain(`${FIELD}: String @aws_api_key`);
  });

  it('serves the added resolver locally', async () => {
    const response = await fetch(local!.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': local!.apiKey },
      body: JSON.stringify({ query: `{ ${FIELD} }` }),
    });
    expect(await response.json()).toEqual({ data: { [FIELD]: 'Margherita' } });
  });

  it('creates the added queue, with its dead-letter queue and filtered subscription, in both', () => {
    const added = cdk.stack.queues.get(QUEUE);
    expect(added).toBeDefined();
    const sub = Object.values(cdk.json.Resources).find(
      (r) => r.Type === 'AWS::SNS::Subscription' && JSON.stringify(r.Properties?.Endpoint).includes(logicalId(added!.queue)),
    );
    expect(sub?.Properties?.FilterPolicy).toEqual({ storeId: ['ouudJiBWJd0HQUafMVLvX'], special: ['true'] });
    expect(local!.queueUrl(QUEUE)).toContain(QUEUE);
    expect(local!.dlqUrl(QUEUE)).toContain(`${QUEUE}-dlq`);
  });
});
