/**
 * The local stack's TLS material, kept in a folder (`<data folder>/tls` for `npm start`): one
 * certificate authority, which a device is told to trust once, and a server certificate it
 * signed for the names clients dial. Both are reused across restarts; the server certificate is
 * issued again (by the same CA, so the device's trust still holds) when a name is missing from
 * it, when it is within 30 days of expiry, or when the CA changed. The CA is made anew only when
 * its files are missing or unusable or it is near its own expiry: then devices must trust the
 * new one.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareHost, createCertificateAuthority, issueServerCertificate, type KeyAndCertificate } from './certificates.js';

/** The CA certificate (PEM, `.crt` so that Android's and iOS's installers take it as it is). */
export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca-key.pem';
export const SERVER_CERT_FILE = 'server.crt';
export const SERVER_KEY_FILE = 'server-key.pem';

/** Names every local server certificate covers besides the ones asked for: this machine's loopback. */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = new Set(['0.0.0.0', '::', '']);
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

export interface LocalTls {
  /** The CA certificate to install on devices (PEM). */
  readonly caFile: string;
  readonly caPem: string;
  /** The server's certificate and key (PEM), for `https.createServer`. */
  readonly certPem: string;
  readonly keyPem: string;
  /** The names asked for, loopback included (DNS names and IP addresses), all covered by the server certificate. */
  readonly names: readonly string[];
  /** What this call made anew (false: reused from the folder). */
  readonly created: { readonly ca: boolean; readonly server: boolean };
}

/** The loopback names plus `hosts` (brackets dropped, lower-cased, wildcards and repeats left out). */
export function certificateNames(hosts: readonly string[]): string[] {
  const names = [...LOOPBACK_NAMES, ...hosts.map(bareHost)].filter((h) => !WILDCARDS.has(h));
  return [...new Set(names)];
}

async function readPair(dir: string, certFile: string, keyFile: string): Promise<KeyAndCertificate | null> {
  try {
    return { certPem: await readFile(join(dir, certFile), 'utf8'), keyPem: await readFile(join(dir, keyFile), 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The certificate of `pair` when it parses, matches its key and is valid for 30 more days. */
function usable(pair: KeyAndCertificate | null, now: Date): X509Certificate | null {
  if (pair === null) return null;
  try {
    const cert = new X509Certificate(pair.certPem);
    if (!cert.checkPrivateKey(createPrivateKey(pair.keyPem))) return null;
    return Date.parse(cert.validTo) - now.getTime() > RENEW_BEFORE_MS ? cert : null;
  } catch {
    return null;
  }
}

const covers = (cert: X509Certificate, name: string): boolean =>
  isIP(name) === 0 ? cert.checkHost(name, { wildcards: false }) !== undefined : cert.checkIP(name) !== undefined;

async function writePair(dir: string, certFile: string, keyFile: string, pair: KeyAndCertificate): Promise<void> {
  await writeFile(join(dir, keyFile), pair.keyPem, { mode: 0o600 });
  await writeFile(join(dir, certFile), pair.certPem);
}

/**
 * Loads or makes the CA and a server certificate covering the loopback names and `hosts` (e.g.
 * `--public-host`) in `dir`. Keys are written readable by their owner only.
 */
export async function prepareLocalTls(dir: string, hosts: readonly string[], now: Date = new Date()): Promise<LocalTls> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const names = certificateNames(hosts);
  let ca = await readPair(dir, CA_CERT_FILE, CA_KEY_FILE);
  let caCert = usable(ca, now);
  const newCa = caCert === null;
  if (caCert === null || ca === null) {
    ca = createCertificateAuthority(now);
    caCert = new X509Certificate(ca.certPem);
    await writePair(dir, CA_CERT_FILE, CA_KEY_FILE, ca);
  }
  let server = await readPair(dir, SERVER_CERT_FILE, SERVER_KEY_FILE);
  const serverCert = usable(server, now);
  const reuse =
    !newCa &&
    serverCert !== null &&
    serverCert.checkIssued(caCert) &&
    serverCert.verify(caCert.publicKey) &&
    names.every((n) => covers(serverCert, n));
  if (!reuse || server === null) {
    server = issueServerCertificate(ca, names, now);
    await writePair(dir, SERVER_CERT_FILE, SERVER_KEY_FILE, server);
  }
  return {
    caFile: join(dir, CA_CERT_FILE),
    caPem: ca.certPem,
    certPem: server.certPem,
    keyPem: server.keyPem,
    names,
    created: { ca: newCa, server: !reuse },
  };
}

/**
 * The TLS material of a stack: kept in `dir` (a persistent stack's data folder), or, with no
 * `dir` (an in-memory stack), made fresh in a temp folder that `dispose()` removes.
 */
export async function openLocalTls(dir: string | undefined, hosts: readonly string[]): Promise<LocalTls & { dispose(): Promise<void> }> {
  if (dir !== undefined) return { ...(await prepareLocalTls(dir, hosts)), dispose: async () => undefined };
  const temp = await mkdtemp(join(tmpdir(), 'pizza-tls-'));
  try {
    return { ...(await prepareLocalTls(temp, hosts)), dispose: () => rm(temp, { recursive: true, force: true }) };
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
