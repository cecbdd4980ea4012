/**
 * The JSON documents a browser client on the API's origin reads before it can call the API:
 * `/amplify-config.json` (how to configure Amplify) and `/demo-users.json` (the seeded demo
 * accounts, for the web demo's one-click sign-in). Served by the AppSync server's `extraRoutes`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

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
