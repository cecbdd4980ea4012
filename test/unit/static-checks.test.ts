/**
 * The static checks are part of `npm test`: strict TypeScript over the whole project, one
 * formatter (Prettier, `npm run format` fixes), and the one ESLint config (with
 * @aws-appsync/eslint-plugin on resolvers/, so a resolver AppSync would reject fails here rather
 * than at deploy time).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function check(bin: string, args: string[]): Promise<string> {
  try {
    await run(join(root, 'node_modules/.bin', bin), args, { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
  }
}

// Concurrent: three separate processes, so one can use a core while the other worker waits on I/O.
describe.concurrent('static checks', () => {
  it('type-checks (tsc --noEmit, project and resolvers)', async () => {
    expect(await check('tsc', ['--noEmit', '-p', 'tsconfig.json'])).toBe('');
    expect(await check('tsc', ['--noEmit', '-p', 'resolvers/tsconfig.json'])).toBe('');
  }, 180_000);

  it('is formatted (prettier --check)', async () => {
    expect(await check('prettier', ['--check', '.', '--log-level', 'warn'])).toBe('');
  }, 180_000);

  it('lints clean (eslint, AppSync rules on resolvers/)', async () => {
    expect(await check('eslint', ['.'])).toBe('');
  }, 180_000);
});
