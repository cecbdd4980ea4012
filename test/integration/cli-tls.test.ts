/**
 * `npm start -- --tls` as a user runs it, on a temp data folder: the banner names the https/wss
 * URLs (API, realtime, user pool) and the CA file in the data folder, the mobile config files name
 * the https endpoints (valid against the Gen 2 schema), the unmodified aws-amplify v6 client
 * configured from amplify_outputs.json alone signs in over https:// and subscribes over wss://
 * when it trusts the CA (through NODE_EXTRA_CA_CERTS, in a process of its own:
 * amplify-over-tls.ts) and fails at sign-in when it does not,
 * and a restart keeps the CA (a device trusts it once) while the server certificate covers the new
 * public host. (local/appsync/server/tls.test.ts and local/cognito/tls.test.ts: the listeners'
 * protocol; local/tls: the certificates.)
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../../client/validate.js';
import { cleanUpStacks, ready, start, tempDir } from './npm-start.js';

cleanUpStacks();

const CLIENT = join(import.meta.dirname, 'amplify-over-tls.ts');

/** Runs amplify-over-tls.ts with `env` added; resolves with the JSON line it printed. */
function runClient(outputsFile: string, env: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--disable-warning=ExperimentalWarning', CLIENT, outputsFile],
      { env: { ...process.env, ...env }, timeout: 45_000 },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new Error(`the client printed no result (${error?.message ?? 'exit 0'}): ${stdout}${stderr}`));
        }
      },
    );
  });
}

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
    const userPoolUrl = /User pool \(TLS\) (https:\/\/127\.0\.0\.1:\d+)\n/.exec(first.output())?.[1];
    expect(userPoolUrl).toBeDefined();
    expect(first.output()).toContain(`Local CA        ${caFile}`);
    expect(first.output()).toContain(`NODE_EXTRA_CA_CERTS=${caFile}`);
    const outputsFile = join(tmp, 'amplify_outputs.json');
    const outputs = await readJson(outputsFile);
    expect(outputs).toMatchObject({
      data: { url },
      custom: { serverless_pizza_local: { realtime_url: `${url!.replace(/^https/, 'wss')}/realtime`, user_pool_endpoint: userPoolUrl } },
    });
    expect(schemaErrors('amplify_outputs', outputs)).toEqual([]);
    expect(await readJson(join(tmp, 'amplifyconfiguration.json'))).toMatchObject({
      api: { plugins: { awsAPIPlugin: { serverlessPizza: { endpoint: url } } } },
    });
    // amplify-config.json (browsers, Node) stays on the plain endpoints.
    expect(await readJson(join(tmp, 'amplify-config.json'))).toMatchObject({
      API: { GraphQL: { endpoint: expect.stringMatching(/^ws:\/\//), customEndpoint: expect.stringMatching(/^http:\/\//) } },
      Auth: { Cognito: { userPoolEndpoint: expect.stringMatching(/^http:\/\//) } },
    });
    const ca = await readFile(caFile, 'utf8');
    expect(new X509Certificate(ca).ca).toBe(true);
    // The client trusting the CA: it signs in over https:// and its subscription over wss:// receives the order it placed.
    expect(await runClient(outputsFile, { NODE_EXTRA_CA_CERTS: caFile })).toEqual({
      event: { orderId: expect.any(String), status: 'PLACED' },
    });
    // Not trusting it: its first request, the sign-in, fails (Amplify reports the failed handshake as a network error, without a cause).
    expect(await runClient(outputsFile, {})).toEqual({ error: expect.stringContaining('A network error has occurred.'), step: 'sign-in' });
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
      custom: { serverless_pizza_local: { user_pool_endpoint: expect.stringMatching(/^https:\/\/192\.168\.77\.5:\d+$/) } },
    });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});
