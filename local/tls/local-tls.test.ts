import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CA_VALIDITY_DAYS, SERVER_VALIDITY_DAYS, createCertificateAuthority, issueServerCertificate } from './certificates.js';
import { CA_CERT_FILE, CA_KEY_FILE, SERVER_KEY_FILE, certificateNames, openLocalTls, prepareLocalTls } from './local-tls.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date('2026-12-03T07:00:00.000Z');
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

const days = (cert: X509Certificate) => (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS;

describe('createCertificateAuthority', () => {
  it('makes a self-signed CA certificate that matches its key', () => {
    const ca = createCertificateAuthority(NOW);
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toMatch(/^O=Serverless Pizza \(local development\)\nCN=Serverless Pizza local CA [0-9a-f]{8}$/);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(Math.round(days(cert))).toBe(CA_VALIDITY_DAYS);
    expect(new X509Certificate(createCertificateAuthority(NOW).certPem).subject).not.toBe(cert.subject);
  });
});

describe('issueServerCertificate', () => {
  const ca = createCertificateAuthority(NOW);
  const caCert = new X509Certificate(ca.certPem);

  it('names every DNS name and IP address (IPv4 and IPv6) in subjectAltName, signed by the CA', () => {
    const cert = new X509Certificate(
      issueServerCertificate(ca, ['localhost', '127.0.0.1', '::1', '192.168.1.20', 'pizza.lan', 'fe80::a:1'], NOW).certPem,
    );
    expect(cert.subjectAltName).toBe(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.1.20, DNS:pizza.lan, IP Address:FE80:0:0:0:0:0:A:1',
    );
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
  });

  it('is a TLS server certificate that iOS accepts: serverAuth only, at most 398 days', () => {
    const cert = new X509Certificate(issueServerCertificate(ca, ['localhost'], NOW).certPem);
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    expect(Math.round(days(cert))).toBe(SERVER_VALIDITY_DAYS);
    expect(days(cert)).toBeLessThanOrEqual(398);
    expect(Date.parse(cert.validFrom)).toBeLessThan(NOW.getTime());
  });
});

describe('certificateNames', () => {
  it('adds the loopback names and leaves out brackets, wildcards and repeats', () => {
    expect(certificateNames(['[::1]', '0.0.0.0', '192.168.1.20', 'Pizza.LAN', '192.168.1.20'])).toEqual([
      'localhost',
      '127.0.0.1',
      '::1',
      '192.168.1.20',
      'pizza.lan',
    ]);
  });
});

describe('prepareLocalTls', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pizza-local-tls-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a CA and a server certificate for loopback and the given hosts, keys readable by their owner only', async () => {
    const tls = await prepareLocalTls(dir, ['192.168.1.20'], NOW);
    expect(tls.created).toEqual({ ca: true, server: true });
    expect(tls.caFile).toBe(join(dir, CA_CERT_FILE));
    expect(await readFile(tls.caFile, 'utf8')).toBe(tls.caPem);
    const cert = new X509Certificate(tls.certPem);
    expect(cert.checkIssued(new X509Certificate(tls.caPem))).toBe(true);
    for (const ip of ['127.0.0.1', '::1', '192.168.1.20']) expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.checkHost('localhost')).toBe('localhost');
    for (const key of [CA_KEY_FILE, SERVER_KEY_FILE]) expect((await stat(join(dir, key))).mode & 0o777).toBe(0o600);
  });

  it('reuses both across restarts', async () => {
    const first = await prepareLocalTls(dir, ['192.168.1.20'], NOW);
    const second = await prepareLocalTls(dir, ['192.168.1.20'], new Date(NOW.getTime() + DAY_MS));
    expect(second.created).toEqual({ ca: false, server: false });
    expect(second.caPem).toBe(first.caPem);
    expect(second.certPem).toBe(first.certPem);
    expect(second.keyPem).toBe(first.keyPem);
  });

  it('issues a new server certificate from the same CA for a host the old one does not name', async () => {
    const first = await prepareLocalTls(dir, ['192.168.1.20'], NOW);
    const second = await prepareLocalTls(dir, ['10.0.2.2'], NOW);
    expect(second.created).toEqual({ ca: false, server: true });
    expect(second.caPem).toBe(first.caPem);
    expect(new X509Certificate(second.certPem).checkIP('10.0.2.2')).toBe('10.0.2.2');
  });

  it('renews the server certificate within 30 days of its expiry, keeping the CA', async () => {
    const first = await prepareLocalTls(dir, [], NOW);
    const later = await prepareLocalTls(dir, [], new Date(NOW.getTime() + (SERVER_VALIDITY_DAYS - 20) * DAY_MS));
    expect(later.created).toEqual({ ca: false, server: true });
    expect(later.caPem).toBe(first.caPem);
  });

  it('makes a new CA, and a server certificate it signed, when the CA key is gone', async () => {
    const first = await prepareLocalTls(dir, [], NOW);
    await unlink(join(dir, CA_KEY_FILE));
    const second = await prepareLocalTls(dir, [], NOW);
    expect(second.created).toEqual({ ca: true, server: true });
    expect(second.caPem).not.toBe(first.caPem);
    expect(new X509Certificate(second.certPem).checkIssued(new X509Certificate(second.caPem))).toBe(true);
  });
});

describe('openLocalTls without a data folder (an in-memory stack)', () => {
  it('keeps its CA in a temp folder while it runs, and removes the folder when disposed', async () => {
    const tls = await openLocalTls(undefined, ['localhost']);
    expect(tls.caFile.startsWith(tmpdir())).toBe(true);
    expect(new X509Certificate(await readFile(tls.caFile)).ca).toBe(true);
    await tls.dispose();
    await expect(stat(tls.caFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
