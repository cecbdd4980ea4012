/**
 * The user pool's HTTPS listener (`tls`): the same handler as the plain one over `https://`, with
 * a certificate from the local CA (local/tls), trusted by giving clients the CA and nothing else.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareLocalTls, type LocalTls } from '../tls/local-tls.js';
import { startCognitoUserPool, type CognitoUserPool } from './index.js';

const PASSWORD = 'Pizza-Lover-42';

let dir: string;
let material: LocalTls;
let pool: CognitoUserPool;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pizza-cognito-tls-'));
  material = await prepareLocalTls(dir, []);
  pool = await startCognitoUserPool({ tls: { cert: material.certPem, key: material.keyPem } });
  await pool.createUser({ username: 'tls@pizza.example', password: PASSWORD, attributes: { email: 'tls@pizza.example' } });
});
afterAll(async () => {
  await pool?.dispose();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** `method` `url` over HTTPS trusting only `ca` (none: the system's roots); the answer's status and JSON. */
function https(url: string, ca: string | undefined, method: 'GET' | 'POST', target?: string, body?: object) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const headers = target === undefined ? {} : { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target };
    const req = request(url, { method, ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const passwordAuth = (ca: string | undefined) =>
  https(pool.tlsEndpoint!, ca, 'POST', 'AWSCognitoIdentityProviderService.InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: pool.clientId,
    AuthParameters: { USERNAME: 'tls@pizza.example', PASSWORD },
  });

describe("the user pool's HTTPS listener", () => {
  it('is announced as an https:// endpoint on its own port, beside the plain one', () => {
    expect(pool.tlsEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(pool.tlsEndpoint!).port).not.toBe(new URL(pool.endpoint).port);
    expect(pool.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('signs in a client that trusts the CA, with tokens whose issuer stays the plain endpoint (the one verifiers know)', async () => {
    const reply = await passwordAuth(material.caPem);
    expect(reply.status).toBe(200);
    const { IdToken } = reply.json.AuthenticationResult as Record<string, string>;
    const [, payload = ''] = String(IdToken).split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toMatchObject({
      iss: pool.issuer,
      email: 'tls@pizza.example',
    });
    expect(pool.issuer.startsWith(`${pool.endpoint}/`)).toBe(true);
  });

  it('serves the same JWKS over https as over http', async () => {
    const overTls = await https(`${pool.tlsEndpoint!}/${pool.userPoolId}/.well-known/jwks.json`, material.caPem, 'GET');
    expect(overTls.status).toBe(200);
    expect(overTls.json).toEqual(await (await fetch(pool.jwksUri)).json());
  });

  it('is refused by a client that does not trust the CA (its certificate is signed by no root the client knows)', async () => {
    await expect(passwordAuth(undefined)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('is absent without tls', async () => {
    const plain = await startCognitoUserPool();
    try {
      expect(plain.tlsEndpoint).toBeUndefined();
    } finally {
      await plain.dispose();
    }
  });
});
