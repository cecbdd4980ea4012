/**
 * `npm start`: the whole system offline, on loopback. Ctrl-C stops every part (DynamoDB
 * Local's JVM included). Options: `npm start -- --help`.
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack, writeAmplifyConfig, writeDemoUsers, type LocalStack } from './stack.js';
import { webDemoRoutes } from './web-demo.js';
import { createLineSink, routeConsoleTo } from './lambda/log-sink.js';
import { backendBanner, backendFactsOf } from './banner.js';
import { publishStackFile } from './inspect/stack-file.js';

const HELP = `Serverless Pizza — the whole system offline on this machine.

Usage: npm start -- [options]

Options:
  --port <n>       Port of the GraphQL API, realtime socket, explorer and web demo
                   (env PORT). Default 4000; 0 picks a free port.
  --host <addr>    Loopback address to bind (env HOST). Default 127.0.0.1.
  --in-memory      Throwaway stack: nothing is kept after it stops (env PIZZA_IN_MEMORY=1).
                   By default orders persist in .local/data/.
  --data-dir <dir> Where persistent data lives (env PIZZA_DATA_DIR). Default .local/data.
                   One stack at a time per folder (a second start there is refused).
  --amplify-config <file>
                   Where to write the Amplify config. Default ./amplify-config.json.
                   The demo accounts are written beside it, to demo-users.json.
  --user-pool-port <n>
                   Port of the local Cognito user pool (env USER_POOL_PORT).
                   Default: the API's port + 1 (0 when --port is 0).
  --set NAME=VALUE A manifest setting for this run, e.g. --set STORE_DECISION_TIMEOUT_SECONDS=60
                   (repeatable; the settings are the manifest's value bindings).
  --verbose        Print emulator and handler logs.
  -h, --help       Show this help.
`;

function fail(message: string): never {
  process.stderr.write(`\n✖ ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'in-memory': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        'amplify-config': { type: 'string' },
        'user-pool-port': { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const portText = args.port ?? process.env.PORT ?? '4000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, got "${portText}"`);
  const userPoolPortText = args['user-pool-port'] ?? process.env.USER_POOL_PORT;
  const userPoolPort = userPoolPortText === undefined ? undefined : Number(userPoolPortText);
  if (userPoolPort !== undefined && (!Number.isInteger(userPoolPort) || userPoolPort < 0 || userPoolPort > 65535))
    fail(`--user-pool-port must be a whole number from 0 to 65535, got "${userPoolPortText}"`);
  const host = args.host ?? process.env.HOST ?? '127.0.0.1';
  if (!/^(127\.|::1$|localhost$)/.test(host)) {
    process.stderr.write(
      `! --host ${host} exposes the API (and its well-known local API key) beyond this machine; ` +
        'the emulators behind it stay on 127.0.0.1, except DynamoDB Local, which always listens on every interface.\n',
    );
  }
  const envOverrides: Record<string, string> = {};
  for (const setting of args.set) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(setting);
    if (match === null) fail(`--set takes NAME=VALUE, got "${setting}"`);
    envOverrides[match[1]!] = match[2]!;
  }
  const inMemory = args['in-memory'] || process.env.PIZZA_IN_MEMORY === '1';
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`  ✔ ${line}\n`);

  process.stdout.write(`Starting Serverless Pizza locally${inMemory ? ' (in memory)' : ''}…\n`);
  // Handlers log through console.*; a batched sink keeps those writes off the request path.
  const out = createLineSink(process.stdout);
  const err = createLineSink(process.stderr);
  const restoreConsole = routeConsoleTo(out, err);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      host,
      port,
      userPoolPort,
      inMemory,
      dataDir: args['data-dir'] ?? process.env.PIZZA_DATA_DIR,
      envOverrides,
      onProgress: say,
      logger: args.verbose ? (line) => out.write(`    ${line}`) : undefined,
      extraRoutes: await webDemoRoutes(),
    });
  } catch (error) {
    // Named errors (Java missing, port taken, …) carry a message written for the user.
    const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    fail(`Could not start: ${message}`);
  }
  const configFile = await writeAmplifyConfig(stack.amplifyConfig, args['amplify-config']);
  const usersFile = await writeDemoUsers(stack.demoUsers, join(dirname(configFile), 'demo-users.json'));
  const width = Math.max(...stack.demoUsers.map((u) => u.username.length));
  const accounts = stack.demoUsers
    .map((u) => `    ${u.username.padEnd(width)}  ${u.password}  ${u.role}${u.storeId === undefined ? '' : ` (${u.storeId})`}`)
    .join('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const base = stack.graphqlUrl.replace(/\/graphql$/, '');
  // npm run order finds this stack (its emulators are on new ports each start) through this file.
  const published = await publishStackFile(stack, { inMemory, dataDir: args['data-dir'] ?? process.env.PIZZA_DATA_DIR });
  const backend = backendBanner(backendFactsOf(stack, published.inspectCommand));
  process.stdout.write(`
Ready in ${seconds} s.

  Web demo        ${base}/
  GraphQL         ${stack.graphqlUrl}
  Realtime        ${stack.realtimeUrl}
  Explorer        ${stack.explorerUrl}
  API key         ${stack.apiKey}
  Amplify config  ${configFile}
  User pool       ${stack.userPool.endpoint} (${stack.userPool.userPoolId}; sign-ups are confirmed at once)
  Demo accounts   ${usersFile}
${accounts}
${backend}
Press Ctrl-C to stop.
`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping…\n`);
    stack.stop().then(
      async () => {
        restoreConsole();
        await Promise.all([out.close(), err.close()]);
        process.stdout.write('Stopped.\n');
        process.exit(0);
      },
      (error: unknown) => fail(`stop failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

await main();
