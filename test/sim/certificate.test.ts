import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificate, fingerprintOf } from '../../src/sim/certificate.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('createCertificate', () => {
  it('makes a one-year ECDSA P-256 certificate for the hostname, 127.0.0.1 and localhost', async () => {
    const now = Date.now();
    const c = await createCertificate('truenas-7', now);
    const cert = new X509Certificate(c.certPem);
    expect(cert.subject).toBe('CN=truenas-7');
    expect(cert.issuer).toBe('CN=truenas-7');
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(365);
    expect(cert.checkPrivateKey(createPrivateKey(c.keyPem))).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(c.fingerprint).toBe(cert.fingerprint256);
    expect(fingerprintOf(cert.raw)).toBe(c.fingerprint);
  });

  it('never repeats a key or a certificate', async () => {
    const [a, b] = await Promise.all([createCertificate('same'), createCertificate('same')]);
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(a.keyPem).not.toBe(b.keyPem);
  });

  it.skipIf(!hasOpenssl)('has the fingerprint openssl prints', async () => {
    const c = await createCertificate('truenas-1');
    const out = spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: c.certPem, encoding: 'utf8' });
    expect(out.stdout.trim().split('=')[1]).toBe(c.fingerprint);
  });
});
