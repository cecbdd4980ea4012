import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('generated/ (graphql-codegen)', () => {
  it('is up to date with schema.graphql (graphql-codegen --check)', () => {
    const run = () =>
      execFileSync(join(root, 'node_modules/.bin/graphql-codegen'), ['--config', 'codegen.yml', '--check'], { cwd: root, stdio: 'pipe' });
    expect(run).not.toThrow();
  }, 60_000);
});
