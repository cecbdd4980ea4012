/**
 * A lock file that keeps two processes off one data folder, holding the owner's pid and start
 * time. It is created whole and exclusively (written to a temp file, then hard-linked to its
 * name, which fails if the name exists), so no reader ever sees it half written. A lock whose pid is no longer alive (the
 * owner was killed with SIGKILL, or the machine lost power) is stale and taken over.
 *
 * Limit: a pid reused by an unrelated process after the owner died makes the lock look held;
 * the message names the pid so the user can check it and delete the file.
 */
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(
    readonly dir: string,
    readonly pid: number,
    startedAt: string,
    lockFile: string,
  ) {
    super(
      `the data folder ${dir} is in use by another local stack (pid ${pid}, started ${startedAt}). ` +
        `Stop that one first, or pick another folder with --data-dir. If pid ${pid} is not a local stack, delete ${lockFile}.`,
    );
  }
}

export interface Lock {
  /** Removes the lock file (if it is still ours). Idempotent. */
  release(): Promise<void>;
}

interface LockContent {
  readonly pid: number;
  readonly startedAt: string;
}

/**
 * Takes `<dir>/<name>`; throws {@link DataDirInUseError} when a live process holds it.
 * `onStale` hears about a stale lock taken over.
 */
export async function acquireLock(dir: string, name: string, onStale: (line: string) => void = () => undefined): Promise<Lock> {
  const file = join(dir, name);
  const mine: LockContent = { pid: process.pid, startedAt: new Date().toISOString() };
  // Two rounds: a stale lock is removed once, then the exclusive create decides between racers.
  for (let round = 0; ; round++) {
    if (await createExclusive(file, `${JSON.stringify(mine)}\n`)) break;
    const holder = await readLock(file);
    // Our own pid can only be a leftover: one process runs one stack (the stack checks that first).
    if (holder !== undefined && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new DataDirInUseError(dir, holder.pid, holder.startedAt, file);
    }
    if (round > 0) throw new Error(`could not take the lock ${file}: another process keeps recreating it`);
    onStale(`taking over the stale lock ${file}` + (holder === undefined ? ' (unreadable)' : ` of pid ${holder.pid} (no longer running)`));
    await unlink(file).catch(() => undefined);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const holder = await readLock(file);
      if (holder?.pid === mine.pid && holder.startedAt === mine.startedAt) await unlink(file).catch(() => undefined);
    },
  };
}

/** Creates `file` with `content` unless it exists; false when it does. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function readLock(file: string): Promise<LockContent | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('pid' in parsed) || typeof parsed.pid !== 'number') return undefined;
  const startedAt = 'startedAt' in parsed && typeof parsed.startedAt === 'string' ? parsed.startedAt : 'at an unknown time';
  return { pid: parsed.pid, startedAt };
}

/** Whether a process with this pid exists (EPERM: it exists, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
