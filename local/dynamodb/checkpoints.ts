/**
 * Where a stream poller keeps its place: the sequence number of the last record handled, per
 * shard, as Lambda's event source mapping keeps it. In memory for a throwaway stack; in one
 * JSON file of the data folder for a persistent one, so a restart resumes right after the last
 * handled record (and a change written while the stack was down, or acknowledged just before
 * a hard kill, is still delivered: at least once).
 *
 * File format (`stream-checkpoints.json`): `{ "<mapping key>": { "<shardId>": "<sequenceNumber>" } }`.
 * Each save replaces the file atomically (temp file + rename), so a kill mid-write leaves the
 * previous version.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

/** The checkpoints of one mapping (one stream read by one function). */
export interface CheckpointStore {
  /** shardId → sequence number of the last record handled. */
  load(): Promise<ReadonlyMap<string, string>>;
  /** Replaces every checkpoint of this mapping. */
  save(checkpoints: ReadonlyMap<string, string>): Promise<void>;
}

export class CheckpointFileError extends Error {
  override readonly name = 'CheckpointFileError';
  constructor(file: string, detail: string) {
    super(`stream checkpoint file ${file} is unreadable (${detail}); delete it to re-read every stream from its oldest record`);
  }
}

export function memoryCheckpoints(): CheckpointStore {
  let saved = new Map<string, string>();
  return {
    load: () => Promise.resolve(new Map(saved)),
    save: (checkpoints) => {
      saved = new Map(checkpoints);
      return Promise.resolve();
    },
  };
}

/** One file shared by every mapping of a stack; `scope(key)` gives one mapping's store. */
export interface CheckpointFile {
  scope(key: string): CheckpointStore;
}

export function checkpointFile(file: string): CheckpointFile {
  let all: Promise<Record<string, Record<string, string>>> | undefined;
  // Saves run one at a time, each writing the whole file from the latest state.
  let writing: Promise<void> = Promise.resolve();
  let temps = 0;

  const read = () => (all ??= readCheckpointFile(file));

  return {
    scope(key) {
      return {
        async load() {
          return new Map(Object.entries((await read())[key] ?? {}));
        },
        save(checkpoints) {
          const write = writing.then(async () => {
            const state = await read();
            state[key] = Object.fromEntries(checkpoints);
            const temp = `${file}.${process.pid}.${++temps}.tmp`;
            await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
            await rename(temp, file);
          });
          writing = write.catch(() => undefined);
          return write;
        },
      };
    },
  };
}

async function readCheckpointFile(file: string): Promise<Record<string, Record<string, string>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CheckpointFileError(file, error instanceof Error ? error.message : String(error));
  }
  if (!isRecord(parsed)) throw new CheckpointFileError(file, 'not a JSON object');
  const out: Record<string, Record<string, string>> = {};
  for (const [key, shards] of Object.entries(parsed)) {
    if (!isRecord(shards)) throw new CheckpointFileError(file, `"${key}" is not a map of shard id to sequence number`);
    const valid: Record<string, string> = {};
    for (const [shardId, sequenceNumber] of Object.entries(shards)) {
      if (typeof sequenceNumber !== 'string' || !/^\d+$/.test(sequenceNumber)) {
        throw new CheckpointFileError(file, `"${key}" → "${shardId}" is not a sequence number`);
      }
      valid[shardId] = sequenceNumber;
    }
    out[key] = valid;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
