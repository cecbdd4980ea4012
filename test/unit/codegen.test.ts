import { execFile, execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA_FILE, clientSchemaSdl, scalarMap } from '../../client/build-schema.js';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

describe('generated/ (graphql-codegen)', () => {
  it('is up to date with schema.graphql (graphql-codegen --check)', () => {
    const run = () =>
      execFileSync(join(root, 'node_modules/.bin/graphql-codegen'), ['--config', 'codegen.yml', '--check'], { cwd: root, stdio: 'pipe' });
    expect(run).not.toThrow();
  }, 60_000);
});

describe('client/schema.graphql', () => {
  it('is up to date with schema.graphql and the AppSync prelude (npm run client:schema)', () => {
    expect(readFileSync(CLIENT_SCHEMA_FILE, 'utf8')).toBe(clientSchemaSdl());
  });

  it('loads in graphql-js as it is, AWS scalars and @aws_* directives included', () => {
    const schema = buildSchema(readFileSync(CLIENT_SCHEMA_FILE, 'utf8'));
    expect(schema.getType('AWSDateTime')).toBeDefined();
    expect(schema.getDirective('aws_subscribe')).toBeDefined();
    expect(schema.getQueryType()?.getFields().listStores).toBeDefined();
  });

  it('documents the scalar map of codegen.yml, the one map every generator here uses', () => {
    const map = scalarMap();
    expect(map).toMatchObject({ AWSJSON: 'string', AWSTimestamp: 'number', AWSDateTime: 'string' });
    const header = readFileSync(CLIENT_SCHEMA_FILE, 'utf8').split('\n# ---')[0]!;
    for (const [scalar, type] of Object.entries(map)) expect(header).toMatch(new RegExp(`#\\s+${scalar}\\s+${type}\\s`));
  });
});

describe("client/operations.graphql (the README's example operations)", () => {
  const operations = readFileSync(join(root, 'client', 'operations.graphql'), 'utf8');

  it("is the README's example block, character for character", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('```graphql\n', readme.indexOf('Example operations')) + '```graphql\n'.length;
    expect(readme.slice(start, readme.indexOf('```', start))).toBe(operations);
  });

  it('is valid against the client schema', () => {
    expect(validate(buildSchema(readFileSync(CLIENT_SCHEMA_FILE, 'utf8')), parse(operations)).map((e) => e.message)).toEqual([]);
  });
});

describe('client/generated/ (the client-preset codegen example)', () => {
  it('is what codegen writes now (--check), with a typed document per example operation', async () => {
    await run(join(root, 'node_modules/.bin/graphql-codegen'), ['--config', 'client/codegen.ts', '--check'], { cwd: root });
    expect((await readdir(join(root, 'client', 'generated'))).sort()).toEqual(['gql.ts', 'graphql.ts', 'index.ts']);
    const generated = await readFile(join(root, 'client', 'generated', 'graphql.ts'), 'utf8');
    for (const name of ['PlaceDocument', 'MineDocument', 'TrackDocument', 'AcceptDocument', 'StoresDocument'])
      expect(generated).toContain(`export const ${name} =`);
    // AWS scalars become the map's types (AWSDateTime → string), never `unknown` or `any`.
    expect(generated).toMatch(/export type PlaceMutation = \{ placeOrder: \{[^}]*createdAt: string \} \}/);
    const operationTypes = generated.split('\n').filter((line) => /^export type \w+(Query|Mutation|Subscription) = /.test(line));
    expect(operationTypes.length).toBeGreaterThan(5);
    expect(operationTypes.filter((line) => /: (unknown|any)\b/.test(line))).toEqual([]);
  }, 60_000);

  it('type-checks together with the Apollo example that uses it (tsc -p client/tsconfig.json)', async () => {
    await expect(run(join(root, 'node_modules/.bin/tsc'), ['-p', 'client/tsconfig.json'], { cwd: root })).resolves.toBeDefined();
  }, 180_000);
});
