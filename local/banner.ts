/**
 * The part of `npm start`'s banner that says what is inside the stack: the seeded stores and the
 * backend emulators by role, and how to inspect an order. The emulators sit on free loopback
 * ports chosen at each start, so the banner (and the stack file, local/stack-file.ts) is the one
 * place a user learns them. Pure: no I/O, so the text is checked by a unit test.
 */
import { storeDeadLetterQueueName, storeQueueName } from '../functions/lib/stores.js';
import { manifest, ORDER_WORKFLOW, STORE_QUEUE_PREFIX } from '../infra/manifest.js';
import { SEED_STORES, type SeedStore } from '../infra/seed-stores.js';
import type { LocalStack } from './stack.js';

export interface BackendFacts {
  readonly stores: readonly SeedStore[];
  readonly endpoints: { readonly dynamodb: string; readonly sfn: string; readonly sqs: string; readonly ssm: string };
  readonly tables: readonly string[];
  readonly queues: readonly string[];
  readonly orderWorkflowArn: string;
  /** The command that inspects an order of this stack, with `<orderId>` in it. */
  readonly inspectCommand: string;
}

/** The facts of a started stack (the stores and names it was built with, from the manifest). */
export function backendFactsOf(stack: LocalStack, inspectCommand: string): BackendFacts {
  return {
    stores: SEED_STORES,
    endpoints: stack.endpoints,
    tables: manifest.tables.map((t) => stack.tableName(t.name)),
    // The manifest's queues, then those onboarding made: one per seeded store and their dead-letter queue.
    queues: [
      ...manifest.queues.map((q) => q.name),
      ...SEED_STORES.map((store) => storeQueueName(STORE_QUEUE_PREFIX, store.storeId)),
      storeDeadLetterQueueName(STORE_QUEUE_PREFIX),
    ],
    orderWorkflowArn: stack.stateMachineArn(ORDER_WORKFLOW),
    inspectCommand,
  };
}

/** Lines indented like the banner's ("  Label           value"), ending with a newline. */
export function backendBanner(facts: BackendFacts): string {
  const idWidth = Math.max(...facts.stores.map((s) => s.storeId.length));
  const stores = facts.stores.map((s) => `    ${s.storeId.padEnd(idWidth)}  ${s.name}`);
  const workflow = facts.orderWorkflowArn.split(':').at(-1) ?? facts.orderWorkflowArn;
  const backend: [string, string, string][] = [
    ['Step Functions', facts.endpoints.sfn, `workflow ${workflow}, one execution per order (named by its id)`],
    ['SNS/SQS', facts.endpoints.sqs, `store and driver alerts, queues ${facts.queues.join(', ')} (fauxqs)`],
    ['DynamoDB Local', facts.endpoints.dynamodb, `tables ${facts.tables.join(', ')}`],
    ['SSM', facts.endpoints.ssm, 'parameters (the routing API key)'],
  ];
  const urlWidth = Math.max(...backend.map(([, url]) => url.length));
  return [
    '  Seeded stores',
    ...stores,
    '  Backend (loopback, new ports each start; any AWS SDK client with an endpoint and any credentials)',
    ...backend.map(([role, url, what]) => `    ${role.padEnd(15)} ${url.padEnd(urlWidth)}  ${what}`),
    `  Inspect order   ${facts.inspectCommand}`,
    '',
  ].join('\n');
}

/** The stack's TLS listeners as clients dial them (URLs at the public host), and its CA file. */
export interface TlsFacts {
  readonly graphqlUrl: string;
  readonly realtimeUrl: string;
  readonly userPoolEndpoint: string;
  readonly caFile: string;
}

/**
 * Banner lines for `--tls`: the https/wss URLs (API, realtime, user pool), the CA file, how to
 * trust it on each kind of client, and, when the API's listener is not on 443, that Android and
 * Flutter need it there.
 */
export function tlsBanner(facts: TlsFacts): string {
  const port = new URL(facts.graphqlUrl).port; // '' for 443
  return [
    `  GraphQL (TLS)   ${facts.graphqlUrl}`,
    `  Realtime (TLS)  ${facts.realtimeUrl}`,
    `  User pool (TLS) ${facts.userPoolEndpoint}`,
    `  Local CA        ${facts.caFile}  (trust it once per device; README "Mobile apps")`,
    `    iOS simulator   xcrun simctl keychain booted add-root-cert ${facts.caFile}`,
    '    iPhone/iPad     open the file on the device, install the profile, then turn it on in',
    '                    Settings > General > About > Certificate Trust Settings',
    '    Android         Settings > Security > Install a certificate > CA certificate, and let the',
    '                    app trust user CAs (network_security_config.xml, debug-overrides)',
    '    Flutter         SecurityContext.defaultContext.setTrustedCertificatesBytes(<the file>)',
    `    Node            NODE_EXTRA_CA_CERTS=${facts.caFile}`,
    ...(port === '' ? [] : [`  ! Android and Flutter open realtime on port 443 only: --tls-port 443, or forward 443 to ${port}`]),
    '',
  ].join('\n');
}
