/**
 * `npm start`: the whole system offline, on loopback. Ctrl-C stops every part (DynamoDB
 * Local's JVM included). Options: `npm start -- --help`.
 */
import { dirname, join } from 'node:path';
import { CliOptionError, HELP, parseCliOptions } from './cli-options.js';

function fail(message: string): never {
  process.stderr.write(`\n✖ ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let request;
  try {
    request = parseCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    fail(`${error instanceof CliOptionError ? error.message : String(error)}\n\n${HELP}`);
  }
  if (request.help) {
    process.stdout.write(HELP);
    return;
  }
  const { port, host, userPoolPort, inMemory, envOverrides } = request.options;
  if (!/^(127\.|::1$|localhost$)/.test(host)) {
    process.stderr.write(
      `! --host ${host} exposes the API (and its well-known local API key) beyond this machine; ` +
        'the emulators behind it stay on 127.0.0.1, except DynamoDB Local, which always listens on every interface.\n',
    );
  }
  // Imported only now: --help and a bad option answer without loading the stack.
  const { resolvePublicHost, PublicHostError, amplifyConfigAt, withHost, writeLocalAmplifyFiles } = await import('./client-files.js');
  let publicHost: string;
  try {
    publicHost = resolvePublicHost(host, request.options.publicHost);
  } catch (error) {
    fail(error instanceof PublicHostError ? error.message : String(error));
  }
  const loopback = (h: string) => /^(127\.|::1$|\[::1\]$|localhost$)/.test(h);
  // 10.0.2.2 is how the Android emulator reaches this machine's loopback.
  if (loopback(host) && !loopback(publicHost) && publicHost !== '10.0.2.2')
    process.stderr.write(`! clients at ${publicHost} cannot reach a server bound to ${host}: add --host 0.0.0.0 (or that address)\n`);
  const [
    { startLocalStack, writeAmplifyConfig, writeDemoUsers },
    { webDemoRoutes },
    { createLineSink, routeConsoleTo },
    { backendBanner, backendFactsOf, tlsBanner },
    { publishStackFile },
    { METRICS_PATH },
  ] = await Promise.all([
    import('./stack.js'),
    import('./web-demo.js'),
    import('./lambda/log-sink.js'),
    import('./banner.js'),
    import('./inspect/stack-file.js'),
    import('./metrics/index.js'),
  ]);
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`  ✔ ${line}\n`);

  process.stdout.write(`Starting Serverless Pizza locally${inMemory ? ' (in memory)' : ''}…\n`);
  // Handlers log through console.*; a batched sink keeps those writes off the request path.
  const out = createLineSink(process.stdout);
  const err = createLineSink(process.stderr);
  const restoreConsole = routeConsoleTo(out, err);
  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      host,
      port,
      userPoolPort,
      inMemory,
      dataDir: request.options.dataDir,
      envOverrides,
      corsOrigins: request.options.corsOrigins,
      introspection: request.options.introspection,
      onProgress: say,
      // No email leaves the machine: a new customer reads their code here (as cognito-local prints it).
      onConfirmationCode: (username, code) => out.write(`  Confirmation code for ${username}: ${code}`),
      logger: request.options.verbose ? (line) => out.write(`    ${line}`) : undefined,
      extraRoutes: await webDemoRoutes(),
      ...(request.options.tls
        ? { tls: { port: request.options.tlsPort, userPoolPort: request.options.userPoolTlsPort, hosts: [publicHost] } }
        : {}),
    });
  } catch (error) {
    // Named errors (Java missing, port taken, …) carry a message written for the user.
    const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    fail(`Could not start: ${message}`);
  }
  // Every file names the address clients dial (publicHost), never a wildcard the server binds.
  const configFile = await writeAmplifyConfig(amplifyConfigAt(stack.amplifyConfig, publicHost), request.options.amplifyConfig);
  const usersFile = await writeDemoUsers(stack.demoUsers, join(dirname(configFile), 'demo-users.json'));
  const operatorsFile = await writeDemoUsers(stack.demoOperators, join(dirname(configFile), 'demo-operators.json'));
  const mobileFiles = await writeLocalAmplifyFiles(dirname(configFile), stack, publicHost);
  const everyAccount = [...stack.demoUsers, ...stack.demoOperators];
  const width = Math.max(...everyAccount.map((u) => u.username.length));
  const accounts = everyAccount
    .map((u) => `    ${u.username.padEnd(width)}  ${u.password}  ${u.role}${u.role === 'store' ? ` (${u.storeId})` : ''}`)
    .join('\n');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const base = stack.graphqlUrl.replace(/\/graphql$/, '');
  // npm run order finds this stack (its emulators are on new ports each start) through this file.
  const published = await publishStackFile(stack, { inMemory, dataDir: request.options.dataDir });
  const backend = backendBanner(backendFactsOf(stack, published.inspectCommand));
  const tls =
    stack.tls === undefined
      ? ''
      : tlsBanner({
          graphqlUrl: withHost(stack.tls.graphqlUrl, publicHost),
          realtimeUrl: withHost(stack.tls.realtimeUrl, publicHost),
          userPoolEndpoint: withHost(stack.tls.userPoolEndpoint, publicHost),
          caFile: stack.tls.caFile,
        });
  process.stdout.write(`
Ready in ${seconds} s.

  Web demo        ${base}/
  GraphQL         ${stack.graphqlUrl}
  Realtime        ${stack.realtimeUrl}
  Explorer        ${stack.explorerUrl}${request.options.introspection === false ? '  (introspection off, as on a prod deploy: the explorer gets no schema)' : ''}
  Metrics         ${base}${METRICS_PATH}  (operators' access token; the web demo's operator view shows it)
${tls}  API key         ${stack.apiKey}
  Amplify config  ${configFile}
  Mobile configs  ${mobileFiles.outputs} (Gen 2), ${mobileFiles.configuration} (Gen 1) at ${publicHost}${stack.tls === undefined ? '' : ' (https)'}
  User pool       ${stack.userPool.endpoint} (${stack.userPool.userPoolId}; sign-up codes are printed here)
  Demo accounts   ${usersFile} (customers, staff, drivers), ${operatorsFile} (operators)
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
