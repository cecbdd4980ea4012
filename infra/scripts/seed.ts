/**
 * Seeds the demo stores (infra/seed-stores.ts, the original project's store included) into a
 * deployed Stores table. Idempotent: each store is a PutItem of the same item by its key, so a
 * second run changes nothing. Uses the default AWS credential chain and region.
 *
 *   npx tsx infra/scripts/seed.ts [--outputs cdk-outputs.json] [--stack ServerlessPizza-dev] | --table <name> [--region us-east-1]
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { outputKey, OUTPUT } from '../cdk/outputs.js';
import { SEED_STORES, type SeedStore } from '../seed-stores.js';
import { parseFlags, readStackOutputs, requireOutput } from './stack-outputs.js';

/** The PutItem requests that seed `stores` into `tableName` (same input → same items). */
export function seedRequests(tableName: string, stores: readonly SeedStore[] = SEED_STORES): PutItemCommandInput[] {
  return stores.map((store) => ({ TableName: tableName, Item: marshall(store) }));
}

/** Anything that sends a PutItem: a DynamoDBClient, or a recording fake in tests. */
export interface PutItemSender {
  send(command: PutItemCommand): Promise<unknown>;
}

export async function seedStores(client: PutItemSender, tableName: string, stores: readonly SeedStore[] = SEED_STORES): Promise<number> {
  for (const input of seedRequests(tableName, stores)) await client.send(new PutItemCommand(input));
  return stores.length;
}

async function main(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, ['outputs', 'stack', 'table', 'region']);
  let table = flags.table;
  let region = flags.region;
  if (table === undefined) {
    const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
    const outputs = await readStackOutputs(resolve(root, flags.outputs ?? 'cdk-outputs.json'), flags.stack);
    table = requireOutput(outputs, outputKey('TableName', 'Stores'));
    region ??= requireOutput(outputs, OUTPUT.region);
  }
  const client = new DynamoDBClient(region === undefined ? {} : { region });
  try {
    const count = await seedStores(client, table);
    process.stdout.write(`seeded ${count} stores into ${table}\n`);
  } finally {
    client.destroy();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  });
}
