import { describe, expect, it } from 'vitest';

describe('X-Ray outside Lambda', () => {
  it('starts in manual mode (no async hook on every promise) once tracer.ts is loaded, and Tracer is off', async () => {
    expect(process.env['AWS_EXECUTION_ENV']).toBeUndefined();
    // In this order, as a handler loads them: tracer.ts first, the X-Ray SDK through it.
    const { tracer } = await import('./tracer.js');
    const { default: xray } = await import('aws-xray-sdk-core');
    expect(xray.isAutomaticMode()).toBe(false);
    expect(tracer.isTracingEnabled()).toBe(false);
  });
});
