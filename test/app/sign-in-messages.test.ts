// What Sign In says when TrueNAS refuses, in the words an administrator needs, driven through
// the controller against the simulator in the mode that shows each case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topDialog } from '../../src/app/state.js';
import { TrueNASClient } from '../../src/client/client.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { PASSWORD, useControllerHarness, type Harness } from './controller-harness.js';

const AT_LIMIT = 0;
const TWO_FACTOR_REST = 1;
const READ_ONLY = 2;
/** May read pools, nothing more: not an administrator, so no API keys. */
const POOL_READER = { username: 'pool_reader', password: PASSWORD, roles: ['POOL_READ'] };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    systems: 3,
    failDelayMs: [5, 10],
    rateLimitPerMinute: 0,
    overrides: {
      [TWO_FACTOR_REST]: { version: '24.10', users: [{ username: 'otp_admin', password: PASSWORD, otp: '123456' }] },
      [READ_ONLY]: { users: [POOL_READER] },
    },
  });
});
afterAll(() => sim.close());

const { open, untilConnected } = useControllerHarness(() => sim);

const pinned = (index: number) => ({ name: `nas-${index}`, address: sim.systems[index]!.url, fingerprint: sim.systems[index]!.fingerprint });

/** A controller listing the system pinned (before it starts). */
function openWith(index: number, prepare?: (store: Harness['store']) => Promise<unknown>): Promise<Harness> {
  return open(undefined, async (store) => {
    await prepare?.(store);
    if (!store.listSystems().some((system) => system.address === sim.systems[index]!.url)) await store.addSystem(pinned(index));
  });
}

/** Signs in to the one listed system as `username`, and returns the dialog's error line. */
async function signInError(h: Harness, username = 'truenas_admin'): Promise<string> {
  h.run('activate');
  await h.untilDialog('signIn');
  h.fill({ username, password: PASSWORD });
  h.run('dialogNext', 'dialogEnter');
  const failed = await h.until('a sign-in error', (s) => typeof topDialog(s)?.error === 'string' && topDialog(s)?.busy === null);
  return topDialog(failed)!.error!;
}

describe('Sign In refused', () => {
  it('at the per-user key limit: says so, where to delete one, and which tnc keys this keyring does not hold', async () => {
    const client = new TrueNASClient({ timeoutMs: 5_000 });
    const { address, fingerprint } = pinned(AT_LIMIT);
    try {
      // Ten keys: nine left by other tnc runs, one this keyring holds.
      const minted = [];
      for (let i = 0; i < 10; i++) minted.push(await client.signIn({ address, fingerprint }, { username: 'truenas_admin', password: PASSWORD }));
      const held = minted[9]!;
      const h = await openWith(AT_LIMIT, async (store) => {
        await store.createKeyring('home', 'pw');
        const record = await store.addSystem(pinned(AT_LIMIT));
        await store.storeKey(record.id, held.key, { keyId: held.keyId, keyName: held.keyName, username: held.username, storedAt: new Date().toISOString() });
      });
      const error = await signInError(h);
      expect(error).toMatch(/already has the most API keys TrueNAS allows/);
      expect(error).toMatch(/Credentials → Users → API keys/);
      for (const key of minted.slice(0, 9)) expect(error).toContain(key.keyName);
      expect(error).not.toContain(held.keyName);
      expect(error).not.toMatch(/The server reported an error/);
      // Refused before a key existed: nothing is left recorded as pending.
      expect(h.store.listLeftovers()).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('on a 24.10 system with 2FA: REST takes no password then; says so and mints nothing', async () => {
    const h = await openWith(TWO_FACTOR_REST);
    const error = await signInError(h);
    expect(error).toMatch(/Two-factor authentication is on/);
    expect(error).toMatch(/upgrade to TrueNAS 25\.04 or later/);
    expect(error).not.toMatch(/Wrong username or password/);
    expect(sim.apiKeys(TWO_FACTOR_REST)).toEqual([]);
  });

  it('for a user without an administrator role: says so, with TrueNAS’s own words', async () => {
    const h = await openWith(READ_ONLY);
    const error = await signInError(h, POOL_READER.username);
    expect(error).toBe('This user lacks the TrueNAS role for it: sign in as an administrator (TrueNAS said: Not authorized)');
    expect(sim.apiKeys(READ_ONLY).filter((key) => key.username === POOL_READER.username)).toEqual([]);
  });
});

describe('a key past its expiry', () => {
  it('shows False · key expired, not key rejected', async () => {
    const h = await openWith(READ_ONLY);
    const id = h.store.listSystems()[0]!.id;
    h.run('activate');
    await h.untilDialog('signIn');
    h.fill({ password: PASSWORD });
    h.run('dialogNext', 'dialogEnter');
    await h.untilDialog(null);
    await untilConnected(h, id, 'True');
    sim.expireKeys(READ_ONLY);
    h.run('refresh');
    await untilConnected(h, id, 'False · key expired');
  });
});
