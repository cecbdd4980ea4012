import { afterAll, beforeAll, it } from 'vitest';
import { gql, orderInput, startHarness, type Harness } from './harness.js';
import { PLACE_ORDER } from './operations.js';
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());
it('places', async () => {
  const c = await h.party('customer1');
  try {
    await gql(c, PLACE_ORDER, { input: orderInput() });
  } catch (e) {
    process.stderr.write(h.logs.slice(-30).join('\n') + '\n');
  }
});
