/**
 * No import crosses from one target into the other (the CDK stack and the local emulators share
 * only infra/ and resolvers/), and neither the web demo nor the Lambda functions reach into each
 * other or into the local emulators. Scans every source file's import specifiers; no network.
 * Test files are exempt: a test that checks two targets agree (infra/cdk/same-manifest.test.ts)
 * has to load both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SKIP = new Set(['node_modules', '.git', '.local', 'cdk.out', 'dist', 'generated']);

/** From-folder → folders it must not import from (paths from the repo root, with a trailing slash). */
const FORBIDDEN: readonly { readonly from: string; readonly to: string }[] = [
  { from: 'infra/cdk/', to: 'local/' },
  { from: 'local/', to: 'infra/cdk/' },
  { from: 'web-demo/', to: 'functions/' },
  { from: 'functions/', to: 'web-demo/' },
  { from: 'functions/', to: 'local/' },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:[cm]?[jt]s|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Module specifiers of static imports/re-exports (incl. `import type`) and dynamic `import('…')`. */
function importSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g)) specifiers.push(match[1]!);
  for (const match of source.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) specifiers.push(match[1]!);
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

/** Repo-relative path (with `/`) a relative specifier points at; `.js` written for a `.ts` file becomes `.ts`. */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(ROOT, resolve(dirname(file), specifier))
    .split(sep)
    .join('/')
    .replace(/\.js$/, '.ts');
}

function crossings(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(ROOT)) {
    const from = relative(ROOT, file).split(sep).join('/');
    const rules = FORBIDDEN.filter((rule) => from.startsWith(rule.from));
    if (rules.length === 0 || /\.test\.tsx?$/.test(from)) continue;
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      const to = target(file, specifier);
      if (to !== undefined && rules.some((rule) => to.startsWith(rule.to))) found.push(`${from} -> ${to}`);
    }
  }
  return found.sort();
}

describe('import boundaries', () => {
  it('finds the imports it is meant to police', () => {
    expect(
      importSpecifiers("import { a } from '../../local/x.js';\nexport { b } from '../y.js';\nimport type { C } from './c.js';"),
    ).toEqual(['../../local/x.js', '../y.js', './c.js']);
    expect(importSpecifiers("import './side-effect.js';\nconst m = await import('../dyn.js');")).toEqual(['./side-effect.js', '../dyn.js']);
  });

  it('has no import from infra/cdk into local/, local/ into infra/cdk/, or between web-demo/, functions/ and local/', () => {
    expect(crossings()).toEqual([]);
  });
});
