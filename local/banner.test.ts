import { describe, expect, it } from 'vitest';
import { tlsBanner } from './banner.js';

describe('tlsBanner', () => {
  const facts = {
    graphqlUrl: 'https://192.168.1.20:4002/graphql',
    realtimeUrl: 'wss://192.168.1.20:4002/graphql/realtime',
    userPoolEndpoint: 'https://192.168.1.20:4003',
    caFile: '/repo/.local/data/tls/ca.crt',
  };

  it('prints the https and wss URLs (API, realtime, user pool), the CA file and how each kind of client trusts it', () => {
    const text = tlsBanner(facts);
    expect(text).toContain('  GraphQL (TLS)   https://192.168.1.20:4002/graphql\n');
    expect(text).toContain('  Realtime (TLS)  wss://192.168.1.20:4002/graphql/realtime\n');
    expect(text).toContain('  User pool (TLS) https://192.168.1.20:4003\n');
    expect(text).toContain('  Local CA        /repo/.local/data/tls/ca.crt');
    expect(text).toContain('xcrun simctl keychain booted add-root-cert /repo/.local/data/tls/ca.crt');
    expect(text).toContain('NODE_EXTRA_CA_CERTS=/repo/.local/data/tls/ca.crt');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('says Android and Flutter need port 443 unless the listener is on it', () => {
    expect(tlsBanner(facts)).toContain('--tls-port 443, or forward 443 to 4002');
    const on443 = tlsBanner({ ...facts, graphqlUrl: 'https://192.168.1.20/graphql', realtimeUrl: 'wss://192.168.1.20/graphql/realtime' });
    expect(on443).not.toContain('443');
  });
});
