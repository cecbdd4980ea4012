/**
 * `npm run bench`: how fast the local stack is ready, and how fast an order change reaches a
 * live subscriber through the whole path (mutation → Lambda → DynamoDB → stream → publisher →
 * AppSync → WebSocket). Real emulators, real aws-amplify client, each step by its party (a
 * customer places, the store accepts, a driver picks up; the store listens); loopback only; bounded.
 *
 * Options (env): BENCH_STARTS (default 3), BENCH_ORDERS (default 20).
 */
import { performance } from 'node:perf_hooks';
import { gql, orderInput, startHarness, subscribe } from '../test/integration/harness.js';
import { DECIDE_ORDER, PICKUP_ORDER, PLACE_ORDER } from '../test/integration/operations.js';
import { SEED_STORE_ID } from '../infra/seed-stores.js';

const starts = Number(process.env.BENCH_STARTS ?? 3);
const orders = Number(process.env.BENCH_ORDERS ?? 20);

function summary(name: string, samples: number[], unit = 'ms'): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `${name.padEnd(44)} n=${String(samples.length).padStart(3)}  p50 ${at(0.5).toFixed(0).padStart(6)} ${unit}  p95 ${at(0.95).toFixed(0).padStart(6)} ${unit}  max ${at(1).toFixed(0).padStart(6)} ${unit}`;
}

const readyTimes: number[] = [];
for (let i = 0; i < starts; i++) {
  const t0 = performance.now();
  const h = await startHarness({ inMemory: true, port: 0 });
  readyTimes.push(performance.now() - t0);
  if (i < starts - 1) await h.stop();
  else {
    const placeToEvent: number[] = [];
    const mutationLatency: number[] = [];
    const lifecycle: number[] = [];
    const customer = await h.party('customer1');
    const store = await h.party('store1');
    const driver = await h.party('driver1');
    const sub = await subscribe(store, { storeId: SEED_STORE_ID });
    for (let n = 0; n < orders; n++) {
      const start = performance.now();
      const placed = await gql<{ placeOrder: { orderId: string } }>(customer, PLACE_ORDER, { input: orderInput() });
      mutationLatency.push(performance.now() - start);
      const orderId = placed.placeOrder.orderId;
      await sub.waitFor((e) => e.orderId === orderId && e.status === 'PLACED', 'PLACED');
      placeToEvent.push(performance.now() - start);
      await gql(store, DECIDE_ORDER, { input: { orderId, decision: 'ACCEPT' } });
      await sub.waitFor((e) => e.orderId === orderId && e.status === 'ACCEPTED', 'ACCEPTED');
      await gql(driver, PICKUP_ORDER, { input: { orderId } });
      await sub.waitFor((e) => e.orderId === orderId && e.estimateSource !== null, 'ETA');
      lifecycle.push(performance.now() - start);
    }
    sub.unsubscribe();
    const rss = process.memoryUsage().rss / 2 ** 20;
    await h.stop();
    console.log(`\nServerless Pizza local stack — node ${process.version}, ${new Date().toISOString()}`);
    console.log(summary('stack ready (in memory, incl. DynamoDB Local JVM)', readyTimes));
    console.log(summary('placeOrder mutation round trip', mutationLatency));
    console.log(summary('placeOrder → PLACED event at subscriber', placeToEvent));
    console.log(summary('place → accept → pickup → ETA event', lifecycle));
    console.log(`Node process RSS after ${orders} orders: ${rss.toFixed(0)} MiB (DynamoDB Local's JVM not included)`);
  }
}
