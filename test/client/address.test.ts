import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/client/address.js';
import { TrueNASClient } from '../../src/client/client.js';
import { ClientError } from '../../src/client/errors.js';
import { reasonOf as settledReason } from './helpers/outcome.js';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ClientError ? err.reason : `not a ClientError: ${String(err)}`;
  }
  return undefined;
}

describe('parseAddress', () => {
  it.each([
    ['nas.example.com', 'nas.example.com', 443, 'https://nas.example.com:443'],
    ['  nas.example.com  ', 'nas.example.com', 443, 'https://nas.example.com:443'],
    ['nas.example.com:8443', 'nas.example.com', 8443, 'https://nas.example.com:8443'],
    ['192.168.1.10', '192.168.1.10', 443, 'https://192.168.1.10:443'],
    ['192.168.1.10:444', '192.168.1.10', 444, 'https://192.168.1.10:444'],
    ['https://nas.example.com', 'nas.example.com', 443, 'https://nas.example.com:443'],
    ['HTTPS://NAS.example.com:9443/ui/dashboard', 'nas.example.com', 9443, 'https://nas.example.com:9443'],
    ['wss://nas.example.com/api/current', 'nas.example.com', 443, 'https://nas.example.com:443'],
    ['[::1]:443', '::1', 443, 'https://[::1]:443'],
    ['[fe80::1]:8443', 'fe80::1', 8443, 'https://[fe80::1]:8443'],
    ['::1', '::1', 443, 'https://[::1]:443'],
    ['https://[2001:db8::5]', '2001:db8::5', 443, 'https://[2001:db8::5]:443'],
  ])('%s', (input, host, port, origin) => {
    expect(parseAddress(input)).toEqual({ host, port, origin });
  });

  it.each(['http://nas.example.com', 'HTTP://nas.example.com:80', 'ws://nas.example.com/api/current', 'http://[::1]:80'])(
    'refuses the insecure %s',
    (input) => {
      expect(reasonOf(() => parseAddress(input))).toBe('insecure address');
    },
  );

  it.each(['', '   ', 'ftp://nas', 'nas:99999', 'nas:0', 'nas:abc', 'https://', 'https://root:secret@nas', 'two words'])(
    'refuses the invalid %j',
    (input) => {
      expect(reasonOf(() => parseAddress(input))).toBe('invalid address');
    },
  );

  it('never repeats credentials embedded in a refused address', () => {
    try {
      parseAddress('https://root:hunter2@nas');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describe('insecure addresses never reach the network', () => {
  let server: net.Server;
  let port = 0;
  let connections = 0;
  const client = new TrueNASClient({ timeoutMs: 2000 });

  beforeAll(async () => {
    server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses http:// and ws:// for every operation before connecting', async () => {
    const cred = { username: 'truenas_admin', apiKey: '1-secret' };
    for (const address of [`http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}`]) {
      const target = { address };
      const attempts = [
        client.discover(target),
        client.signIn(target, { username: 'truenas_admin', password: 'pw' }),
        client.checkKey(target, cred),
        client.checkKey({ ...target, transport: 'rest' }, cred),
        client.deleteKey(target, cred, { keyName: 'tnc-00000000-0000-4000-8000-000000000001' }),
        client.fetchCertificate(address),
      ];
      expect(await Promise.all(attempts.map(settledReason))).toEqual(attempts.map(() => 'insecure address'));
    }
    // A control: the same server is reachable, so zero really means "never tried".
    await expect(client.discover({ address: `127.0.0.1:${port}` })).rejects.toBeInstanceOf(ClientError);
    expect(connections).toBe(1);
  });
});
