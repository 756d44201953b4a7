import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import { selfSigned, testCA, type TestCert } from './helpers/certs.js';
import { reasonOf } from './helpers/outcome.js';
import { FAKE_KEY, FakeServer, fakeKeyRef, startFake, wellBehavedRpc } from './helpers/fake-server.js';
import { details } from '../helpers/health.js';

describe('TLS: pinning and CA verification', () => {
  let own: TestCert;
  let other: TestCert;
  let caPem: string;
  let selfSignedServer: FakeServer;
  let caServer: FakeServer;
  const client = new TrueNASClient({ timeoutMs: 5000 });

  beforeAll(async () => {
    [own, other] = await Promise.all([selfSigned(), selfSigned()]);
    const ca = await testCA();
    caPem = ca.cert;
    selfSignedServer = await startFake({ cert: own, rpc: wellBehavedRpc() });
    caServer = await startFake({ cert: await ca.issue('nas.example'), rpc: wellBehavedRpc() });
  });

  afterAll(async () => {
    client.close();
    await Promise.all([selfSignedServer.close(), caServer.close()]);
  });

  it('talks to a server whose certificate matches the pin', async () => {
    const result = await client.checkKey({ address: selfSignedServer.url, fingerprint: own.fingerprint }, FAKE_KEY);
    expect(result).toEqual({ transport: 'jsonrpc', info: { ...details('25.10.1', 'fake-nas'), uptimeSeconds: 42.5 } });
  });

  it('accepts the pin in any case and without colons', async () => {
    const loose = own.fingerprint.replace(/:/g, '').toLowerCase();
    await expect(client.checkKey({ address: selfSignedServer.url, fingerprint: loose }, FAKE_KEY)).resolves.toMatchObject({
      transport: 'jsonrpc',
    });
  });

  it('refuses a changed certificate before sending a single request, on every path', async () => {
    const pinnedElsewhere = { address: selfSignedServer.url, fingerprint: other.fingerprint };
    const before = selfSignedServer.requests.length;
    const callsBefore = selfSignedServer.calls.length;
    const attempts = [
      client.discover(pinnedElsewhere),
      client.checkKey(pinnedElsewhere, FAKE_KEY),
      client.checkKey({ ...pinnedElsewhere, transport: 'jsonrpc' }, FAKE_KEY),
      client.checkKey({ ...pinnedElsewhere, transport: 'rest' }, FAKE_KEY),
      client.signIn({ ...pinnedElsewhere, transport: 'jsonrpc' }, { username: 'truenas_admin', password: 'pw' }),
      client.deleteKey({ ...pinnedElsewhere, transport: 'rest' }, FAKE_KEY, fakeKeyRef(7)),
    ];
    expect(await Promise.all(attempts.map(reasonOf))).toEqual(attempts.map(() => 'certificate changed'));
    expect(selfSignedServer.requests.length).toBe(before);
    expect(selfSignedServer.calls.length).toBe(callsBefore);
  });

  it('builds TLS contexts once, not per connection (pinned, CA-verified, over both transports)', async () => {
    const created = vi.spyOn(tls, 'createSecureContext');
    try {
      const pinned = { address: selfSignedServer.url, fingerprint: own.fingerprint };
      // First round: each shared context may be built once; later rounds must build none.
      for (let round = 0; round < 3; round++) {
        if (round === 1) created.mockClear();
        await client.checkKey({ ...pinned, transport: 'jsonrpc' }, FAKE_KEY);
        await client.checkKey({ ...pinned, transport: 'rest' }, FAKE_KEY);
        await client.discover(pinned);
        await client.fetchCertificate(selfSignedServer.url);
        await expect(client.discover({ address: selfSignedServer.url })).rejects.toMatchObject({ reason: 'untrusted' });
      }
      expect(created).not.toHaveBeenCalled();
    } finally {
      created.mockRestore();
    }
  });

  it('calls a self-signed certificate untrusted when nothing is pinned, and sends nothing', async () => {
    const before = selfSignedServer.requests.length;
    await expect(client.checkKey({ address: selfSignedServer.url }, FAKE_KEY)).rejects.toMatchObject({ reason: 'untrusted' });
    await expect(client.discover({ address: selfSignedServer.url })).rejects.toMatchObject({ reason: 'untrusted' });
    expect(selfSignedServer.requests.length).toBe(before);
  });

  it('trusts a certificate from a CA given in the options, and only then', async () => {
    const withCa = new TrueNASClient({ ca: caPem, timeoutMs: 5000 });
    try {
      await expect(withCa.checkKey({ address: caServer.url }, FAKE_KEY)).resolves.toMatchObject({ transport: 'jsonrpc' });
    } finally {
      withCa.close();
    }
    await expect(client.checkKey({ address: caServer.url }, FAKE_KEY)).rejects.toMatchObject({ reason: 'untrusted' });
  });

  it('reports certificate facts without trusting anything', async () => {
    const cert = await client.fetchCertificate(selfSignedServer.url);
    expect(cert).toMatchObject({ host: '127.0.0.1', port: selfSignedServer.port, fingerprint: own.fingerprint, trustedByCA: false });
    expect(cert.subject).toContain('CN=truenas.local');
    expect(cert.validFrom.getTime()).toBeLessThan(cert.validTo.getTime());
    expect(Number.isNaN(cert.validTo.getTime())).toBe(false);

    const withCa = new TrueNASClient({ ca: [Buffer.from(caPem)] });
    try {
      const trusted = await withCa.fetchCertificate(caServer.url);
      expect(trusted.trustedByCA).toBe(true);
      expect(trusted.issuer).toContain('CN=tnc test CA');
    } finally {
      withCa.close();
    }
  });

  it('reports a handshake that cannot complete as a TLS error', async () => {
    // A server that only offers a cipher no client enables: the handshake fails with an alert.
    const server = tls.createServer({ key: own.key, cert: own.cert, maxVersion: 'TLSv1.2', ciphers: 'PSK-AES128-CBC-SHA' });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      await expect(client.checkKey({ address: `127.0.0.1:${port}`, fingerprint: own.fingerprint }, FAKE_KEY)).rejects.toMatchObject({
        reason: 'TLS error',
      });
      await expect(client.fetchCertificate(`127.0.0.1:${port}`)).rejects.toMatchObject({ reason: 'TLS error' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
