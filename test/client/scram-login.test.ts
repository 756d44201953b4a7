// SCRAM-SHA-512 key logins with channel binding against the simulator's TrueNAS 26, and the
// ways a server can fail it: stripping SCRAM, a wrong server signature, another binding.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { TrueNASClient } from '../../src/client/client.js';
import { channelBindingData } from '../../src/client/scram.js';
import type { SystemTarget } from '../../src/client/types.js';
import { startSimulator } from '../../src/sim/simulator.js';
import { ScramServerSession, scramLoginReply, scramMaterialFor } from '../../src/sim/scram-server.js';
import type { Simulator } from '../../src/sim/types.js';
import { fakeServerSuite } from './helpers/fake-suite.js';
import { FAKE_KEY, RpcFault, scriptedRpc } from './helpers/fake-server.js';
import { reasonOf } from './helpers/outcome.js';
import { createKeyChecker } from '../../src/poller/key-checker.js';
import { keyringFor, mintAndStore, waitFor } from '../poller/helpers.js';

const ADMIN = { username: 'truenas_admin', password: 'truenas-demo' };
let sim: Simulator;
const client = new TrueNASClient({ timeoutMs: 5_000 });

beforeAll(async () => {
  sim = await startSimulator({ systems: 2, overrides: { 0: { version: '26' }, 1: { version: '25.10' } }, failDelayMs: [1, 5], rateLimitPerMinute: 0 });
});
afterAll(async () => {
  client.close();
  await sim.close();
});
afterEach(() => sim.offerScram(0, true));

const target = (index: number, login?: 'scram'): SystemTarget => ({
  address: sim.systems[index]!.url,
  fingerprint: sim.systems[index]!.fingerprint,
  ...(login ? { login } : {}),
});
const logins = (index: number, mechanism: string) => sim.logins(index).filter((login) => login.mechanism === mechanism);

async function keyOn(index: number) {
  const minted = await client.signIn(target(index), ADMIN);
  return { username: minted.username, apiKey: minted.key };
}

describe('SCRAM key login (TrueNAS 26)', () => {
  it('is used where offered: the key itself never crosses the wire', async () => {
    const cred = await keyOn(0);
    const plainBefore = logins(0, 'API_KEY_PLAIN').length;
    const session = await client.openSession(target(0), cred);
    try {
      expect(session.login).toBe('scram');
      expect(await session.call('auth.me')).toMatchObject({ pw_name: ADMIN.username });
    } finally {
      session.close();
    }
    expect(logins(0, 'SCRAM').at(-1)).toMatchObject({ ok: true, username: ADMIN.username });
    expect(logins(0, 'API_KEY_PLAIN')).toHaveLength(plainBefore);
  });

  it('is not tried where it is not offered (25.10): API_KEY_PLAIN over the pinned connection', async () => {
    const cred = await keyOn(1);
    const session = await client.openSession(target(1), cred);
    session.close();
    expect(session.login).toBe('plain');
  });

  it('a system that accepted SCRAM and stops offering it is a downgrade: no plain key goes out', async () => {
    const cred = await keyOn(0);
    sim.offerScram(0, false);
    const plainBefore = logins(0, 'API_KEY_PLAIN').length;
    expect(await reasonOf(client.openSession(target(0, 'scram'), cred))).toBe('login downgraded');
    expect(logins(0, 'API_KEY_PLAIN')).toHaveLength(plainBefore);
  });

  it('a revoked key is refused by SCRAM too', async () => {
    const cred = await keyOn(0);
    sim.revokeKeys(0);
    expect(await reasonOf(client.openSession(target(0, 'scram'), cred))).toBe('key rejected');
  });
});

describe('the checker remembers SCRAM', () => {
  it('marks the record once SCRAM worked (vouched for by the keyring), and then refuses the downgrade', async () => {
    const keyring = await keyringFor(sim);
    try {
      const id = keyring.ids[0]!;
      await mintAndStore(client, sim, keyring, 0);
      const checker = createKeyChecker(keyring.store, client);
      await checker.check(id, new AbortController().signal);
      await waitFor(() => keyring.store.getSystem(id)?.login === 'scram', 'the record marked');
      expect(keyring.store.recordChanged(id)).toBe(false);
      sim.offerScram(0, false);
      checker.forget();
      const err = await checker.check(id, new AbortController().signal).catch((e: unknown) => e);
      expect(err).toMatchObject({ reason: 'login downgraded' });
    } finally {
      await keyring.cleanUp();
    }
  });
});

describe('SCRAM against a server that is not what it claims', () => {
  const fakes = fakeServerSuite();
  const secret = FAKE_KEY.apiKey.slice(FAKE_KEY.apiKey.indexOf('-') + 1);
  const keyId = Number(FAKE_KEY.apiKey.split('-')[0]);

  /** A TrueNAS 26 look-alike whose SCRAM side is given `material` and `binding` (what it thinks the connection is bound to). */
  async function scramServer(material: Awaited<ReturnType<typeof scramMaterialFor>>, binding: Uint8Array) {
    const scram = new ScramServerSession({
      lookup: (username, id) => (username === FAKE_KEY.username && id === keyId ? { status: 'active', material } : { status: 'unknown' }),
      channelBinding: binding,
    });
    return fakes.serve({
      rpc: scriptedRpc({
        'auth.mechanism_choices': () => ['SCRAM', 'API_KEY_PLAIN', 'PASSWORD_PLAIN'],
        'auth.login_ex': (_m, params) => {
          const data = params[0] as { mechanism: string; scram_type: string; rfc_str: string };
          if (data.mechanism !== 'SCRAM') throw new RpcFault({ code: -32602, message: 'Invalid params' });
          const step = data.scram_type === 'CLIENT_FIRST_MESSAGE' ? scram.clientFirst(data.rfc_str) : scram.clientFinal(data.rfc_str);
          if (step.kind === 'NOT_IN_PROGRESS') throw new RpcFault({ code: -32001, message: 'Method call error' });
          return scramLoginReply(step, { pw_name: FAKE_KEY.username });
        },
      }),
    });
  }

  /** The binding the client computes for the fake's certificate: what a genuine server expects. */
  const genuineBinding = () => channelBindingData(new X509Certificate(fakes.certificate().cert));

  it('a server signature made without the key: the server is not trusted, and the session is dropped', async () => {
    const material = await scramMaterialFor(secret, 50_000);
    // It checks the proof (it holds StoredKey) but cannot sign: its ServerKey is made up.
    const { target: fake, server } = await scramServer({ ...material, serverKey: Buffer.alloc(64, 7) }, genuineBinding());
    const err = await client.openSession({ ...fake, transport: 'jsonrpc' }, FAKE_KEY).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'untrusted' });
    expect(server.calls.filter((c) => c.method === 'auth.login_ex')).toHaveLength(2);
    expect(server.calls.some((c) => c.method === 'system.info')).toBe(false);
  });

  it('a connection bound to another certificate than the server expects (a man in the middle): refused', async () => {
    const material = await scramMaterialFor(secret, 50_000);
    const { target: fake } = await scramServer(material, Buffer.alloc(32, 9));
    expect(await reasonOf(client.openSession({ ...fake, transport: 'jsonrpc' }, FAKE_KEY))).toBe('key rejected');
  });
});
