import { describe, expect, it } from 'vitest';
import { ORS_API_KEY_PARAMETER } from '../manifest.js';
import { InvalidContextError, stackConfigFromContext } from './config.js';

const from = (ctx: Record<string, unknown>) => stackConfigFromContext((k) => ctx[k]);

describe('stackConfigFromContext', () => {
  it('defaults to a dev stage that is destroyed with the stack, introspection on, the manifest parameter', () => {
    expect(from({})).toEqual({
      stage: 'dev',
      stackName: 'ServerlessPizza-dev',
      retention: 'destroy',
      apiKeyExpiryDays: 30,
      introspection: true,
      orsApiKeyParameter: ORS_API_KEY_PARAMETER,
      logRetentionDays: 14,
    });
  });

  it('retains data and turns introspection off for prod', () => {
    expect(from({ stage: 'prod' })).toMatchObject({ stackName: 'ServerlessPizza-prod', retention: 'retain', introspection: false });
  });

  it('accepts -c strings and cdk.json values alike', () => {
    expect(from({ apiKeyExpiryDays: '90', introspection: 'false', retention: 'retain' })).toMatchObject({
      apiKeyExpiryDays: 90,
      introspection: false,
      retention: 'retain',
    });
    expect(from({ apiKeyExpiryDays: 7, introspection: true })).toMatchObject({ apiKeyExpiryDays: 7, introspection: true });
  });

  it('takes the routing key parameter name and its KMS key from context', () => {
    const arn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(from({ orsApiKeyParameter: '/my/ors-key', orsApiKeyKmsKeyArn: arn })).toMatchObject({
      orsApiKeyParameter: '/my/ors-key',
      orsApiKeyKmsKeyArn: arn,
    });
  });

  it('takes the alarm subscriber from context, and has none by default', () => {
    expect(from({})).not.toHaveProperty('alarmEmail');
    expect(from({ alarmEmail: 'ops@example.com' })).toMatchObject({ alarmEmail: 'ops@example.com' });
    expect(from({ alarmEmail: '' })).not.toHaveProperty('alarmEmail');
  });

  it('names the key of a bad value', () => {
    expect(() => from({ apiKeyExpiryDays: 400 })).toThrow(InvalidContextError);
    expect(() => from({ apiKeyExpiryDays: 'soon' })).toThrow(/apiKeyExpiryDays/);
    expect(() => from({ retention: 'keep' })).toThrow(/retention/);
    expect(() => from({ logRetentionDays: 10 })).toThrow(/logRetentionDays/);
    expect(() => from({ stage: 'no spaces' })).toThrow(/stage/);
    expect(() => from({ orsApiKeyKmsKeyArn: 'alias/aws/ssm' })).toThrow(/orsApiKeyKmsKeyArn/);
    expect(() => from({ alarmEmail: 'ops at example.com' })).toThrow(/alarmEmail/);
  });
});
