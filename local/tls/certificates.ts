/**
 * A local certificate authority and the server certificates it signs, made with node:crypto and
 * the DER writer beside this file (no openssl, no extra package).
 *
 * What the mobile platforms ask of them, and so what is written:
 * - ECDSA P-256 keys and ecdsa-with-SHA256 signatures (every TLS stack the Amplify libraries use
 *   accepts them);
 * - the CA: basicConstraints CA:TRUE with path length 0 (critical), keyUsage keyCertSign and
 *   cRLSign: what Android and iOS require of a certificate a user installs as a CA;
 * - the server certificate: every name in subjectAltName (DNS names and IP addresses; iOS and
 *   Android ignore the common name), extendedKeyUsage serverAuth and at most 825 days of
 *   validity (iOS refuses longer ones even under a user-installed CA): 397 days here.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString,
  boolean,
  childrenOf,
  explicit,
  implicit,
  namedBits,
  objectIdentifier,
  octetString,
  readTlv,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** KeyUsage bits (RFC 5280 §4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** The CA outlives many server certificates; it is the one thing a device is told to trust. */
export const CA_VALIDITY_DAYS = 3650;
/** Under Apple's 398-day limit for TLS server certificates, the strictest a client applies. */
export const SERVER_VALIDITY_DAYS = 397;
/** Clocks of a phone and this machine may disagree by a little. */
const BACKDATE_MS = 60 * 60 * 1000;
const ORGANIZATION = 'Serverless Pizza (local development)';

/** A certificate and its private key, both PEM. */
export interface KeyAndCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

const signatureAlgorithm = (): Buffer => sequence(objectIdentifier(OID.ecdsaWithSha256));

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String(ORGANIZATION))),
    set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

const spkiOf = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

/** RFC 5280 §4.2.1.2 allows any unique value: the SHA-1 of the whole SubjectPublicKeyInfo. */
const keyIdentifier = (publicKey: KeyObject): Buffer => createHash('sha1').update(spkiOf(publicKey)).digest();

function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return unsignedInteger(bytes);
}

interface Unsigned {
  readonly subject: Buffer;
  readonly issuer: Buffer;
  readonly publicKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Buffer[];
}

/** Signs a v3 TBSCertificate with `signingKey`; returns the certificate as PEM. */
function signCertificate(spec: Unsigned, signingKey: KeyObject): string {
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    serialNumber(),
    signatureAlgorithm(),
    spec.issuer,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spkiOf(spec.publicKey),
    explicit(3, sequence(...spec.extensions)),
  );
  const der = sequence(tbs, signatureAlgorithm(), bitString(sign('sha256', tbs, signingKey)));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}${base64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

const newKeyPair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pemOf = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A new self-signed CA; its common name carries a random id, so a device's trust list tells one machine's CA from another's. */
export function createCertificateAuthority(now: Date = new Date()): KeyAndCertificate {
  const { publicKey, privateKey } = newKeyPair();
  const subject = name(`Serverless Pizza local CA ${randomBytes(4).toString('hex')}`);
  const certPem = signCertificate(
    {
      subject,
      issuer: subject,
      publicKey,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      extensions: [
        extension(OID.basicConstraints, true, sequence(boolean(true), smallInteger(0))),
        extension(OID.keyUsage, true, namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
        extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
      ],
    },
    privateKey,
  );
  return { certPem, keyPem: pemOf(privateKey) };
}

/** `[::1]` → `::1`; DNS names lower-cased. */
export function bareHost(host: string): string {
  return (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase();
}

function ipAddressBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // IPv6: a trailing dotted IPv4 becomes two groups; `::` stands for as many zero groups as are missing.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  const text =
    dotted === undefined
      ? address
      : address.slice(0, -dotted.length) +
        ipAddressBytes(dotted)
          .toString('hex')
          .replace(/(.{4})(.{4})/, '$1:$2');
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const missing = tail === undefined ? 0 : 8 - groups(head).length - groups(tail).length;
  const all = [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail ?? '')];
  return Buffer.concat(all.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

function subjectAltName(names: readonly string[]): Buffer {
  return sequence(
    ...names.map((n) => {
      const host = bareHost(n);
      return isIP(host) === 0 ? implicit(2, Buffer.from(host, 'ascii')) : implicit(7, ipAddressBytes(host));
    }),
  );
}

/** The DER of the subject Name inside a certificate (what a certificate it signs names as issuer). */
function subjectDer(cert: X509Certificate): Buffer {
  const der = cert.raw;
  const [tbs] = childrenOf(der);
  // version [0], serialNumber, signature, issuer, validity, subject
  const subject = childrenOf(der, tbs!)[5]!;
  return Buffer.from(der.subarray(subject.start, readTlv(der, subject.start).end));
}

/**
 * A server certificate for `names` (DNS names and IP addresses; the first is also its common
 * name), signed by `ca`, with a new key.
 */
export function issueServerCertificate(ca: KeyAndCertificate, names: readonly string[], now: Date = new Date()): KeyAndCertificate {
  if (names.length === 0) throw new Error('a server certificate needs at least one name');
  const caCert = new X509Certificate(ca.certPem);
  const caKey = createPrivateKey(ca.keyPem);
  const { publicKey, privateKey } = newKeyPair();
  const certPem = signCertificate(
    {
      subject: name(bareHost(names[0]!)),
      issuer: subjectDer(caCert),
      publicKey,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS),
      extensions: [
        extension(OID.basicConstraints, true, sequence()),
        extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature])),
        extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
        extension(OID.subjectAltName, false, subjectAltName(names)),
        extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(publicKey))),
        extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyIdentifier(caCert.publicKey)))),
      ],
    },
    caKey,
  );
  return { certPem, keyPem: pemOf(privateKey) };
}
