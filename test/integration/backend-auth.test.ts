/**
 * Only the backend may publish order updates: the local AppSync server verifies SigV4 as AWS
 * does, so a forged signature, or a valid signature by credentials the stack does not know, is
 * refused with HTTP 401 and reaches no subscriber. (The real publisher's signed calls are what
 * every lifecycle test's subscription events travel through.)
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_STORE_ID } from '../../infra/seed-stores.js';
import { LOCAL_CREDENTIALS } from '../../local/util/aws.js';
import { gql, orderInput, startHarness, subscribe, type Harness } from './harness.js';
import { PLACE_ORDER } from './operations.js';

const FORGED_ID = 'forged-order-0001';
const forgedPublish = JSON.stringify({
  query: 'mutation P($order: AWSJSON!) { publishOrderUpdate(order: $order) { orderId storeId status version } }',
  variables: { order: JSON.stringify({ orderId: FORGED_ID, storeId: SEED_STORE_ID, status: 'DELIVERED', version: 99 }) },
});

async function signedPost(url: string, credentials: { accessKeyId: string; secretAccessKey: string }, region: string) {
  const endpoint = new URL(url);
  const signer = new SignatureV4({ service: 'appsync', region, credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: endpoint.pathname,
    headers: { host: endpoint.host, 'content-type': 'application/json' },
    body: forgedPublish,
  });
  return signed.headers;
}

async function post(url: string, headers: Record<string, string>, body = forgedPublish) {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { errors?: { errorType?: string }[] } };
}

describe('backend-only publishing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('refuses a forged signature, a stranger signing correctly, a tampered body and the API key; none reaches a subscriber', async () => {
    const url = h.stack.graphqlUrl;
    const sub = await subscribe(h, { storeId: SEED_STORE_ID });

    const wrongSecret = await signedPost(url, { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' }, h.stack.region);
    const stranger = await signedPost(url, { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'its-own-secret' }, h.stack.region);
    const genuine = await signedPost(url, LOCAL_CREDENTIALS, h.stack.region);
    const refusals = [
      await post(url, wrongSecret),
      await post(url, stranger),
      await post(url, genuine, forgedPublish.replace('DELIVERED', 'CANCELLED')),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(401);
      expect(refusal.json.errors?.[0]?.errorType).toBe('UnauthorizedException');
    }
    const apiKey = await post(url, { 'content-type': 'application/json', 'x-api-key': h.stack.apiKey });
    expect(apiKey.json.errors?.[0]?.errorType).toBe('Unauthorized');

    // Events arrive in order: once a real order's PLACED is heard, a forged event would have been too.
    const placed = await gql<{ placeOrder: { orderId: string } }>(h, PLACE_ORDER, { input: orderInput() });
    await sub.waitFor((e) => e.orderId === placed.placeOrder.orderId, 'the real order');
    expect(sub.events.map((e) => e.orderId)).not.toContain(FORGED_ID);
    sub.unsubscribe();
  });
});
