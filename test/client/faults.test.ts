import https from 'node:https';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import type { SystemTarget } from '../../src/client/types.js';
import { selfSigned, type TestCert } from './helpers/certs.js';
import { FAKE_KEY, FAKE_USER, NO_ANSWER, fakeKeyRef, scriptedRpc, startFake, type FakeServer } from './helpers/fake-server.js';
import { reasonOf } from './helpers/outcome.js';
import { RawServer, closedPort, eventually, networkResourceCount } from './helpers/raw-servers.js';

const TIMEOUT_MS = 300;
let cert: TestCert;
let baseline = 0;
const client = new TrueNASClient({ timeoutMs: TIMEOUT_MS });
const raws: RawServer[] = [];
const fakes: FakeServer[] = [];

async function raw(onConnection: (socket: Socket) => void, tlsOn?: TestCert): Promise<RawServer> {
  const server = await new RawServer(onConnection, tlsOn).start();
  raws.push(server);
  return server;
}

/** TLS is completed by a real https server, which then never answers HTTP or the upgrade. */
async function silentAfterTls(): Promise<RawServer> {
  const inner = https.createServer({ key: cert.key, cert: cert.cert }, () => undefined);
  inner.on('upgrade', () => undefined);
  return raw((socket) => inner.emit('connection', socket));
}

function targets(url: string): SystemTarget[] {
  return [
    { address: url, fingerprint: cert.fingerprint },
    { address: url, fingerprint: cert.fingerprint, transport: 'jsonrpc' },
    { address: url, fingerprint: cert.fingerprint, transport: 'rest' },
  ];
}

/** Every operation the client has, against one target. */
function everyOperation(target: SystemTarget): Array<Promise<unknown>> {
  return [
    client.checkKey(target, FAKE_KEY),
    client.signIn(target, FAKE_USER),
    client.deleteKey(target, FAKE_KEY, fakeKeyRef(7)),
  ];
}

beforeAll(async () => {
  baseline = networkResourceCount();
  cert = await selfSigned();
});

afterAll(async () => {
  client.close();
  await Promise.all([...raws.map((s) => s.close()), ...fakes.map((s) => s.close())]);
  // Nothing of the client may outlive its operations: no socket, no timer, no pending connect.
  await eventually(() => networkResourceCount() <= baseline, `back to ${baseline} network resources`);
});

describe('hung servers end in timeout at the deadline, with the socket destroyed', () => {
  it('accepts TCP and never starts TLS', async () => {
    const server = await raw((socket) => socket.resume());
    const ops = [...targets(server.url).flatMap(everyOperation), client.discover({ address: server.url }), client.fetchCertificate(server.url)];
    expect(new Set(await Promise.all(ops.map(reasonOf)))).toEqual(new Set(['timeout']));
    await server.allClosed();
    expect(server.accepted).toBeGreaterThan(0);
  });

  it('completes TLS and never answers HTTP or the WebSocket upgrade', async () => {
    const server = await silentAfterTls();
    const ops = [...targets(server.url).flatMap(everyOperation), client.discover({ address: server.url, fingerprint: cert.fingerprint })];
    expect(new Set(await Promise.all(ops.map(reasonOf)))).toEqual(new Set(['timeout']));
    await server.allClosed();
  });

  it('opens the WebSocket and never answers a call', async () => {
    const server = await startFake({ cert, rpc: scriptedRpc({ 'auth.login_ex': () => NO_ANSWER }) });
    fakes.push(server);
    const target: SystemTarget = { address: server.url, fingerprint: cert.fingerprint, transport: 'jsonrpc' };
    expect(new Set(await Promise.all(everyOperation(target).map(reasonOf)))).toEqual(new Set(['timeout']));
    await eventually(() => server.openSockets === 0, 'server sockets closed');
  });

  it('honours a per-call deadline over the client default', async () => {
    const server = await raw((socket) => socket.resume());
    const slowClient = new TrueNASClient({ timeoutMs: 60_000 });
    try {
      expect(await reasonOf(slowClient.checkKey({ address: server.url, fingerprint: cert.fingerprint }, FAKE_KEY, { timeoutMs: 200 }))).toBe(
        'timeout',
      );
    } finally {
      slowClient.close();
    }
  });
});

describe('connection failures', () => {
  it('says unreachable when the port is closed', async () => {
    const port = await closedPort();
    for (const target of targets(`127.0.0.1:${port}`)) {
      expect(await Promise.all(everyOperation(target).map(reasonOf))).toEqual(['unreachable', 'unreachable', 'unreachable']);
    }
    expect(await reasonOf(client.fetchCertificate(`127.0.0.1:${port}`))).toBe('unreachable');
  });

  it('says unreachable when the server resets the connection before answering', async () => {
    const server = await raw((socket) => socket.resetAndDestroy());
    const ops = targets(server.url).flatMap(everyOperation);
    expect(new Set(await Promise.all(ops.map(reasonOf)))).toEqual(new Set(['unreachable']));
  });

  it('says unreachable when the server hangs up after TLS without an answer', async () => {
    const inner = https.createServer({ key: cert.key, cert: cert.cert }, (req) => req.socket.destroy());
    inner.on('upgrade', (_req, socket: Socket) => socket.destroy());
    const server = await raw((socket) => inner.emit('connection', socket));
    const ops = targets(server.url).flatMap(everyOperation);
    expect(new Set(await Promise.all(ops.map(reasonOf)))).toEqual(new Set(['unreachable']));
  });

  it('says protocol error when the server does not speak TLS', async () => {
    const server = await raw((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    const ops = [...targets(server.url).flatMap(everyOperation), client.fetchCertificate(server.url)];
    expect(new Set(await Promise.all(ops.map(reasonOf)))).toEqual(new Set(['protocol error']));
  });

  it('says protocol error when the server answers HTTP with garbage after TLS', async () => {
    const inner = https.createServer({ key: cert.key, cert: cert.cert });
    const garbage = (socket: Socket) => socket.end('\u0000\u00ff<html>not http {\r\n\r\n');
    inner.on('request', (req) => garbage(req.socket));
    inner.on('upgrade', (_req, socket: Socket) => garbage(socket));
    const server = await raw((socket) => inner.emit('connection', socket));
    const ops = targets(server.url).flatMap(everyOperation);
    expect(new Set(await Promise.all(ops.map(reasonOf)))).toEqual(new Set(['protocol error']));
  });
});

describe('cancellation', () => {
  it('ends an operation in flight when its signal aborts', async () => {
    const server = await raw((socket) => socket.resume());
    const controller = new AbortController();
    const slowClient = new TrueNASClient({ timeoutMs: 60_000 });
    try {
      const pending = reasonOf(slowClient.checkKey({ address: server.url, fingerprint: cert.fingerprint }, FAKE_KEY, { signal: controller.signal }));
      await eventually(() => server.accepted > 0, 'connection accepted');
      controller.abort();
      expect(await pending).toBe('cancelled');
      await server.allClosed();
    } finally {
      slowClient.close();
    }
  });

  it('does not even connect with a signal that is already aborted', async () => {
    const server = await raw((socket) => socket.resume());
    const controller = new AbortController();
    controller.abort();
    expect(await reasonOf(client.checkKey({ address: server.url, fingerprint: cert.fingerprint }, FAKE_KEY, { signal: controller.signal }))).toBe(
      'cancelled',
    );
    expect(server.accepted).toBe(0);
  });

  it('close() cancels what is in flight and refuses new work', async () => {
    const server = await raw((socket) => socket.resume());
    const closing = new TrueNASClient({ timeoutMs: 60_000 });
    const target = { address: server.url, fingerprint: cert.fingerprint };
    const pending = [closing.checkKey(target, FAKE_KEY), closing.discover(target), closing.signIn(target, FAKE_USER)].map(reasonOf);
    await eventually(() => server.accepted >= 3, 'connections accepted');
    closing.close();
    expect(await Promise.all(pending)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(await reasonOf(closing.checkKey(target, FAKE_KEY))).toBe('cancelled');
    await server.allClosed();
  });
});

describe('resources', () => {
  it('leaves no socket or timer behind, whatever the outcome (long deadlines, so a leaked timer would stay)', async () => {
    const before = networkResourceCount();
    const patient = new TrueNASClient({ timeoutMs: 60_000 });
    const server = await startFake({ cert, rpc: scriptedRpc({}) });
    const pinned: SystemTarget = { address: server.url, fingerprint: cert.fingerprint };
    const outcomes = await Promise.all(
      [
        patient.discover(pinned),
        patient.checkKey(pinned, FAKE_KEY),
        patient.checkKey({ ...pinned, transport: 'jsonrpc' }, { ...FAKE_KEY, apiKey: '1-wrong' }),
        patient.signIn(pinned, FAKE_USER),
        patient.deleteKey(pinned, FAKE_KEY, fakeKeyRef(7)),
        patient.checkKey({ ...pinned, transport: 'rest' }, FAKE_KEY),
        patient.checkKey({ address: server.url }, FAKE_KEY),
        patient.checkKey({ ...pinned, fingerprint: 'AB:CD' }, FAKE_KEY),
        patient.fetchCertificate(server.url),
        patient.checkKey({ address: `127.0.0.1:${await closedPort()}` }, FAKE_KEY),
      ].map(reasonOf),
    );
    expect(outcomes).toEqual([
      'resolved',
      'resolved',
      'key rejected',
      'resolved',
      'resolved',
      'resolved', // REST 404 → re-discovered JSON-RPC
      'untrusted',
      'certificate changed',
      'resolved',
      'unreachable',
    ]);
    patient.close();
    // Checked while the server still runs: the client must close its side itself.
    await eventually(() => networkResourceCount() <= before, `back to ${before} network resources`, 2000);
    await server.close();
  });
});
