/**
 * `npm start`'s options: the help text and the parsing, apart from the stack so that `--help`
 * and a bad option answer at once (local/cli.ts imports the stack only after this succeeds).
 * Imports nothing but node:util.
 */
import { parseArgs } from 'node:util';

export const HELP = `Serverless Pizza — the whole system offline on this machine.

Usage: npm start -- [options]

Options:
  --port <n>       Port of the GraphQL API, realtime socket, explorer and web demo
                   (env PORT). Default 4000; 0 picks a free port.
  --host <addr>    Address to bind (env HOST). Default 127.0.0.1. 0.0.0.0 serves every
                   interface (a phone on the LAN): see --public-host.
  --public-host <addr>
                   The address written into the client config files (env PUBLIC_HOST),
                   e.g. this machine's LAN address for a phone. Default: --host, or with
                   --host 0.0.0.0 the first LAN address (never 0.0.0.0 itself).
  --tls            Also serve the API, realtime socket and user pool over HTTPS/WSS (env
                   PIZZA_TLS=1), with a certificate from a local CA made on first use and
                   kept in the data folder (tls/ca.crt: trust it on the phone or emulator).
                   The mobile config files then name the https:// endpoints;
                   amplify-config.json keeps http/ws.
  --tls-port <n>   Port of the HTTPS/WSS listener (env TLS_PORT). Default: the API's port + 2
                   (0 when --port is 0). Android and Flutter dial realtime on 443 only: use
                   443 there (needs the right to bind it) or forward 443 to this port.
  --user-pool-tls-port <n>
                   Port of the user pool's HTTPS listener (env USER_POOL_TLS_PORT).
                   Default: the API's port + 3 (0 when --port is 0). Needs --tls.
  --in-memory      Throwaway stack: nothing is kept after it stops (env PIZZA_IN_MEMORY=1).
                   By default orders persist in .local/data/.
  --data-dir <dir> Where persistent data lives (env PIZZA_DATA_DIR). Default .local/data.
                   One stack at a time per folder (a second start there is refused).
  --amplify-config <file>
                   Where to write the Amplify config. Default ./amplify-config.json.
                   Written beside it: demo-users.json, demo-operators.json, and for Amplify's mobile libraries
                   amplify_outputs.json (Gen 2) and amplifyconfiguration.json (Gen 1).
  --user-pool-port <n>
                   Port of the local Cognito user pool (env USER_POOL_PORT).
                   Default: the API's port + 1 (0 when --port is 0).
  --set NAME=VALUE A manifest setting for this run, e.g. --set STORE_DECISION_TIMEOUT_SECONDS=60
                   (repeatable; the settings are the manifest's value bindings).
  --cors-origin <origin>
                   Also let browser pages on this origin call the API and open its realtime
                   socket, e.g. --cors-origin http://localhost:5173 (repeatable). Allowed
                   anyway: the stack's own web demo and explorer, and the manifest's
                   api.corsOrigins (the Apollo explorer: studio.apollographql.com and
                   sandbox.embed.apollographql.com).
  --no-introspection
                   Refuse GraphQL introspection as a deployed stage prod does (AppSync's
                   validation error). Default: on, as on other stages.
  --verbose        Print emulator and handler logs.
  -h, --help       Show this help.
`;

/** A bad option or value; the message is written for the user. */
export class CliOptionError extends Error {
  override readonly name = 'CliOptionError';
}

export interface CliOptions {
  readonly port: number;
  readonly host: string;
  /** As given (flag or env); undefined = derive it from `host` (client-files.ts resolvePublicHost). */
  readonly publicHost: string | undefined;
  readonly userPoolPort: number | undefined;
  /** Serve HTTPS/WSS too (local/tls). */
  readonly tls: boolean;
  /** As given; undefined = the API's port + 2 (0 when it is 0). Only with `tls`. */
  readonly tlsPort: number | undefined;
  /** As given; undefined = the API's port + 3 (0 when it is 0). Only with `tls`. */
  readonly userPoolTlsPort: number | undefined;
  readonly inMemory: boolean;
  readonly dataDir: string | undefined;
  readonly amplifyConfig: string | undefined;
  readonly envOverrides: Readonly<Record<string, string>>;
  /** Browser origins allowed for this run, each as a browser sends it (`scheme://host[:port]`). */
  readonly corsOrigins: readonly string[];
  /** False with --no-introspection. */
  readonly introspection: boolean;
  readonly verbose: boolean;
}

export type CliRequest = { readonly help: true } | { readonly help: false; readonly options: CliOptions };

/** `text` as the origin a browser sends (`http(s)://host[:port]`, no path); a trailing slash is dropped. */
function originOf(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.href !== `${url.origin}/`)
    throw new CliOptionError(`--cors-origin takes an origin such as http://localhost:5173 (scheme, host, port; no path), got "${text}"`);
  return url.origin;
}

function portOf(name: string, text: string): number {
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliOptionError(`--${name} must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}

/** Parses `npm start`'s arguments and environment; throws CliOptionError. */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliRequest {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'public-host': { type: 'string' },
        tls: { type: 'boolean', default: false },
        'tls-port': { type: 'string' },
        'user-pool-tls-port': { type: 'string' },
        'in-memory': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        'amplify-config': { type: 'string' },
        'user-pool-port': { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        'cors-origin': { type: 'string', multiple: true, default: [] },
        'no-introspection': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new CliOptionError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { help: true };
  const envOverrides: Record<string, string> = {};
  for (const setting of values.set) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(setting);
    if (match === null) throw new CliOptionError(`--set takes NAME=VALUE, got "${setting}"`);
    envOverrides[match[1]!] = match[2]!;
  }
  const corsOrigins = values['cors-origin'].map(originOf);
  const userPoolPort = values['user-pool-port'] ?? env.USER_POOL_PORT;
  const tls = values.tls || env.PIZZA_TLS === '1';
  const tlsPort = values['tls-port'] ?? env.TLS_PORT;
  if (tlsPort !== undefined && !tls) throw new CliOptionError('--tls-port (or TLS_PORT) needs --tls (or PIZZA_TLS=1)');
  const userPoolTlsPort = values['user-pool-tls-port'] ?? env.USER_POOL_TLS_PORT;
  if (userPoolTlsPort !== undefined && !tls)
    throw new CliOptionError('--user-pool-tls-port (or USER_POOL_TLS_PORT) needs --tls (or PIZZA_TLS=1)');
  return {
    help: false,
    options: {
      port: portOf('port', values.port ?? env.PORT ?? '4000'),
      host: values.host ?? env.HOST ?? '127.0.0.1',
      publicHost: values['public-host'] ?? env.PUBLIC_HOST,
      userPoolPort: userPoolPort === undefined ? undefined : portOf('user-pool-port', userPoolPort),
      tls,
      tlsPort: tlsPort === undefined ? undefined : portOf('tls-port', tlsPort),
      userPoolTlsPort: userPoolTlsPort === undefined ? undefined : portOf('user-pool-tls-port', userPoolTlsPort),
      inMemory: values['in-memory'] || env.PIZZA_IN_MEMORY === '1',
      dataDir: values['data-dir'] ?? env.PIZZA_DATA_DIR,
      amplifyConfig: values['amplify-config'],
      envOverrides,
      corsOrigins,
      introspection: !values['no-introspection'],
      verbose: values.verbose,
    },
  };
}
