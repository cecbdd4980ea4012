/**
 * The files a client reads before it can call the local API:
 *
 * - served on the API's origin (the AppSync server's `extraRoutes`): `/amplify-config.json` (how
 *   to configure Amplify in a browser) and `/demo-users.json` (the seeded demo accounts, for the
 *   web demo's one-click sign-in);
 * - written by `npm start` beside amplify-config.json: the mobile libraries' `amplify_outputs.json`
 *   (Gen 2) and `amplifyconfiguration.json` (Gen 1), built by client/amplify-files.ts, naming the
 *   address clients should use (`--public-host`), never the wildcard the server binds. With the
 *   stack's TLS listeners (`--tls`) they name its `https://…/graphql`, from which every Amplify
 *   library derives `…/graphql/realtime` over TLS (README "Mobile apps"), and the user pool's
 *   `https://` endpoint; amplify-config.json keeps the plain http/ws endpoints, which browsers
 *   and Node need no certificate for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { writeAmplifyFiles, type ClientEndpoints } from '../client/amplify-files.js';
import type { AmplifyConfig, LocalStack } from './stack.js';

/**
 * A route handler answering `GET <path>` with the JSON of `documents[path]()`; a path whose
 * document is not ready (undefined) or not listed is left to the next route (returns false).
 */
export function jsonFileRoutes(documents: Readonly<Record<string, () => unknown>>): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const document = Object.hasOwn(documents, path) ? documents[path]?.() : undefined;
    if (document === undefined) return false;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(document));
    return true;
  };
}

/** No address clients could use: `--host` is a wildcard and the machine has no LAN address. */
export class PublicHostError extends Error {
  override readonly name = 'PublicHostError';
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * The host name written into client configs. `--public-host` wins; a wildcard bind address
 * (`0.0.0.0`, `::`) is replaced by the machine's first non-internal IPv4 address (what a phone on
 * the same network dials); any other bind address is used as it is.
 */
export function resolvePublicHost(
  bindHost: string,
  publicHost: string | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  if (publicHost !== undefined) {
    if (WILDCARDS.has(publicHost)) throw new PublicHostError(`--public-host ${publicHost || '""'} is not an address a client can dial`);
    return publicHost;
  }
  if (!WILDCARDS.has(bindHost)) return bindHost;
  const lan = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .find((i) => i.family === 'IPv4' && !i.internal);
  if (lan === undefined)
    throw new PublicHostError(
      `--host ${bindHost} listens on every interface, but this machine has no LAN address to write into the client configs; ` +
        'name the address clients should dial with --public-host <addr>',
    );
  return lan.address;
}

/** `url` with its host name replaced (port, path and a missing trailing slash kept). */
export function withHost(url: string, host: string): string {
  const parsed = new URL(url);
  const hostname = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  if (parsed.hostname === hostname) return url;
  parsed.hostname = hostname;
  const text = parsed.toString();
  return !url.endsWith('/') && parsed.pathname === '/' && text.endsWith('/') ? text.slice(0, -1) : text;
}

/** The stack's API and user pool (their TLS listeners when it has them) as clients at `host` reach them. */
export function localClientEndpoints(
  stack: Pick<LocalStack, 'graphqlUrl' | 'realtimeUrl' | 'tls' | 'region' | 'apiKey' | 'userPool'>,
  host: string,
): ClientEndpoints {
  const api = stack.tls ?? stack;
  return {
    graphqlUrl: withHost(api.graphqlUrl, host),
    realtimeUrl: withHost(api.realtimeUrl, host),
    region: stack.region,
    apiKey: stack.apiKey,
    userPoolId: stack.userPool.userPoolId,
    userPoolClientId: stack.userPool.clientId,
    userPoolEndpoint: withHost(stack.tls?.userPoolEndpoint ?? stack.userPool.endpoint, host),
  };
}

/** amplify-config.json (the split form aws-amplify v6 needs without TLS) for clients at `host`. */
export function amplifyConfigAt(config: AmplifyConfig, host: string): AmplifyConfig {
  const { GraphQL } = config.API;
  const { Cognito } = config.Auth;
  return {
    API: { GraphQL: { ...GraphQL, endpoint: withHost(GraphQL.endpoint, host), customEndpoint: withHost(GraphQL.customEndpoint, host) } },
    Auth: {
      Cognito:
        Cognito.userPoolEndpoint === undefined ? Cognito : { ...Cognito, userPoolEndpoint: withHost(Cognito.userPoolEndpoint, host) },
    },
  };
}

/** Writes amplify_outputs.json and amplifyconfiguration.json for the local stack into `dir`. */
export function writeLocalAmplifyFiles(dir: string, stack: Parameters<typeof localClientEndpoints>[0], host: string) {
  return writeAmplifyFiles(dir, localClientEndpoints(stack, host));
}
