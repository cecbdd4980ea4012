/**
 * A client program that cli-tls.test.ts runs in a process of its own: aws-amplify v6 configured from
 * nothing but an amplify_outputs.json (plus the local user-pool endpoint from its `custom`
 * section, `https://` with `--tls`), trusting the local CA only as an app would, through
 * NODE_EXTRA_CA_CERTS, which Node reads once at start-up (hence the separate process). It signs
 * in as customer1, lists the stores with the API key, subscribes to onOrderUpdated, places an
 * order, and prints one JSON line: `{ "event": … }` with the event its subscription received for
 * that order, or `{ "error": "…", "step": "…" }` naming the step that failed.
 *
 *   node --import tsx test/integration/amplify-over-tls.ts <amplify_outputs.json>
 */
import { readFile } from 'node:fs/promises';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { signIn, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { DEMO_PASSWORD } from '../../local/stack.js';
import { orderInput } from './harness.js';
import { LIST_STORES, ON_ORDER_UPDATED, PLACE_ORDER } from './operations.js';

interface OrderEvent {
  readonly orderId: string;
  readonly status: string;
}

function userPoolEndpointOf(outputs: unknown): string {
  const custom = typeof outputs === 'object' && outputs !== null && 'custom' in outputs ? outputs.custom : undefined;
  const local =
    typeof custom === 'object' && custom !== null && 'serverless_pizza_local' in custom ? custom.serverless_pizza_local : undefined;
  if (typeof local !== 'object' || local === null || !('user_pool_endpoint' in local) || typeof local.user_pool_endpoint !== 'string')
    throw new Error('amplify_outputs.json has no custom.serverless_pizza_local.user_pool_endpoint');
  return local.user_pool_endpoint;
}

/** What `run` is doing, reported with an error. */
let step = 'configure';

async function run(outputsFile: string): Promise<OrderEvent> {
  const outputs: unknown = JSON.parse(await readFile(outputsFile, 'utf8'));
  if (typeof outputs !== 'object' || outputs === null || !('version' in outputs) || typeof outputs.version !== 'string')
    throw new Error(`${outputsFile} has no version`);
  Amplify.configure({ ...outputs, version: outputs.version });
  const config = Amplify.getConfig();
  const cognito = config.Auth?.Cognito;
  if (cognito?.userPoolId === undefined || cognito.userPoolClientId === undefined) throw new Error('no user pool in amplify_outputs.json');
  const { userPoolId, userPoolClientId, loginWith } = cognito;
  Amplify.configure({
    ...config,
    Auth: { Cognito: { userPoolId, userPoolClientId, loginWith, userPoolEndpoint: userPoolEndpointOf(outputs) } },
  });

  // The first request, to the user pool: fails at once when the CA is not trusted.
  step = 'sign-in';
  await signIn({ username: 'customer1@pizza.example', password: DEMO_PASSWORD });
  step = 'list stores';
  await generateClient({ authMode: 'apiKey' }).graphql({ query: LIST_STORES });
  step = 'subscribe';
  const client = generateClient();
  const acked = new Promise<void>((resolve) => {
    const stop = Hub.listen('api', ({ payload }) => {
      if (payload.event !== 'Subscription ack') return;
      stop();
      resolve();
    });
  });
  const events: OrderEvent[] = [];
  let failed!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const subscription = (client.graphql as (o: object) => { subscribe(o: object): { unsubscribe(): void } })({
    query: ON_ORDER_UPDATED,
  }).subscribe({
    next: ({ data }: { data: { onOrderUpdated: OrderEvent } }) => events.push(data.onOrderUpdated),
    error: (error: unknown) => failed(error),
  });
  try {
    await Promise.race([acked, failure]);
    step = 'place order';
    const placed = (await client.graphql({ query: PLACE_ORDER, variables: { input: orderInput() } })) as {
      data: { placeOrder: OrderEvent };
    };
    const { orderId } = placed.data.placeOrder;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
      const event = events.find((e) => e.orderId === orderId);
      if (event !== undefined) return event;
    }
    throw new Error(`no onOrderUpdated event for ${orderId} within 15 s`);
  } finally {
    subscription.unsubscribe();
    await signOut();
  }
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: amplify-over-tls.ts <amplify_outputs.json>');
try {
  const event = await run(file);
  process.stdout.write(`${JSON.stringify({ event: { orderId: event.orderId, status: event.status } })}\n`);
  process.exit(0);
} catch (error) {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  const message = `${error instanceof Error ? error.message : JSON.stringify(error)}${cause}`;
  process.stdout.write(`${JSON.stringify({ error: message, step })}\n`);
  process.exit(1);
}
