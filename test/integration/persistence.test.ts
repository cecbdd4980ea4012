/** The default (persistent) stack keeps orders across a restart. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Order } from '../../generated/graphql.js';
import { orderInput, startHarness, type Harness , gql } from './harness.js';
import { GET_ORDER, PLACE_ORDER } from './operations.js';

let dataDir: string | undefined;
let h: Harness | undefined;

afterAll(async () => {
  await h?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe('persistence', () => {
  it('finds an order placed before a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pizza-data-'));
    h = await startHarness({ inMemory: false, dataDir });
    const placed = (await gql<{ placeOrder: Order }>(h, PLACE_ORDER, { input: orderInput() })).placeOrder;
    await h.stop();
    h = undefined;

    h = await startHarness({ inMemory: false, dataDir });
    const found = (await gql<{ getOrder: Order | null }>(h, GET_ORDER, { orderId: placed.orderId })).getOrder;
    expect(found?.orderId).toBe(placed.orderId);
    expect(found?.createdAt).toBe(placed.createdAt);
  });
});
