/**
 * Unit tests of the handlers' domain operations with fake repositories and clients (each test
 * checks one module's decisions; the real wiring is covered by test/integration).
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../domain/order.js';
import { orderRecord } from '../test/factories.js';
import { awaitParty, parseAwaitPartyEvent, resumeFor, type AwaitPartyDeps } from './await-party.js';
import { cancelOrder } from './cancel-order.js';
import { decideOrder } from './decide-order.js';
import type { OrderMutationDeps } from './lib/mutation-handler.js';
import type { OrderRepository } from './lib/orders.js';
import { failure } from './lib/result.js';
import { requestHash } from './place-order.js';
import { InvalidTransitionError, ValidationError } from '../domain/errors.js';

const order = orderRecord;

/** Records every command sent, and answers with `reply`. */
function fakeClient(reply: (command: unknown) => unknown = () => ({})) {
  const sent: unknown[] = [];
  return { sent, send: async (command: unknown) => (sent.push(command), reply(command)) };
}

const quiet = { info: () => undefined, error: () => undefined };

function mutationDeps(repo: Partial<OrderRepository>, sfn = fakeClient()): OrderMutationDeps & { sfn: ReturnType<typeof fakeClient> } {
  return { orders: repo as OrderRepository, sfn: sfn as never, now: () => new Date('2026-11-24T01:00:00Z'), log: quiet } as never;
}

describe('decideOrder', () => {
  it('resumes the workflow with the decision when the wait task stored its token', async () => {
    const deps = mutationDeps({ transition: async () => order({ status: 'ACCEPTED', storeTaskToken: 'tok' }) });
    const result = await decideOrder({ orderId: 'o1', storeId: 's1', decision: 'ACCEPT', reason: null }, deps);
    expect(result.status).toBe('ACCEPTED');
    expect(result).not.toHaveProperty('storeTaskToken');
    const [command] = deps.sfn.sent;
    expect(command).toBeInstanceOf(SendTaskSuccessCommand);
    expect((command as SendTaskSuccessCommand).input).toEqual({ taskToken: 'tok', output: '{"decision":"ACCEPT"}' });
  });

  it('leaves the resume to the wait task when no token is stored yet', async () => {
    const deps = mutationDeps({ transition: async () => order({ status: 'DECLINED' }) });
    await decideOrder({ orderId: 'o1', storeId: 's1', decision: 'DECLINE', reason: 'closed' }, deps);
    expect(deps.sfn.sent).toEqual([]);
  });

  it('keeps the decision when the workflow no longer waits (token timed out)', async () => {
    const sfn = fakeClient(() => {
      throw new TaskTimedOut({ message: 'timed out', $metadata: {} });
    });
    const deps = mutationDeps({ transition: async () => order({ status: 'ACCEPTED', storeTaskToken: 'tok' }) }, sfn);
    await expect(decideOrder({ orderId: 'o1', storeId: 's1', decision: 'ACCEPT', reason: null }, deps)).resolves.toMatchObject({
      status: 'ACCEPTED',
    });
  });

  it('still returns the decided order when Step Functions is unavailable, and logs an error', async () => {
    const errors: string[] = [];
    const sfn = fakeClient(() => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    const deps = {
      ...mutationDeps({ transition: async () => order({ status: 'ACCEPTED', storeTaskToken: 'tok' }) }, sfn),
      log: { info: () => undefined, error: (m: string) => void errors.push(m) },
    };
    await expect(decideOrder({ orderId: 'o1', storeId: 's1', decision: 'ACCEPT', reason: null }, deps)).resolves.toMatchObject({
      status: 'ACCEPTED',
    });
    expect(errors).toEqual(['could not resume the workflow; its timeout path will reconcile']);
  });

  it('passes a refused transition on as a typed failure', async () => {
    const deps = mutationDeps({
      transition: async () => {
        throw new InvalidTransitionError('o1', 'ACCEPTED', 'declined');
      },
    });
    const error = await decideOrder({ orderId: 'o1', storeId: 's1', decision: 'DECLINE', reason: null }, deps).catch((e: unknown) => e);
    expect(failure(error)).toEqual({
      ok: false,
      error: {
        errorType: 'InvalidTransition',
        message: 'order o1 is ACCEPTED: it cannot be declined',
        info: { orderId: 'o1', status: 'ACCEPTED' },
      },
    });
  });
});

describe('cancelOrder', () => {
  it('fails the store wait with Order.Cancelled', async () => {
    const deps = mutationDeps({ transition: async () => order({ status: 'CANCELLED', storeTaskToken: 'tok' }) });
    await cancelOrder({ orderId: 'o1' }, deps);
    expect((deps.sfn.sent[0] as SendTaskFailureCommand).input).toMatchObject({ taskToken: 'tok', error: 'Order.Cancelled' });
  });
});

describe('awaitParty', () => {
  function deps(attach: OrderRecord | null, current = order()) {
    const sns = fakeClient();
    const sfn = fakeClient();
    const d: AwaitPartyDeps = {
      orders: { attachTaskToken: async () => attach, get: async () => current } as unknown as OrderRepository,
      sns: sns as never,
      sfn: sfn as never,
      topics: { STORE_TOPIC_ARN: 'arn:store', DRIVER_TOPIC_ARN: 'arn:driver' },
      log: () => undefined,
    };
    return { d, sns, sfn };
  }

  it('stores the token and alerts the store without it', async () => {
    const { d, sns, sfn } = deps(null);
    expect(await awaitParty({ orderId: 'o1', stage: 'STORE_DECISION', taskToken: 'secret-token' }, d)).toEqual({ alerted: true });
    const publish = sns.sent[0] as PublishCommand;
    expect(publish).toBeInstanceOf(PublishCommand);
    expect(publish.input.TopicArn).toBe('arn:store');
    expect(publish.input.MessageAttributes?.storeId?.StringValue).toBe('s1');
    expect(JSON.stringify(publish.input)).not.toContain('secret-token');
    expect(sfn.sent).toEqual([]);
  });

  it('resumes the workflow itself when the store decided before the token was stored', async () => {
    const { d, sns, sfn } = deps(order({ status: 'DECLINED' }));
    expect(await awaitParty({ orderId: 'o1', stage: 'STORE_DECISION', taskToken: 'tok' }, d)).toEqual({ alerted: false });
    expect(sns.sent).toEqual([]);
    expect((sfn.sent[0] as SendTaskSuccessCommand).input).toEqual({ taskToken: 'tok', output: '{"decision":"DECLINE"}' });
  });

  it('maps an order that moved on to the right resume', () => {
    expect(resumeFor('STORE_DECISION', order({ status: 'OUT_FOR_DELIVERY' }))).toEqual({ kind: 'success', output: { decision: 'ACCEPT' } });
    expect(resumeFor('DRIVER_PICKUP', order({ status: 'OUT_FOR_DELIVERY', driverId: 'd1' }))).toEqual({
      kind: 'success',
      output: { driverId: 'd1' },
    });
    expect(resumeFor('DRIVER_PICKUP', order({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' }))).toEqual({
      kind: 'failure',
      error: 'Order.Cancelled',
      cause: 'CUSTOMER_CANCELLED',
    });
  });

  it('refuses a malformed workflow event', () => {
    expect(() => parseAwaitPartyEvent({ orderId: 'o1', stage: 'LUNCH', taskToken: 't' })).toThrow(/STORE_DECISION/);
  });
});

describe('placeOrder requestHash', () => {
  const command = {
    storeId: 's1',
    paymentId: 'p1',
    pies: [{ size: 'SMALL' as const, cheese: 'SMALL' as const, toppings: [] }],
    deliveryAddress: { coordinates: { latitude: 1, longitude: 2 }, streetAddress: 'a', city: 'b', postalCode: 'c', province: 'd' },
    idempotencyKey: 'key-00000001',
  };

  it('ignores the key itself and changes with the order', () => {
    expect(requestHash(command)).toBe(requestHash({ ...command, idempotencyKey: 'key-00000002' }));
    expect(requestHash(command)).not.toBe(requestHash({ ...command, paymentId: 'p2' }));
  });
});

describe('failure()', () => {
  it('rethrows what is not a domain error, so Lambda reports it', () => {
    expect(() => failure(new Error('boom'))).toThrow('boom');
    expect(failure(new ValidationError('pies', 'must have at least one pie'))).toMatchObject({
      ok: false,
      error: { errorType: 'ValidationError' },
    });
  });
});
