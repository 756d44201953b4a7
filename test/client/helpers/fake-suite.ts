import { afterAll, afterEach, beforeAll } from 'vitest';
import { TrueNASClient } from '../../../src/client/client.js';
import type { SystemTarget } from '../../../src/client/types.js';
import { selfSigned, type TestCert } from './certs.js';
import { startFake, type FakeServer, type FakeServerOptions } from './fake-server.js';

/**
 * A test file's fake TrueNAS servers, all under one self-signed certificate, and the client
 * that talks to them; servers close after each test, the client after the file.
 */
export function fakeServerSuite() {
  let cert: TestCert;
  const servers: FakeServer[] = [];
  const client = new TrueNASClient({ timeoutMs: 5000 });
  beforeAll(async () => {
    cert = await selfSigned();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(() => client.close());
  return {
    client,
    fingerprint: () => cert.fingerprint,
    certificate: () => cert,
    /** Starts a fake and the target that pins it. */
    async serve(options: Omit<FakeServerOptions, 'cert'>): Promise<{ server: FakeServer; target: SystemTarget }> {
      const server = await startFake({ cert, ...options });
      servers.push(server);
      return { server, target: { address: server.url, fingerprint: cert.fingerprint } };
    },
  };
}
