import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TestCert {
  key: string;
  cert: string;
  /** SHA-256, upper-case hex with colons. */
  fingerprint: string;
}

interface Issuer {
  name: string;
  keys: CryptoKeyPair;
}

export interface TestCA extends TestCert {
  issue(cn: string): Promise<TestCert>;
}

async function pem(keys: CryptoKeyPair, cert: x509.X509Certificate): Promise<TestCert> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey));
  const certPem = cert.toString('pem');
  return {
    key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`,
    cert: certPem,
    fingerprint: new X509Certificate(certPem).fingerprint256,
  };
}

function leafExtensions(): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false),
    new x509.SubjectAlternativeNameExtension([
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'localhost' },
    ]),
  ];
}

function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** A self-signed certificate for 127.0.0.1/localhost, like a TrueNAS default certificate. */
export async function selfSigned(cn = 'truenas.local'): Promise<TestCert> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${cn}`,
    keys,
    signingAlgorithm: EC,
    extensions: leafExtensions(),
  });
  return pem(keys, cert);
}

/** A private CA (what `--ca-file` would hold) that issues 127.0.0.1 certificates. */
export async function testCA(): Promise<TestCA> {
  const keys = await newKeys();
  const issuer: Issuer = { name: 'CN=tnc test CA', keys };
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: issuer.name,
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return {
    ...(await pem(keys, caCert)),
    async issue(cn: string) {
      const leafKeys = await newKeys();
      const cert = await x509.X509CertificateGenerator.create({
        subject: `CN=${cn}`,
        issuer: issuer.name,
        publicKey: leafKeys.publicKey,
        signingKey: issuer.keys.privateKey,
        signingAlgorithm: EC,
        extensions: leafExtensions(),
      });
      return pem(leafKeys, cert);
    },
  };
}
