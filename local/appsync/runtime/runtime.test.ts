import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolverInvocation } from '../types.js';
import {
  createFieldResolver,
  evaluateCode,
  loadResolver,
  UnsupportedResolverFeatureError,
  type DataSourceRuntime,
  type LoadedResolver,
} from './index.js';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);

function invocation(overrides: Partial<ResolverInvocation> = {}): ResolverInvocation {
  return {
    arguments: {},
    identity: null,
    authType: 'API_KEY',
    source: null,
    request: { headers: { 'x-api-key': 'k' }, domainName: null },
    info: {
      fieldName: 'getOrder',
      parentTypeName: 'Query',
      variables: {},
      selectionSetList: ['id', 'status'],
      selectionSetGraphQL: '{ id status }',
    },
    ...overrides,
  };
}

const NONE: DataSourceRuntime = { type: 'NONE' };

async function rejection(file: string): Promise<UnsupportedResolverFeatureError> {
  const err: unknown = await loadResolver(file).catch((e: unknown) => e);
  if (!(err instanceof UnsupportedResolverFeatureError)) throw new Error(`expected UnsupportedResolverFeatureError, got ${String(err)}`);
  return err;
}

describe('loadResolver', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'appsync-runtime-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('rejects unsupported features with the source file, line and column of each', async () => {
    const err = await rejection(fixture('unsupported.ts'));

    const found = err.violations.filter((v) => v.file === fixture('unsupported.ts')).map((v) => `${v.line}:${v.column} ${v.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        '4:1 no-classes',
        '9:3 no-try',
        '14:16 no-regex',
        '15:16 unsupported-runtime-member',
        '16:15 no-in-operator',
      ]),
    );
    expect(err.message).toContain('util.time.nowFormatted is not implemented');
    expect(err.name).toBe('UnsupportedResolverFeatureError');
  });

  it.each([
    ['while (ctx.args.n) { ctx.args.n = 0; }', 'no-while'],
    ['for (let i = 0; i < 2; i += 1) { console.log(i); }', 'no-for'],
    ['for (const x of [1]) { if (x) continue; }', 'no-continue'],
    ['let i = 0; i++;', 'no-disallowed-unary-operators'],
    ['const x = ~1;', 'no-disallowed-unary-operators'],
    ['throw new Error("x");', 'no-throw'],
    ['const p = new Promise(() => 1);', 'unsupported-builtin'],
    ['const f = (a: number) => a; f.call(null, 1);', 'no-function-apply'],
    ['const f = (a: number) => a; [3, 1].sort((a, b) => a - b);', 'no-function-passing'],
    ['const s = "a".padStart(3);', 'unsupported-builtin'],
    ['const o = Object.freeze({});', 'unsupported-builtin'],
    ['ctx.stash = {};', 'no-disallowed-re-assignment'],
    ['const x = [] instanceof Array;', 'no-disallowed-binary-operators'],
    ['util.nope();', 'unsupported-runtime-member'],
    ['extensions.evictFromApiCache("Query", "getOrder", {});', 'unsupported-runtime-member'],
    ['const u = util; u.autoId();', 'dynamic-runtime-access'],
  ])('rejects `%s` (%s)', async (body, rule) => {
    const file = path.join(tmp, `r${Math.random().toString(36).slice(2)}.ts`);
    await writeFile(
      file,
      `import { util, extensions } from '@aws-appsync/utils';\nexport function request(ctx: any) {\n  ${body}\n  return {};\n}\nexport function response(ctx: any) { return ctx.result; }\nvoid util; void extensions;\n`,
    );

    const err = await rejection(file);

    expect(err.violations.map((v) => v.rule)).toContain(rule);
    expect(err.violations.find((v) => v.rule === rule)).toMatchObject({ file, line: 3 });
  });

  it('rejects imports of dynamodb helpers the runtime lacks', async () => {
    const file = path.join(tmp, 'batch.ts');
    await writeFile(
      file,
      `// @ts-ignore\nimport { batchGet } from '@aws-appsync/utils/dynamodb';\nexport const request = () => batchGet({ tables: {} });\nexport const response = (ctx: any) => ctx.result;\n`,
    );

    const err = await rejection(file);

    expect(err.violations[0]).toMatchObject({ rule: 'unsupported-import', line: 2 });
  });

  it('rejects code over 32,768 characters', async () => {
    const file = path.join(tmp, 'big.ts');
    const source = (await import('node:fs/promises')).readFile(fixture('size.ts'), 'utf8');
    await writeFile(file, (await source).replace('FILLER_TEXT', 'x'.repeat(33_000)));

    const err = await rejection(file);

    expect(err.violations.map((v) => v.rule)).toContain('code-size');
  });

  it('keeps the deployable ESM bundle with @aws-appsync/utils external', async () => {
    const resolver = await loadResolver(fixture('flow.ts'));

    expect(resolver.code).toContain('from "@aws-appsync/utils"');
    expect(resolver.code).toMatch(/export \{[\s\S]*request[\s\S]*response[\s\S]*\}/);
  });
});

describe('createFieldResolver', () => {
  let flow: LoadedResolver;
  beforeAll(async () => {
    flow = await loadResolver(fixture('flow.ts'));
  });

  it('runs request → NONE → response with the ctx AppSync builds', async () => {
    const resolve = createFieldResolver(flow, NONE, { env: { STAGE: 'local' } });

    const out = await resolve(invocation({ arguments: { mode: 'ok' } }));

    expect(out.errors).toEqual([]);
    expect(out.data).toEqual({ mode: 'ok', env: 'local', selection: ['id', 'status'], auth: 'API Key Authorization' });
    expect(out.logs).toEqual(['request ok']);
  });

  it('turns util.error into a null field with that error', async () => {
    const out = await createFieldResolver(flow, NONE)(invocation({ arguments: { mode: 'error' } }));

    expect(out).toMatchObject({
      data: null,
      errors: [{ message: 'Order not found', errorType: 'NotFound', data: { id: 'o1' }, errorInfo: { hint: 1 } }],
    });
  });

  it('keeps going after util.appendError and reports the error with the value', async () => {
    const out = await createFieldResolver(flow, NONE)(invocation({ arguments: { mode: 'append' } }));

    expect(out.data).toMatchObject({ mode: 'append' });
    expect(out.errors).toEqual([{ message: 'first warning', errorType: 'Warning', data: null, errorInfo: null }]);
  });

  it('answers util.unauthorized with AppSync’s Unauthorized error', async () => {
    const out = await createFieldResolver(flow, NONE)(invocation({ arguments: { mode: 'unauthorized' } }));

    expect(out.data).toBeNull();
    expect(out.errors).toEqual([
      { message: 'Not Authorized to access getOrder on type Query', errorType: 'Unauthorized', data: null, errorInfo: null },
    ]);
  });

  it('skips the data source and response on runtime.earlyReturn', async () => {
    const invoked: unknown[] = [];
    const lambda: DataSourceRuntime = {
      type: 'AWS_LAMBDA',
      invoke: async (p) => {
        invoked.push(p);
        return 1;
      },
    };

    const out = await createFieldResolver(flow, lambda)(invocation({ arguments: { mode: 'early' } }));

    expect(out).toMatchObject({ data: { early: true }, errors: [] });
    expect(invoked).toEqual([]);
  });

  it('reports util.error from the response handler', async () => {
    const out = await createFieldResolver(flow, NONE)(invocation({ arguments: { mode: 'response-error' } }));

    expect(out).toMatchObject({ data: null, errors: [{ message: 'failed in response', errorType: 'InvalidTransition' }] });
  });

  it('turns a bug in the resolver into a Code error without leaking the stack, and logs it', async () => {
    const lines: string[] = [];
    const out = await createFieldResolver(flow, NONE, { logger: (l) => lines.push(l) })(invocation({ arguments: { mode: 'crash' } }));

    expect(out.data).toBeNull();
    expect(out.errors).toEqual([
      { message: 'Runtime error in the request handler of Query.getOrder', errorType: 'Code', data: null, errorInfo: null },
    ]);
    expect(lines.some((l) => l.includes('TypeError') && l.startsWith('[Query.getOrder]'))).toBe(true);
  });

  it('gives every request a fresh stash and module state', async () => {
    const resolve = createFieldResolver(flow, NONE);
    await resolve(invocation({ arguments: { mode: 'a' } }));

    const second = await evaluateCode({ resolver: flow, fn: 'request', context: { arguments: { mode: 'b' } } });

    expect(second.stash).toEqual({ seen: 'b' });
  });

  it('hides selectionSetList from JSON.stringify(ctx.info) but not from the resolver', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'appsync-info-')), 'info.ts');
    await writeFile(
      file,
      `export const request = (ctx: any) => ({ payload: { json: JSON.stringify(ctx.info), list: ctx.info.selectionSetList, same: ctx.args === ctx.arguments } });\nexport const response = (ctx: any) => ctx.result;\n`,
    );
    const resolver = await loadResolver(file);

    const out = await createFieldResolver(resolver, NONE)(invocation());

    expect(out.data).toEqual({
      json: '{"fieldName":"getOrder","parentTypeName":"Query","variables":{}}',
      list: ['id', 'status'],
      same: true,
    });
    await rm(path.dirname(file), { recursive: true, force: true });
  });
});

describe('AWS_LAMBDA data source', () => {
  let lambda: LoadedResolver;
  beforeAll(async () => {
    lambda = await loadResolver(fixture('lambda.ts'));
  });

  it('sends the payload as the event and returns the result', async () => {
    const events: unknown[] = [];
    const ds: DataSourceRuntime = {
      type: 'AWS_LAMBDA',
      invoke: async (payload, type) => {
        events.push([payload, type]);
        return { id: 'o1' };
      },
    };

    const out = await createFieldResolver(lambda, ds)(invocation({ arguments: { input: { storeId: 's1' } } }));

    expect(events).toEqual([[{ input: { storeId: 's1' }, identity: null }, 'RequestResponse']]);
    expect(out).toMatchObject({ data: { id: 'o1' }, errors: [] });
  });

  it('maps a function error to ctx.error of type Lambda:Unhandled whatever its errorType', async () => {
    const failure = Object.assign(new Error('Store is closed'), { name: 'StoreClosedError' });
    const ds: DataSourceRuntime = {
      type: 'AWS_LAMBDA',
      invoke: async () => {
        throw failure;
      },
    };

    const out = await createFieldResolver(lambda, ds)(invocation());

    expect(out).toMatchObject({ data: null, errors: [{ message: 'Store is closed', errorType: 'Lambda:Unhandled' }] });
  });

  it('reports an invalid request object as a MappingTemplate error', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'appsync-bad-')), 'bad.ts');
    await writeFile(
      file,
      `export const request = () => ({ operation: 'Call', payload: {} });\nexport const response = (ctx: any) => ctx.result;\n`,
    );
    const ds: DataSourceRuntime = { type: 'AWS_LAMBDA', invoke: async () => 1 };

    const out = await createFieldResolver(await loadResolver(file), ds)(invocation());

    expect(out).toMatchObject({ data: null, errors: [{ errorType: 'MappingTemplate' }] });
    await rm(path.dirname(file), { recursive: true, force: true });
  });
});

describe('extensions', () => {
  it('records the enhanced subscription and invalidation filters', async () => {
    const resolver = await loadResolver(fixture('subscription.ts'));

    const out = await createFieldResolver(resolver, NONE)(invocation({ arguments: { orderId: 'o1' } }));

    const filter = { filterGroup: [{ filters: [{ fieldName: 'orderId', operator: 'eq', value: 'o1' }] }] };
    expect(out.extensions.subscriptionFilter).toEqual(filter);
    expect(out.extensions.subscriptionInvalidationFilter).toEqual(filter);
    expect(out.data).toBeNull();
  });

  it('records up to 5 invalidations and fails the field on the 6th', async () => {
    const resolver = await loadResolver(fixture('invalidate.ts'));
    const resolve = createFieldResolver(resolver, NONE);

    const five = await resolve(invocation({ arguments: { ids: ['1', '2', '3', '4', '5'] } }));
    const six = await resolve(invocation({ arguments: { ids: ['1', '2', '3', '4', '5', '6'] } }));

    expect(five.extensions.invalidations).toHaveLength(5);
    expect(five.extensions.invalidations[0]).toEqual({ subscriptionField: 'onOrderUpdated', payload: { orderId: '1' } });
    expect(five.data).toBe(true);
    expect(six).toMatchObject({ data: null, errors: [{ errorType: 'InvalidationLimitExceeded' }] });
  });
});

describe('evaluateCode', () => {
  it('evaluates a response handler against a given ctx.result and ctx.error', async () => {
    const resolver = await loadResolver(fixture('lambda.ts'));

    const ok = await evaluateCode({ resolver, fn: 'response', context: { result: { id: 'o1' } } });
    const failed = await evaluateCode({ resolver, fn: 'response', context: { error: { message: 'boom', type: 'Lambda:Unhandled' } } });

    expect(ok.result).toEqual({ id: 'o1' });
    expect(failed.error).toEqual({ message: 'boom', type: 'Lambda:Unhandled' });
  });
});
