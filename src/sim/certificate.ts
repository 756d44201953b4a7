// Self-signed TLS certificates for simulated systems, made at run time (nothing checked in).
import * as x509 from '@peculiar/x509';
import { createHash, randomBytes, webcrypto } from 'node:crypto';

export interface SimCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 over the DER, upper-case hex with colons (the `openssl x509 -fingerprint -sha256` format). */
  fingerprint: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
// Enough concurrency to keep libuv's crypto threads busy without holding 1,000 pending keys at once.
const BATCH = 64;

// Node's webcrypto is the Web Crypto API; its TypeScript type differs from the DOM's only nominally.
const crypto = webcrypto as unknown as Crypto;

export function fingerprintOf(der: Uint8Array): string {
  const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}

function pem(label: string, der: ArrayBuffer): string {
  const body = Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export async function createCertificate(hostname: string, now = Date.now()): Promise<SimCertificate> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  // A positive serial: clear the top bit of 16 random bytes.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: [{ CN: [hostname] }],
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 365 * DAY_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'ip', value: '127.0.0.1' },
          { type: 'dns', value: 'localhost' },
        ]),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certPem: cert.toString('pem'),
    keyPem: pem('PRIVATE KEY', pkcs8),
    fingerprint: fingerprintOf(new Uint8Array(cert.rawData)),
  };
}

export async function createCertificates(hostnames: string[]): Promise<SimCertificate[]> {
  const out: SimCertificate[] = [];
  for (let i = 0; i < hostnames.length; i += BATCH) {
    out.push(...(await Promise.all(hostnames.slice(i, i + BATCH).map((h) => createCertificate(h)))));
  }
  return out;
}
