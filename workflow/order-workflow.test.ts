import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
      .replaceAll('${EstimateDeliveryFunctionArn}', 'arn:aws:lambda:us-east-1:123456789012:function:estimateDelivery')
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
    }
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
