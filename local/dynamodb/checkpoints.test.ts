import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointFileError, checkpointFile, memoryCheckpoints } from './checkpoints.js';

describe('checkpointFile', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'checkpoints-test-'));
    file = join(dir, 'stream-checkpoints.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads nothing when the file does not exist yet', async () => {
    expect([...(await checkpointFile(file).scope('m').load())]).toEqual([]);
  });

  it('keeps each mapping apart and survives a new reader (a restart)', async () => {
    const stack = checkpointFile(file);
    await stack.scope('publish arn:1').save(new Map([['shard-1', '100']]));
    await stack.scope('other arn:1').save(new Map([['shard-1', '7']]));
    await stack.scope('publish arn:1').save(
      new Map([
        ['shard-1', '120'],
        ['shard-2', '130'],
      ]),
    );

    const restarted = checkpointFile(file);
    expect([...(await restarted.scope('publish arn:1').load())]).toEqual([
      ['shard-1', '120'],
      ['shard-2', '130'],
    ]);
    expect([...(await restarted.scope('other arn:1').load())]).toEqual([['shard-1', '7']]);
  });

  it('replaces the file whole (temp file + rename) and leaves no temp file behind', async () => {
    const store = checkpointFile(file).scope('m');
    await Promise.all([store.save(new Map([['s', '1']])), store.save(new Map([['s', '2']])), store.save(new Map([['s', '3']]))]);

    expect(await readdir(dir)).toEqual(['stream-checkpoints.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ m: { s: '3' } });
  });

  it('refuses a damaged file with a message saying how to recover', async () => {
    await writeFile(file, '{"m": {"s": 12}}');
    await expect(checkpointFile(file).scope('m').load()).rejects.toThrow(CheckpointFileError);
    await writeFile(file, '{"m": ');
    await expect(checkpointFile(file).scope('m').load()).rejects.toThrow(/delete it to re-read every stream/);
  });
});

describe('memoryCheckpoints', () => {
  it('returns what was saved last, as a copy', async () => {
    const store = memoryCheckpoints();
    const saved = new Map([['s', '1']]);
    await store.save(saved);
    saved.set('s', '2');
    expect([...(await store.load())]).toEqual([['s', '1']]);
  });
});
