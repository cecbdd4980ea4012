import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { parseAwaitDeliveryEvent } from '../functions/await-delivery.js';
import { workflowInputOf } from '../functions/start-workflow.js';
import { orderRecord } from '../test/factories.js';

// asl-validator is CommonJS with no type declarations.
const validate = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

const text = readFileSync(join(import.meta.dirname, 'order.asl.json'), 'utf8');

function substituted(): unknown {
  return JSON.parse(
    text
      .replaceAll('${AwaitPartyFunctionArn}', 'arn:aws:lambda:us-east-1:123456789012:function:awaitParty')
      .replaceAll('${AwaitDeliveryFunctionArn}', 'arn:aws:lambda:us-east-1:123456789012:function:awaitDelivery')
      .replaceAll('${OrdersTableName}', 'orders'),
  );
}

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  TimeoutSecondsPath?: string;
  TimeoutSeconds?: number;
  Parameters?: { Payload?: Record<string, unknown> };
  Choices?: { Next: string }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
}

const states = (substituted() as { States: Record<string, State> }).States;

describe('order workflow (ASL)', () => {
  it('is valid Amazon States Language, before and after substitution', () => {
    const raw = validate(JSON.parse(text));
    expect(raw.isValid, raw.errorsText()).toBe(true);
    const result = validate(substituted());
    expect(result.isValid, result.errorsText()).toBe(true);
  });

  it('bounds every wait for a task token with a timeout that is caught', () => {
    const waits = Object.entries(states).filter(([, s]) => s.Resource?.endsWith('.waitForTaskToken'));
    expect(waits.map(([name]) => name).sort()).toEqual(['AwaitDelivery', 'AwaitPickup', 'AwaitStoreDecision']);
    for (const [name, s] of waits) {
      expect(s.TimeoutSecondsPath ?? s.TimeoutSeconds, name).toBeDefined();
      expect(
        s.Catch?.some((c) => c.ErrorEquals.includes('States.Timeout')),
        name,
      ).toBe(true);
      expect(s.Parameters?.Payload?.['taskToken.$']).toBe('$$.Task.Token');
      // A failing wait task (its Lambda threw, a timeout) is retried before the execution fails.
      expect(
        s.Retry?.some((r) => r.ErrorEquals.includes('States.TaskFailed')),
        name,
      ).toBe(true);
    }
  });

  it('hands the delivery wait what it needs from the execution input, so it need not read the order', () => {
    const image = marshall(orderRecord({ orderId: 'o1', storeId: 's1' }), { removeUndefinedValues: true }) as never;
    const input = workflowInputOf(
      { eventID: 'e1', eventName: 'INSERT', dynamodb: { NewImage: image } },
      { storeDecisionSeconds: 1, pickupSeconds: 1, deliverySeconds: 1 },
    );
    const payload = Object.fromEntries(
      Object.entries(states.AwaitDelivery?.Parameters?.Payload ?? {}).map(([key, path]) => {
        if (path === '$$.Task.Token') return [key.replace(/\.\$$/, ''), 'token'];
        const field = /^\$\.(\w+)$/.exec(String(path))?.[1];
        if (field === undefined || !(field in input)) throw new Error(`AwaitDelivery passes ${String(path)}, not a field of the input`);
        return [key.replace(/\.\$$/, ''), input[field as keyof typeof input]];
      }),
    );
    expect(parseAwaitDeliveryEvent(payload)).toEqual({
      orderId: 'o1',
      storeId: 's1',
      deliveryCoordinates: { latitude: 1, longitude: 2 },
      taskToken: 'token',
    });
  });

  it('retries transient Lambda errors on every Lambda task', () => {
    for (const [name, s] of Object.entries(states)) {
      if (!s.Resource?.startsWith('arn:aws:states:::lambda:invoke')) continue;
      expect(
        s.Retry?.some((r) => r.ErrorEquals.includes('Lambda.ServiceException')),
        name,
      ).toBe(true);
    }
  });

  it('ends a cancelled order cleanly', () => {
    const cancel = states.AwaitStoreDecision?.Catch?.find((c) => c.ErrorEquals.includes('Order.Cancelled'));
    expect(cancel?.Next).toBe('Cancelled');
    expect(states.Cancelled?.Type).toBe('Succeed');
  });

  it('has no state that cannot be reached', () => {
    const reachable = new Set<string>(['AwaitStoreDecision']);
    for (const s of Object.values(states)) {
      for (const next of [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)]) {
        if (next !== undefined) reachable.add(next);
      }
    }
    expect(Object.keys(states).filter((name) => !reachable.has(name))).toEqual([]);
  });
});
