import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED_BUILTINS } from './allowed-builtins.js';
import { checkResolverCode, type CheckOptions } from './check.js';
import { loadResolver, UnsupportedResolverFeatureError } from './index.js';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', 'builtins', name);

const options: CheckOptions = { file: 'inline.js', shapes: { util: {}, runtime: {}, extensions: {}, dynamodb: {} } };

/** The unsupported-builtin violations of a snippet of bundled code. */
const builtinViolations = (code: string) => checkResolverCode(code, options).filter((v) => v.rule === 'unsupported-builtin');

describe('checkResolverCode: built-ins', () => {
  it.each([
    ['object-from-entries.ts', 'Object.fromEntries'],
    ['array-includes.ts', 'Array.prototype.includes'],
    ['math-abs.ts', 'Math.abs'],
    ['number-parse-int.ts', 'Number.parseInt'],
    ['to-fixed.ts', 'Number.prototype.toFixed'],
    ['string-match.ts', 'String.prototype.match'],
    ['to-sorted.ts', 'Array.prototype.toSorted'],
  ])('refuses %s, naming %s at its source line', async (name, builtin) => {
    const err: unknown = await loadResolver(fixture(name)).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UnsupportedResolverFeatureError);
    const violations = (err as UnsupportedResolverFeatureError).violations;
    expect(violations).toEqual([expect.objectContaining({ file: fixture(name), line: 5, rule: 'unsupported-builtin' })]);
    expect(violations[0]?.message).toContain(builtin);
    expect((err as Error).message).toContain(`${fixture(name)}:5:`);
  });

  it('accepts a resolver that uses only documented built-ins', async () => {
    const resolver = await loadResolver(fixture('allowed.ts'));

    expect(resolver.code).toContain('Object.hasOwn');
  });

  it.each([
    ['String.raw`a`', 'String.raw'],
    ['Array.isArray([])', 'Array.isArray'],
    ['Date.now()', 'Date.now'],
    ['String(1)', 'the global String'],
    ['parseInt("1", 10)', 'the global parseInt'],
    ['new Set([1])', 'the global Set'],
    ['Math.PI', 'Math.PI'],
    ['const m = Math; m.max(1)', 'Math may only be used through'],
    ['"a".toString()', 'Object.prototype.toString'],
    ['"abc".at(0)', 'String.prototype.at'],
    ['[2, 1].sort(undefined)', 'sort() takes no arguments'],
  ])('refuses `%s` (%s)', (code, named) => {
    const found = builtinViolations(`${code};\n`);

    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'inline.js', line: 1 });
    expect(found[0]?.message).toContain(named);
  });

  it.each([
    ['const o = { lookup: (x) => x }; o.lookup(1);', "a local object's own method"],
    ['const Date = { now: () => 1 }; Date.now();', 'a local binding shadowing a global'],
    ['const xs = [3, 1]; xs.sort(); xs.map((x) => x).join(",");', 'documented Array methods'],
    ['const s = " a "; s.trim().replaceAll("a", "b").split("").concat(["c"]);', 'documented String methods'],
    ['const n = Number.isNaN(NaN) || Number.isFinite(Infinity) || undefined;', 'documented Number statics and globals'],
  ])('accepts `%s` (%s)', (code) => {
    expect(builtinViolations(code).map((v) => v.message)).toEqual([]);
  });

  it('matches prototype methods by name, so a local method named like an undocumented built-in is refused too', () => {
    const found = builtinViolations('const o = { includes: (x) => x };\no.includes(1);\n');

    expect(found).toEqual([expect.objectContaining({ line: 2, rule: 'unsupported-builtin' })]);
  });

  it('cites a documented section for every allowed built-in', () => {
    for (const entry of ALLOWED_BUILTINS) expect(entry.section).toMatch(/\(#[a-z-]+\)$/);
  });
});
