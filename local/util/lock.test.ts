import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, DataDirInUseError } from './lock.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('acquireLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lock-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes its pid and start time, and removes the file on release', async () => {
    const lock = await acquireLock(dir, 'stack.lock');
    expect(JSON.parse(await readFile(join(dir, 'stack.lock'), 'utf8'))).toMatchObject({ pid: process.pid, startedAt: expect.any(String) });
    await lock.release();
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a folder locked by a live process, naming its pid', async () => {
    // The parent of this test process is alive and is not us.
    await writeFile(join(dir, 'stack.lock'), JSON.stringify({ pid: process.ppid, startedAt: '2026-01-01T00:00:00.000Z' }));
    const error = await acquireLock(dir, 'stack.lock').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirInUseError);
    expect(String(error)).toContain(`is in use by another local stack (pid ${process.ppid}, started 2026-01-01T00:00:00.000Z)`);
    expect(JSON.parse(await readFile(join(dir, 'stack.lock'), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('takes over a lock whose process is gone, and says so', async () => {
    const pid = deadPid();
    await writeFile(join(dir, 'stack.lock'), JSON.stringify({ pid, startedAt: '2026-01-01T00:00:00.000Z' }));
    const lines: string[] = [];
    const lock = await acquireLock(dir, 'stack.lock', (line) => lines.push(line));
    expect(lines).toEqual([`taking over the stale lock ${join(dir, 'stack.lock')} of pid ${pid} (no longer running)`]);
    expect(JSON.parse(await readFile(join(dir, 'stack.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('does not remove a lock that another process took after ours was taken over', async () => {
    const lock = await acquireLock(dir, 'stack.lock');
    await writeFile(join(dir, 'stack.lock'), JSON.stringify({ pid: process.ppid, startedAt: 'later' }));
    await lock.release();
    expect(JSON.parse(await readFile(join(dir, 'stack.lock'), 'utf8'))).toMatchObject({ pid: process.ppid });
  });
});
