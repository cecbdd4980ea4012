import { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { documentClient, SDK_LOGGER_MIDDLEWARE, sfnClient, snsClient, ssmClient } from './clients.js';

const hasLogger = (client: { middlewareStack: { identify(): string[] } }) =>
  client.middlewareStack.identify().some((entry) => entry.startsWith(`${SDK_LOGGER_MIDDLEWARE} `));

describe('the handlers’ SDK clients', () => {
  it('have no logger middleware (a plain client has one: its name is still the SDK’s)', () => {
    expect(hasLogger(new SFNClient({ region: 'us-east-1' }))).toBe(true);
    for (const client of [documentClient(), sfnClient(), snsClient(), ssmClient()]) expect(hasLogger(client)).toBe(false);
  });
});
