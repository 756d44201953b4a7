import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { createKeyChecker, type KeyChecker } from '../../src/poller/key-checker.js';
import { KeyringStore } from '../../store/keyring-store.js';
import { LIMITED_USER } from '../../src/sim/simulator.js';
import { RELEASES } from '../../src/sim/release.js';
import { UPDATE_CHECK_INTERVAL_MS } from '../../src/poller/health-check.js';
import { keyringFor, mintAndStore, PASSPHRASE, targetOf, waitFor, type TestKeyring } from './helpers.js';

let sim: Simulator;
let client: TrueNASClient;
let keyring: TestKeyring;
const never = new AbortController().signal;

beforeAll(async () => {
  sim = await startSimulator({ systems: 2, failDelayMs: [1, 5], rateLimitPerMinute: 0 });
  client = new TrueNASClient({ timeoutMs: 5000 });
});

afterAll(async () => {
  client.close();
  await sim.close();
});

beforeEach(async () => {
  keyring = await keyringFor(sim);
});

const checkers: KeyChecker[] = [];
afterEach(async () => {
  for (const checker of checkers.splice(0)) checker.forget();
  vi.restoreAllMocks();
  await keyring.cleanUp();
});

/** A checker over the test keyring once system `index` has a stored key; its sessions end after the test. */
async function checkerWithKey(index: number, user?: Parameters<typeof mintAndStore>[4]): Promise<KeyChecker> {
  await mintAndStore(client, sim, keyring, index, user);
  const checker = createKeyChecker(keyring.store, client);
  checkers.push(checker);
  return checker;
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'connected',
    (error: { reason?: string }) => error.reason ?? String(error),
  );
}

describe('createKeyChecker', () => {
  it('checks with the stored key, remembers a new transport once, and reports the server info', async () => {
    const { store, ids } = keyring;
    await mintAndStore(client, sim, keyring, 0);
    await store.updateSystem(ids[0]!, { transport: undefined });
    const update = vi.spyOn(store, 'updateSystem');
    const checker = createKeyChecker(store, client);

    expect((await checker.check(ids[0]!, never)).info).toMatchObject({ hostname: 'truenas-1', version: RELEASES['25.10'].release });
    await waitFor(() => store.getSystem(ids[0]!)?.transport === 'jsonrpc', 'the transport remembered');
    await checker.check(ids[0]!, never);
    expect(update).toHaveBeenCalledTimes(1);
  });

  it('says no key, locked or damaged without touching the network', async () => {
    const { store, ids } = keyring;
    const checker = createKeyChecker(store, client);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('no key');
    expect(await reasonOf(checker.check('not-a-system', never))).toBe('no key');

    await mintAndStore(client, sim, keyring, 0);
    await mintAndStore(client, sim, keyring, 1);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
    await store.reload(); // queued behind the transport it remembered
    store.lock();
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('locked');

    const file = JSON.parse(await readFile(store.filePath, 'utf8'));
    const box = Buffer.from(file.keyring.entries[ids[1]!].box, 'base64');
    box[box.length - 1]! ^= 0x01;
    file.keyring.entries[ids[1]!].box = box.toString('base64');
    await writeFile(store.filePath, JSON.stringify(file), { mode: 0o600 });
    const reopened = await KeyringStore.open(keyring.dir);
    await reopened.unlock(PASSPHRASE);
    const again = createKeyChecker(reopened, client);
    try {
      expect(await reasonOf(again.check(ids[1]!, never))).toBe('damaged');
      expect(await reasonOf(again.check(ids[0]!, never))).toBe('connected');
    } finally {
      await reopened.reload(); // queued behind the transport it may still be writing, before the directory goes
      reopened.lock();
    }
    expect(sim.logins(1).filter((login) => login.mechanism === 'API_KEY_PLAIN')).toHaveLength(0);
  });

  it('passes the client failure on, and re-reads a replaced key even without forget()', async () => {
    const { ids } = keyring;
    const checker = await checkerWithKey(0);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
    sim.revokeKeys(0);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('key rejected');
    await mintAndStore(client, sim, keyring, 0);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
  });

  it('prefers this run’s session key over the keyring, only for the record it was minted for', async () => {
    const { store, ids } = keyring;
    const record = store.getSystem(ids[1]!)!;
    const minted = await client.signIn(targetOf(record), sim.systems[1]!.users[0]!);
    const session = { ...minted, apiKey: minted.key, address: record.address, fingerprint: record.fingerprint };
    const sessionKeys = new Map([[ids[1]!, session]]);
    const checker = createKeyChecker(store, client, { sessionKeys });
    expect(store.hasEntry(ids[1]!)).toBe(false);
    expect(await reasonOf(checker.check(ids[1]!, never))).toBe('connected');
    sessionKeys.set(ids[1]!, { ...session, address: sim.systems[0]!.url });
    expect(await reasonOf(checker.check(ids[1]!, never))).toBe('record changed');
    sessionKeys.clear();
    expect(await reasonOf(checker.check(ids[1]!, never))).toBe('no key');
  });

  it('sends no key to where an edited file points: the record changed', async () => {
    const { store, ids } = keyring;
    const checker = await checkerWithKey(0);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
    const before = sim.logins(1).length;
    await store.reload(); // queued behind the transport the check remembered
    // Someone with write access to the file points system 0 at system 1 (their server).
    const file = JSON.parse(await readFile(store.filePath, 'utf8'));
    Object.assign(file.systems[0], { address: sim.systems[1]!.url, fingerprint: sim.systems[1]!.fingerprint });
    await writeFile(store.filePath, JSON.stringify(file), { mode: 0o600 });
    await store.reload();
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('record changed');
    expect(sim.logins(1).slice(before)).toEqual([]);
  });

  it('gives the abort signal to the client', async () => {
    const { store, ids } = keyring;
    await mintAndStore(client, sim, keyring, 0);
    await sim.setFault(0, 'hang');
    try {
      const controller = new AbortController();
      const checking = reasonOf(createKeyChecker(store, client).check(ids[0]!, controller.signal));
      controller.abort();
      expect(await checking).toBe('cancelled');
    } finally {
      await sim.setFault(0, 'none');
    }
  });
});

describe('kept sessions', () => {
  const apiKeyLogins = (index: number) => sim.logins(index).filter((login) => login.mechanism.startsWith('API_KEY')).length;

  it('log in once over ten checks, and see revocation at the next check', async () => {
    const { ids } = keyring;
    const checker = await checkerWithKey(0);
    const before = apiKeyLogins(0);
    for (let i = 0; i < 10; i++) expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
    expect(apiKeyLogins(0) - before).toBe(1);
    expect(checker.logins().get(ids[0]!)).toBe(1);
    sim.revokeKeys(0);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('key rejected');
  });

  it('see a key expire at the next check', async () => {
    const { ids } = keyring;
    const checker = await checkerWithKey(0);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
    sim.expireKeys(0);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('key expired');
    // A new session's login says the same.
    checker.forget();
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('key expired');
  });

  it('log in again when the connection dropped, within the same check', async () => {
    const { ids } = keyring;
    const checker = await checkerWithKey(0);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
    const before = apiKeyLogins(0);
    await sim.setFault(0, 'down'); // closes every connection
    await sim.setFault(0, 'none');
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
    expect(apiKeyLogins(0) - before).toBe(1);
  });

  it('read alerts, pools and the update state; the update server is asked at most hourly, and anew after forget(id)', async () => {
    const { ids } = keyring;
    const checker = await checkerWithKey(0);
    const first = await checker.check(ids[0]!, never);
    expect(first.alerts?.counts).toEqual({ critical: 0, error: 0, warning: 0, notice: 0, info: 0 });
    expect(first.pools?.map((pool) => [pool.name, pool.healthy])).toEqual([['tank', true]]);
    expect(first.update).toEqual({ available: null, rebootRequired: false });
    sim.addAlert(0, { level: 'CRITICAL', formatted: 'Pool tank state is DEGRADED' });
    sim.setPoolStatus(0, 'tank', 'DEGRADED');
    sim.offerUpdate(0, { version: '25.10.3' });
    const updateCalls = () => sim.callCounts(0)['update.status'] ?? 0;
    const asked = updateCalls();
    const second = await checker.check(ids[0]!, never);
    expect(second.alerts?.counts.critical).toBe(1);
    expect(second.pools?.[0]).toMatchObject({ name: 'tank', status: 'DEGRADED', healthy: false });
    // Within the hour: the answer of the first check, and no new question to the update server.
    expect(second.update?.available).toBeNull();
    expect(updateCalls()).toBe(asked);
    expect(UPDATE_CHECK_INTERVAL_MS).toBe(3_600_000);
    // Forgotten (re-trusted, re-keyed, removed): the next check is of a system tnc knows nothing of.
    checker.forget(ids[0]!);
    const third = await checker.check(ids[0]!, never);
    expect(third.update?.available).toBe('25.10.3');
    expect(updateCalls()).toBe(asked + 1);
  });

  it('leave what the key’s user may not read unknown, and stay connected', async () => {
    const { ids } = keyring;
    const checker = await checkerWithKey(1, LIMITED_USER);
    const health = await checker.check(ids[1]!, never);
    expect(health.alerts).toBeNull();
    expect(health.info).toBeNull();
    expect(health.update).toBeNull();
    expect(health.pools?.map((pool) => pool.name)).toEqual(['tank']);
  });
});
