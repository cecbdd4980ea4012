import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, isObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { manifest } from '../../infra/manifest.js';

const root = join(import.meta.dirname, '..', '..');

function loadSchema(): GraphQLSchema {
  const prelude = readFileSync(join(root, 'infra/appsync-prelude.graphql'), 'utf8');
  return buildSchema(`${prelude}\n${readFileSync(join(root, manifest.schemaFile), 'utf8')}`);
}

describe('manifest', () => {
  const schema = loadSchema();

  // Subscriptions too: a subscription's resolver sets its filter from the subscriber's identity.
  it('has exactly one resolver for every Query, Mutation and Subscription field', () => {
    const fields = ['Query', 'Mutation', 'Subscription'].flatMap((type) => {
      const t = schema.getType(type);
      return isObjectType(t) ? Object.keys(t.getFields()).map((f) => `${type}.${f}`) : [];
    });
    const resolved = manifest.resolvers.map((r) => `${r.typeName}.${r.fieldName}`);
    expect([...resolved].sort()).toEqual([...fields].sort());
  });

  it('names existing resolver files and data sources', () => {
    for (const r of manifest.resolvers) {
      expect(existsSync(join(root, r.file)), r.file).toBe(true);
      expect(manifest.dataSources.map((d) => d.name)).toContain(r.dataSource);
    }
  });

  it('wires data sources, state machines and streams to resources that exist', () => {
    const fns = manifest.functions.map((f) => f.name);
    const tables = manifest.tables.map((t) => t.name);
    for (const ds of manifest.dataSources) {
      if (ds.type === 'AWS_LAMBDA') expect(fns).toContain(ds.function);
      if (ds.type === 'AMAZON_DYNAMODB') expect(tables).toContain(ds.table);
    }
    for (const s of manifest.streams) {
      expect(fns).toContain(s.function);
      expect(manifest.tables.find((t) => t.name === s.table)?.stream).toBeDefined();
    }
    for (const q of manifest.queues) expect(manifest.topics.map((t) => t.name)).toContain(q.topic);
  });

  it('gives every function exactly the environment variables its handler reads', async () => {
    for (const fn of manifest.functions) {
      const mod: unknown = await import(join(root, fn.entry));
      const declared = typeof mod === 'object' && mod !== null && 'ENV' in mod && Array.isArray(mod.ENV) ? mod.ENV : null;
      expect(declared, `${fn.entry} exports ENV`).not.toBeNull();
      expect(Object.keys(fn.env).sort(), fn.name).toEqual([...(declared ?? [])].sort());
    }
  });

  it('starts workflows from the orders stream only: placeOrder writes, startWorkflow (new orders only) starts', () => {
    const starters = manifest.functions.filter((fn) =>
      Object.values(fn.env).some((binding) => 'stateMachine' in binding && binding.access === 'start'),
    );
    expect(starters.map((fn) => fn.name)).toEqual(['startWorkflow']);
    const mapping = manifest.streams.find((s) => s.function === 'startWorkflow');
    expect(mapping).toMatchObject({ table: 'Orders', filter: { eventName: ['INSERT'] } });
    // The workflow settings live with the function that starts it.
    const place = manifest.functions.find((fn) => fn.name === 'placeOrder');
    expect(Object.keys(place?.env ?? {}).filter((name) => name.endsWith('_TIMEOUT_SECONDS'))).toEqual([]);
  });

  it('gives each table stream at most two consumers (DynamoDB streams: two readers per shard before throttling)', () => {
    for (const table of manifest.tables) {
      expect(manifest.streams.filter((s) => s.table === table.name).length, table.name).toBeLessThanOrEqual(2);
    }
  });

  it('substitutes every placeholder of each workflow and nothing else', () => {
    for (const sm of manifest.stateMachines) {
      const text = readFileSync(join(root, sm.definitionFile), 'utf8');
      const placeholders = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
      expect([...placeholders].sort()).toEqual(Object.keys(sm.substitutions).sort());
    }
  });
});
