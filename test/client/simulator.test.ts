import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import type { SystemTarget } from '../../src/client/types.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { reasonOf } from './helpers/outcome.js';
import { RELEASES } from '../../src/sim/release.js';

// One simulator for the file; each scenario owns its system so none disturbs another.
const SYS = { basic: 0, otp: 1, legacy: 2, v26: 3, faults: 4, rotate: 5, replace: 6, wrongPassword: 7 } as const;
const ADMIN = { username: 'truenas_admin', password: 'truenas-demo' };
const OTP_USER = { username: 'otp_admin', password: 'otp-password', otp: '246810' };
const TNC_NAME = /^tnc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let sim: Simulator;
const client = new TrueNASClient({ timeoutMs: 5000 });

function target(index: number): SystemTarget {
  const system = sim.systems[index]!;
  return { address: system.url, fingerprint: system.fingerprint };
}

beforeAll(async () => {
  sim = await startSimulator({
    systems: 8,
    failDelayMs: [50, 100],
    rateLimitPerMinute: 0,
    slowMs: 150,
    overrides: {
      [SYS.otp]: { users: [OTP_USER] },
      [SYS.legacy]: { version: '24.10' },
      [SYS.v26]: { version: '26' },
    },
  });
});

afterAll(async () => {
  client.close();
  await sim.close();
});

describe('against the simulator', () => {
  it('signs in, stores nothing but a tnc-<uuid> key for the user, and checks it until it is revoked', async () => {
    const minted = await client.signIn(target(SYS.basic), ADMIN);
    expect(minted).toMatchObject({ username: ADMIN.username, transport: 'jsonrpc', info: { hostname: sim.systems[SYS.basic]!.hostname } });
    expect(minted.keyName).toMatch(TNC_NAME);
    expect(minted.key).toMatch(new RegExp(`^${minted.keyId}-[A-Za-z0-9]{64}$`));
    expect(sim.apiKeys(SYS.basic)).toEqual([
      { id: minted.keyId, name: minted.keyName, username: ADMIN.username, revoked: false, revokedReason: null },
    ]);

    const cred = { username: minted.username, apiKey: minted.key };
    const check = await client.checkKey({ ...target(SYS.basic), transport: minted.transport }, cred);
    expect(check).toMatchObject({ transport: 'jsonrpc', info: { version: RELEASES['25.10'].release, hostname: sim.systems[SYS.basic]!.hostname } });
    expect(check.info.uptimeSeconds).toBeGreaterThan(0);
    expect(sim.logins(SYS.basic).at(-1)).toMatchObject({ mechanism: 'API_KEY_PLAIN', username: ADMIN.username, ok: true });

    sim.revokeKeys(SYS.basic);
    expect(await reasonOf(client.checkKey(target(SYS.basic), cred))).toBe('key rejected');
  });

  it('says bad credentials for a wrong password, after the server made it wait, and mints nothing', async () => {
    expect(await reasonOf(client.signIn(target(SYS.wrongPassword), { ...ADMIN, password: 'not-it' }))).toBe('bad credentials');
    expect(sim.logins(SYS.wrongPassword).map((l) => l.ok)).toEqual([false]);
    expect(sim.apiKeys(SYS.wrongPassword)).toEqual([]);
  });

  it('asks for the 2FA code, survives a wrong one, and signs in with the right one', async () => {
    const codes = ['000000', OTP_USER.otp];
    let asked = 0;
    const minted = await client.signIn(target(SYS.otp), { ...OTP_USER, askOtp: async () => codes[asked++] ?? null });
    expect(asked).toBe(2);
    expect(sim.apiKeys(SYS.otp)).toMatchObject([{ id: minted.keyId, username: OTP_USER.username }]);
    expect(await reasonOf(client.signIn(target(SYS.otp), OTP_USER))).toBe('2FA required');
  });

  it('works with a REST-only TrueNAS 24.10: sign in, check, delete', async () => {
    const t = target(SYS.legacy);
    const minted = await client.signIn(t, ADMIN);
    expect(minted).toMatchObject({ transport: 'rest', info: { version: '24.10.2.4' } });
    expect(sim.apiKeys(SYS.legacy).map((k) => k.name)).toEqual([minted.keyName]);
    const cred = { username: minted.username, apiKey: minted.key };
    await expect(client.checkKey({ ...t, transport: 'rest' }, cred)).resolves.toMatchObject({ transport: 'rest' });
    await client.deleteKey({ ...t, transport: 'rest' }, cred, minted);
    expect(sim.apiKeys(SYS.legacy)).toEqual([]);
    // 24.10 answers a Bearer key whose id is gone with 401 (a 500 from 25.04 on).
    expect(await reasonOf(client.checkKey({ ...t, transport: 'rest' }, cred))).toBe('key rejected');
  });

  it('works with a JSON-RPC-only TrueNAS 26, even when REST was remembered', async () => {
    const t: SystemTarget = { ...target(SYS.v26), transport: 'rest' };
    const minted = await client.signIn(t, ADMIN);
    expect(minted).toMatchObject({ transport: 'jsonrpc', info: { version: RELEASES['26'].release } });
    const cred = { username: minted.username, apiKey: minted.key };
    await expect(client.checkKey(t, cred)).resolves.toMatchObject({ transport: 'jsonrpc' });
    await client.deleteKey(t, cred, minted);
    expect(sim.apiKeys(SYS.v26)).toEqual([]);
    expect(await reasonOf(client.checkKey(t, cred))).toBe('key rejected');
  });

  it('deletes an old key by its name with the new one', async () => {
    const t = target(SYS.replace);
    const first = await client.signIn(t, ADMIN);
    const second = await client.signIn(t, ADMIN);
    await client.deleteKey(t, { username: second.username, apiKey: second.key }, first);
    expect(sim.apiKeys(SYS.replace).map((k) => k.id)).toEqual([second.keyId]);
  });

  it('refuses a rotated certificate before any login reaches the server', async () => {
    const pinned = target(SYS.rotate);
    const minted = await client.signIn(pinned, ADMIN);
    const loginsBefore = sim.logins(SYS.rotate).length;
    await sim.rotateCertificate(SYS.rotate);
    const cred = { username: minted.username, apiKey: minted.key };
    expect(await reasonOf(client.checkKey({ ...pinned, transport: 'jsonrpc' }, cred))).toBe('certificate changed');
    expect(await reasonOf(client.checkKey(pinned, cred))).toBe('certificate changed');
    expect(await reasonOf(client.signIn(pinned, ADMIN))).toBe('certificate changed');
    expect(sim.logins(SYS.rotate).length).toBe(loginsBefore);
    // The new pin works, and the fingerprint the client reports is the simulator's.
    expect((await client.fetchCertificate(pinned.address)).fingerprint).toBe(sim.systems[SYS.rotate]!.fingerprint);
    await expect(client.checkKey(target(SYS.rotate), cred)).resolves.toMatchObject({ transport: 'jsonrpc' });
  });

  describe('faults', () => {
    let cred: { username: string; apiKey: string };

    beforeAll(async () => {
      const minted = await client.signIn(target(SYS.faults), ADMIN);
      cred = { username: minted.username, apiKey: minted.key };
    });

    afterEach(async () => {
      await sim.setFault(SYS.faults, 'none');
    });

    it('down → unreachable', async () => {
      await sim.setFault(SYS.faults, 'down');
      expect(await reasonOf(client.checkKey(target(SYS.faults), cred))).toBe('unreachable');
      expect(await reasonOf(client.signIn(target(SYS.faults), ADMIN))).toBe('unreachable');
    });

    it('hang → timeout at the deadline', async () => {
      await sim.setFault(SYS.faults, 'hang');
      const outcomes = await Promise.all([
        reasonOf(client.checkKey(target(SYS.faults), cred, { timeoutMs: 800 })),
        reasonOf(client.checkKey({ ...target(SYS.faults), transport: 'rest' }, cred, { timeoutMs: 800 })),
        reasonOf(client.discover(target(SYS.faults), { timeoutMs: 800 })),
      ]);
      expect(outcomes).toEqual(['timeout', 'timeout', 'timeout']);
    });

    it('garbage → protocol error', async () => {
      await sim.setFault(SYS.faults, 'garbage');
      const outcomes = await Promise.all([
        reasonOf(client.checkKey(target(SYS.faults), cred)),
        reasonOf(client.checkKey({ ...target(SYS.faults), transport: 'jsonrpc' }, cred)),
        reasonOf(client.checkKey({ ...target(SYS.faults), transport: 'rest' }, cred)),
      ]);
      expect(outcomes).toEqual(['protocol error', 'protocol error', 'protocol error']);
    });

    it('slow, but within the deadline → fine', async () => {
      await sim.setFault(SYS.faults, 'slow');
      await expect(client.checkKey(target(SYS.faults), cred)).resolves.toMatchObject({ transport: 'jsonrpc' });
    });

    it('back from down → fine again', async () => {
      await sim.setFault(SYS.faults, 'down');
      await sim.setFault(SYS.faults, 'none');
      await expect(client.checkKey(target(SYS.faults), cred)).resolves.toMatchObject({ transport: 'jsonrpc' });
    });
  });
});
