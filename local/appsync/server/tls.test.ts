/**
 * The TLS listener: the same API and realtime protocol over `https://` and `wss://`, with a
 * certificate from the local CA (local/tls), trusted by giving clients the CA and nothing else.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLocalTls, type LocalTls } from '../../tls/local-tls.js';
import { ListenError } from './server.js';
import { API_KEY, RawClient, headerProtocol, postGraphQL, startTestServer } from './test-kit.js';

const PUBLIC_HOST = '192.168.1.20';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let dir: string;
let material: LocalTls;
let server: Server;
let tlsUrl: URL;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pizza-tls-server-'));
  material = await prepareLocalTls(dir, [PUBLIC_HOST]);
  server = await startTestServer({ tls: { cert: material.certPem, key: material.keyPem } });
  tlsUrl = new URL(server.tls!.url);
});
afterAll(async () => {
  await server?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A realtime client that authenticates as Amplify does (the `header-` subprotocol), trusting the CA for `wss://`. */
function realtimeClient(url: string): RawClient {
  const { host } = new URL(url);
  return new RawClient(url, ['graphql-ws', headerProtocol({ host, 'x-api-key': API_KEY })], {}, { ca: material.caPem });
}

/** POSTs `body` to `url` over HTTPS, trusting only `ca` (none: the system's roots). */
function postHttps(url: URL, body: unknown, ca?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json', 'x-api-key': API_KEY } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The certificate the TLS listener presents, verified against the CA alone. */
function servedCertificate(): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    // The chain is verified here; the names are checked by the test itself.
    const socket = connect({ host: '127.0.0.1', port: server.tls!.port, ca: material.caPem, checkServerIdentity: () => undefined }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('the TLS listener', () => {
  it('is announced as https:// and wss:// URLs on its own port, beside the plain ones', () => {
    expect(server.tls).toEqual({
      url: `https://127.0.0.1:${server.tls!.port}/graphql`,
      realtimeUrl: `wss://127.0.0.1:${server.tls!.port}/graphql/realtime`,
      port: expect.any(Number),
    });
    expect(server.tls!.port).not.toBe(server.port);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/graphql`);
  });

  it('presents a certificate signed by the local CA that names the public host and loopback', async () => {
    const cert = new X509Certificate((await servedCertificate()).raw);
    expect(cert.checkIssued(new X509Certificate(material.caPem))).toBe(true);
    expect(cert.checkIP(PUBLIC_HOST)).toBe(PUBLIC_HOST);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('192.168.1.21')).toBeUndefined();
  });

  it('answers a query over HTTPS for a client that trusts the CA', async () => {
    const res = await postHttps(tlsUrl, { query: 'query { getThing(id: "tls-1") { id owner } }' }, material.caPem);
    expect(res).toEqual({ status: 200, json: { data: { getThing: { id: 'tls-1', owner: 'olga' } } } });
  });

  it('is refused by a client that does not trust the CA (the listener sends its own certificate only)', async () => {
    await expect(postHttps(tlsUrl, { query: '{ hello }' })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('delivers over wss:// an event published by a mutation over plain HTTP (one hub for both listeners)', async () => {
    const client = realtimeClient(server.tls!.realtimeUrl);
    try {
      await client.init();
      client.start('s1', 'subscription { onThing(id: "tls-2") { id owner } }');
      await client.waitFor((f) => f.type === 'start_ack' && f.id === 's1');

      const res = await postGraphQL(server.url, { query: 'mutation { putThing(id: "tls-2", owner: "amy") { id owner } }' });
      expect(res.status).toBe(200);

      const data = await client.waitFor((f) => f.type === 'data' && f.id === 's1');
      expect(data.payload).toEqual({ data: { onThing: { id: 'tls-2', owner: 'amy' } } });
    } finally {
      await client.close();
    }
  });

  it('delivers over ws:// an event published by a mutation over HTTPS', async () => {
    const client = realtimeClient(server.realtimeUrl);
    try {
      await client.init();
      client.start('s1', 'subscription { onThing(id: "tls-3") { id owner } }');
      await client.waitFor((f) => f.type === 'start_ack' && f.id === 's1');

      await postHttps(tlsUrl, { query: 'mutation { putThing(id: "tls-3", owner: "bo") { id owner } }' }, material.caPem);

      const data = await client.waitFor((f) => f.type === 'data' && f.id === 's1');
      expect(data.payload).toEqual({ data: { onThing: { id: 'tls-3', owner: 'bo' } } });
    } finally {
      await client.close();
    }
  });

  it('answers the realtime protocol over wss:// as over ws:// (an unknown message type is refused the same way)', async () => {
    const secure = realtimeClient(server.tls!.realtimeUrl);
    const plain = realtimeClient(server.realtimeUrl);
    try {
      await Promise.all([secure.init(), plain.init()]);
      for (const client of [secure, plain]) client.send({ type: 'subscribe', id: 'x', payload: {} });
      const [a, b] = await Promise.all([secure, plain].map((c) => c.waitFor((f) => f.type === 'error')));
      expect(a).toEqual(b);
    } finally {
      await Promise.all([secure.close(), plain.close()]);
    }
  });
});

describe('a TLS port that cannot be bound', () => {
  it('fails the start with a ListenError naming the port', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await startTestServer({ tls: { cert: material.certPem, key: material.keyPem, port } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ListenError);
      expect((error as Error).message).toBe(`cannot serve HTTPS on 127.0.0.1:${port}: the port is taken`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
