/**
 * `npm start -- --tls` as a client sees it: the local stack with its HTTPS/WSS listener, the
 * amplify_outputs.json it writes (naming `https://…/graphql`), and the unmodified aws-amplify v6
 * client configured from that file alone, which derives `wss://…/graphql/realtime` from it,
 * trusting the local CA only through NODE_EXTRA_CA_CERTS (in a process of its own:
 * amplify-over-tls.ts).
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaErrors } from '../../client/validate.js';
import { writeLocalAmplifyFiles } from '../../local/client-files.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

const CLIENT = join(import.meta.dirname, 'amplify-over-tls.ts');

let stack: LocalStack;
let tls: NonNullable<LocalStack['tls']>;
let dir: string;
let outputsFile: string;

beforeAll(async () => {
  stack = await startLocalStack({ inMemory: true, port: 0, tls: {} });
  if (stack.tls === undefined) throw new Error('the stack has no TLS listener');
  tls = stack.tls;
  dir = await mkdtemp(join(tmpdir(), 'pizza-tls-clients-'));
  outputsFile = (await writeLocalAmplifyFiles(dir, stack, '127.0.0.1')).outputs;
});

afterAll(async () => {
  await stack?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Runs amplify-over-tls.ts with `env` added; resolves with the JSON line it printed. */
function runClient(env: Record<string, string>): Promise<unknown> {
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

describe('the local stack with --tls', () => {
  it('listens on https:// and wss:// with a certificate its CA file verifies', async () => {
    expect(tls.graphqlUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(tls.realtimeUrl).toBe(`${tls.graphqlUrl.replace(/^https/, 'wss')}/realtime`);
    const ca = new X509Certificate(await readFile(tls.caFile));
    expect(ca.ca).toBe(true);
  });

  it('writes amplify_outputs.json naming the TLS listener, valid against the Gen 2 schema', async () => {
    const outputs: unknown = JSON.parse(await readFile(outputsFile, 'utf8'));
    expect(schemaErrors('amplify_outputs', outputs)).toEqual([]);
    expect(outputs).toMatchObject({ data: { url: tls.graphqlUrl }, custom: { serverless_pizza_local: { realtime_url: tls.realtimeUrl } } });
  });

  it('serves aws-amplify v6 configured from amplify_outputs.json: a subscription over wss:// receives the order it placed', async () => {
    const result = await runClient({ NODE_EXTRA_CA_CERTS: tls.caFile });
    expect(result).toEqual({ event: { orderId: expect.any(String), status: 'PLACED' } });
  });

  it('is refused by the same client when it does not trust the CA (its first HTTPS request fails)', async () => {
    const result = await runClient({});
    // Amplify reports the failed TLS handshake as a network error (it keeps no cause).
    expect(result).toEqual({ error: expect.stringContaining('A network error has occurred.') });
  });
});

describe('an in-memory stack with --tls', () => {
  it('keeps its CA in a temp folder while it runs', async () => {
    await expect(access(tls.caFile)).resolves.toBeUndefined();
    expect(tls.caFile.startsWith(tmpdir())).toBe(true);
  });
});
