/**
 * Isolation between invocations of one resolver, which share one `vm` context. The code here is
 * compiled without the static check (compileModule), so these are the runtime's own guarantees,
 * not the check's: what one request's handler does to globals, built-ins, module state or
 * `ctx.stash` is not seen by another request.
 */
import { describe, expect, it } from 'vitest';
import type { ResolverInvocation } from '../types.js';
import { createFieldResolver, evaluateCode, type DataSourceRuntime } from './index.js';
import { compileModule, type LoadedResolver } from './sandbox.js';

let modules = 0;
/** A resolver from CommonJS handler bodies; `response` defaults to returning `ctx.result`. */
function resolver(request: string, response = 'return ctx.result;', prelude = ''): LoadedResolver {
  modules += 1;
  const cjs = `${prelude}\nexports.request = function (ctx) { ${request} };\nexports.response = function (ctx) { ${response} };`;
  return compileModule(`/virtual/isolation-${modules}.js`, cjs, cjs);
}

async function request(loaded: LoadedResolver, args: Record<string, unknown> = {}) {
  return evaluateCode({ resolver: loaded, fn: 'request', context: { arguments: args } });
}

const NONE: DataSourceRuntime = { type: 'NONE' };

function invocation(args: Record<string, unknown>): ResolverInvocation {
  return {
    arguments: args,
    identity: null,
    authType: 'API_KEY',
    source: null,
    request: { headers: {}, domainName: null },
    info: { fieldName: 'f', parentTypeName: 'Query', variables: {}, selectionSetList: [], selectionSetGraphQL: '' },
  };
}

describe('resolver sandbox isolation', () => {
  it('runs the module body per invocation, so module-level state starts fresh', async () => {
    const loaded = resolver('count += 1; seen.push(ctx.args.id); return { count, seen };', undefined, 'let count = 0; const seen = [];');

    const first = await request(loaded, { id: 'a' });
    const second = await request(loaded, { id: 'b' });

    expect(first.result).toEqual({ count: 1, seen: ['a'] });
    expect(second.result).toEqual({ count: 1, seen: ['b'] });
  });

  it('removes globals a handler adds and restores globals it replaces or deletes', async () => {
    const loaded = resolver(`
      const before = { leaked: typeof leaked, max: Math.max(1, 2), date: typeof Date };
      globalThis.leaked = 'secret';
      globalThis.Math = { max: function () { return 42; } };
      delete globalThis.Date;
      return before;`);

    const first = await request(loaded);
    const second = await request(loaded);

    expect(first.result).toEqual({ leaked: 'undefined', max: 2, date: 'function' });
    expect(second.result).toEqual({ leaked: 'undefined', max: 2, date: 'function' });
  });

  it.each([
    ['Array.prototype.leak = 1;', 'typeof [].leak'],
    ['Object.prototype.toString = function () { return "pwned"; };', 'String({})'],
    ['String.prototype.trim = function () { return "pwned"; };', '" x ".trim()'],
    ['JSON.stringify = function () { return "pwned"; };', 'JSON.stringify(1)'],
    ['Object.defineProperty(Array.prototype, "leak", { value: 1 });', 'typeof [].leak'],
    ['Object.getPrototypeOf([][Symbol.iterator]()).next = function () { return { done: true }; };', '[...[1, 2]].length'],
  ])('refuses `%s` and the next request sees the built-in unchanged', async (mutation, probe) => {
    const mutator = resolver(`${mutation} return {};`);
    const reader = resolver(`return { value: ${probe} };`);
    const pristine = await request(reader);

    const attempt = await request(mutator);
    const after = await request(reader);

    expect(attempt.error?.type).toBe('Code');
    expect(after.result).toEqual(pristine.result);
  });

  it('still lets code override inherited names on its own objects', async () => {
    const loaded = resolver(`
      const o = {};
      o.toString = function () { return 'mine'; };
      const e = new Error('first');
      e.message = 'second';
      return { o: String(o), e: e.message };`);

    const out = await request(loaded);

    expect(out.result).toEqual({ o: 'mine', e: 'second' });
  });

  it('gives every invocation its own ctx.stash', async () => {
    const loaded = resolver('const had = Object.keys(ctx.stash); ctx.stash.mine = ctx.args.id; return { had };');

    const first = await request(loaded, { id: 'a' });
    const second = await request(loaded, { id: 'b' });

    expect(first.result).toEqual({ had: [] });
    expect(second.result).toEqual({ had: [] });
    expect(second.stash).toEqual({ mine: 'b' });
  });

  it('keeps interleaved invocations apart: stash, module state and the runtime globals', async () => {
    const loaded = resolver(
      'mine = ctx.args.id; ctx.stash.id = ctx.args.id; return { payload: ctx.args.id };',
      'util.appendError("from " + ctx.args.id); return { module: mine, stash: ctx.stash.id, result: ctx.result };',
      'let mine = null;',
    );
    const run = createFieldResolver(loaded, NONE);

    // Both request handlers run before either response handler (the data source awaits between).
    const [a, b] = await Promise.all([run(invocation({ id: 'a' })), run(invocation({ id: 'b' }))]);

    expect(a.data).toEqual({ module: 'a', stash: 'a', result: 'a' });
    expect(b.data).toEqual({ module: 'b', stash: 'b', result: 'b' });
    expect(a.errors.map((e) => e.message)).toEqual(['from a']);
    expect(b.errors.map((e) => e.message)).toEqual(['from b']);
  });

  it('stops a runaway handler and serves the next request from the same context', async () => {
    const loaded = resolver('if (ctx.args.spin) { for (;;) {} } return { ok: true };');

    const stuck = await request(loaded, { spin: true });
    const next = await request(loaded, { spin: false });

    expect(stuck.error?.type).toBe('Code');
    expect(next.result).toEqual({ ok: true });
  });

  it('freezes only the sandbox realm, never the server’s built-ins', async () => {
    await request(resolver('return {};'));

    expect(Object.isFrozen(Object.prototype)).toBe(false);
    expect(Object.isFrozen(Function.prototype)).toBe(false);
  });
});
