/**
 * `npm start`'s persistent stack after a hard kill: orders left at every stage (accepted, out for
 * delivery, waiting for its store) are driven to their ends after the restart, a store timeout
 * that fell due while the stack was down fires at once, a retried placement starts no second
 * workflow, and a Node process killed alone takes its JVM with it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gql, orderInput } from './harness.js';
import { COMPLETE_DELIVERY, DECIDE_ORDER, PICKUP_ORDER } from './operations.js';
import { waitFor } from '../../local/util/wait.js';
import {
  cleanUpStacks,
  executionStatus,
  executionsNamed,
  getOrder,
  jvmsFor,
  killGroup,
  orderWhere,
  partiesOf,
  placeOrder,
  ready,
  start,
  tempDir,
  until,
} from './npm-start.js';

cleanUpStacks();

describe('npm start with its data folder, after a hard kill', { timeout: 240_000 }, () => {
  it('drives orders left at every stage by a hard kill to their ends after a restart (a store timeout that fell due meanwhile fires); Node alone killed leaves no JVM', async () => {
    // Short, so the stack need not stay down long: the waiting order is placed last, right before the kill.
    const storeTimeoutSeconds = 5;
    const timeout = ['--set', `STORE_DECISION_TIMEOUT_SECONDS=${storeTimeoutSeconds}`];
    const tmp = await tempDir();
    const first = start(tmp, timeout);
    await ready(first);
    const { customer1: customer, store1: store, driver1, driver2 } = await partiesOf(tmp, 'customer1', 'store1', 'driver1', 'driver2');
    const accepted = await placeOrder(customer);
    await gql(store, DECIDE_ORDER, { input: { orderId: accepted.orderId, decision: 'ACCEPT' } });
    const onTheWay = await placeOrder(customer);
    await gql(store, DECIDE_ORDER, { input: { orderId: onTheWay.orderId, decision: 'ACCEPT' } });
    await gql(driver1, PICKUP_ORDER, { input: { orderId: onTheWay.orderId } });
    await orderWhere(customer, onTheWay.orderId, (o) => o.deliveryEstimatedAt !== null, 'an ETA before the kill');
    const waitingInput = orderInput();
    const waiting = await placeOrder(customer, waitingInput);
    const waitingDeadline = Date.parse(waiting.createdAt) + storeTimeoutSeconds * 1000;
    // Its workflow starts from the orders stream: the kill hits a started workflow waiting for its
    // store. (DynamoDB Local makes a transaction durable only with its next request or tens of ms
    // later, so a kill right after the acknowledgement could lose the order: README "Known limits".)
    await waitFor(async () => (await executionsNamed(first.output(), waiting.orderId)) === 1, {
      what: "the waiting order's workflow to start",
      timeoutMs: 20_000,
    });

    killGroup(first.pid, 'SIGKILL');
    await first.exited;
    // Killed while the waiting order still waited for its store.
    expect(Date.now()).toBeLessThan(waitingDeadline);
    // The stack stays down until the waiting order's store timeout has fallen due (time passing).
    await waitFor(() => Date.now() > waitingDeadline, { what: 'the store timeout to fall due', timeoutMs: 60_000, intervalMs: 100 });

    const restarted = start(tmp, timeout);
    await ready(restarted);
    const {
      customer1: customerAgain,
      driver1: driver1Again,
      driver2: driver2Again,
    } = await partiesOf(tmp, 'customer1', 'driver1', 'driver2');
    expect([driver1Again.sub, driver2Again.sub]).toEqual([driver1.sub, driver2.sub]);

    const timedOut = await orderWhere(customerAgain, waiting.orderId, (o) => o.status === 'CANCELLED', 'cancelled by its store timeout');
    expect(timedOut.cancellationReason).toBe('STORE_TIMEOUT');

    await gql(driver2Again, PICKUP_ORDER, { input: { orderId: accepted.orderId } });
    // Only the resumed workflow computes an ETA: it continued past the restart.
    await orderWhere(customerAgain, accepted.orderId, (o) => o.deliveryEstimatedAt !== null, 'an ETA after the restart');
    for (const [order, driver] of [
      [accepted, driver2Again],
      [onTheWay, driver1Again],
    ] as const) {
      await gql(driver, COMPLETE_DELIVERY, { input: { orderId: order.orderId } });
      expect((await getOrder(customerAgain, order.orderId)).status).toBe('DELIVERED');
    }
    for (const order of [waiting, accepted, onTheWay]) {
      await waitFor(async () => (await executionStatus(restarted.output(), order.orderId)) === 'SUCCEEDED', {
        what: `the workflow of ${order.orderId} to succeed`,
        timeoutMs: 30_000,
        intervalMs: 250,
      });
    }
    // Execution names stay reserved across the restart: retrying the first placement returns the
    // same (ended) order and starts no second workflow.
    const retried = await placeOrder(customerAgain, waitingInput);
    expect(retried.orderId).toBe(waiting.orderId);
    expect(retried.status).toBe('CANCELLED');
    expect(await executionsNamed(restarted.output(), waiting.orderId)).toBe(1);

    // Node alone killed with SIGKILL leaves no JVM behind (this stack's own; one start saved).
    const dataDir = join(tmp, 'data');
    const [jvm] = jvmsFor(dataDir);
    expect(jvm).toBeDefined();
    restarted.child.kill('SIGKILL');
    await restarted.exited;
    // At once (Linux: the kernel's parent-death signal), not only at the next start.
    await until(() => jvmsFor(dataDir).length === 0, `JVM ${jvm} to die with its Node process`);
  });
});
