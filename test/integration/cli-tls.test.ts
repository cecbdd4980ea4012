/**
 * `npm start -- --tls` as a user runs it, on a temp data folder: the banner names the https/wss
 * URLs and the CA file in the data folder, the mobile config files name the https endpoint, and a
 * restart keeps the CA (a device trusts it once) while the server certificate covers the new
 * public host. (test/integration/tls.test.ts: clients over TLS against an in-memory stack.)
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanUpStacks, ready, start, tempDir } from './npm-start.js';

cleanUpStacks();

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

describe('npm start --tls', { timeout: 240_000 }, () => {
  it('prints the TLS URLs and its CA, writes https endpoints into the mobile files, and keeps the CA across a restart', async () => {
    const tmp = await tempDir();
    const caFile = join(tmp, 'data', 'tls', 'ca.crt');
    const first = start(tmp, ['--tls']);
    await ready(first);
    const url = /GraphQL \(TLS\)\s+(https:\/\/127\.0\.0\.1:\d+\/graphql)\n/.exec(first.output())?.[1];
    expect(url).toBeDefined();
    expect(first.output()).toContain(`Realtime (TLS)  ${url!.replace(/^https/, 'wss')}/realtime\n`);
    expect(first.output()).toContain(`Local CA        ${caFile}`);
    expect(first.output()).toContain(`NODE_EXTRA_CA_CERTS=${caFile}`);
    expect(await readJson(join(tmp, 'amplify_outputs.json'))).toMatchObject({ data: { url } });
    expect(await readJson(join(tmp, 'amplifyconfiguration.json'))).toMatchObject({
      api: { plugins: { awsAPIPlugin: { serverlessPizza: { endpoint: url } } } },
    });
    // amplify-config.json (browsers, Node) stays on the plain endpoints.
    expect(await readJson(join(tmp, 'amplify-config.json'))).toMatchObject({
      API: { GraphQL: { endpoint: expect.stringMatching(/^ws:\/\//), customEndpoint: expect.stringMatching(/^http:\/\//) } },
    });
    const ca = await readFile(caFile, 'utf8');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    const second = start(tmp, ['--tls', '--host', '0.0.0.0', '--public-host', '192.168.77.5']);
    await ready(second);
    expect(await readFile(caFile, 'utf8')).toBe(ca);
    const server = new X509Certificate(await readFile(join(tmp, 'data', 'tls', 'server.crt')));
    expect(server.checkIP('192.168.77.5')).toBe('192.168.77.5');
    expect(server.checkIssued(new X509Certificate(ca))).toBe(true);
    expect(await readJson(join(tmp, 'amplify_outputs.json'))).toMatchObject({
      data: { url: expect.stringMatching(/^https:\/\/192\.168\.77\.5:\d+\/graphql$/) },
    });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});
