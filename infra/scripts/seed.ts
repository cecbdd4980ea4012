/**
 * Onboards the demo stores (infra/seed-stores.ts, the original project's store included) into a
 * deployed stack by the code path createStore takes (functions/lib/stores.ts): each store's alert
 * queue, dead-letter queue, filtered subscription and staff group, then its row (name and
 * coordinates; whether it is open is kept). Idempotent. Uses the default AWS credential chain.
 *
 *   npx tsx infra/scripts/seed.ts [--outputs cdk-outputs.json] [--stack ServerlessPizza-dev]
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { outputKey, OUTPUT } from '../cdk/outputs.js';
import { seedStores as onboardSeedStores, StoreOnboarding, StoreRepository } from '../../functions/lib/stores.js';
import { userPoolAdmin } from '../../functions/lib/user-pool.js';
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
  const flags = parseFlags(argv, ['outputs', 'stack']);
  const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const outputs = await readStackOutputs(resolve(root, flags.outputs ?? 'cdk-outputs.json'), flags.stack);
  const table = requireOutput(outputs, outputKey('TableName', 'Stores'));
  const region = requireOutput(outputs, OUTPUT.region);
  const dynamodb = new DynamoDBClient({ region });
  const sqs = new SQSClient({ region });
  const sns = new SNSClient({ region });
  try {
    const count = await onboardSeedStores(
      new StoreOnboarding(
        { sqs, sns, userPool: userPoolAdmin({ userPoolId: requireOutput(outputs, OUTPUT.userPoolId), region }) },
        {
          topicArn: requireOutput(outputs, outputKey('TopicArn', 'StoreAlerts')),
          queuePrefix: requireOutput(outputs, OUTPUT.storeQueuePrefix),
        },
      ),
      new StoreRepository(DynamoDBDocumentClient.from(dynamodb), table),
      SEED_STORES,
    );
    process.stdout.write(`onboarded ${count} stores into ${table}\n`);
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    sns.destroy();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  });
}
