import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { createKeyChecker } from '../../src/poller/key-checker.js';
import { KeyringStore } from '../../store/keyring-store.js';
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

afterEach(async () => {
  vi.restoreAllMocks();
  await keyring.cleanUp();
});

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

    expect(await checker.check(ids[0]!, never)).toMatchObject({ hostname: 'truenas-1', version: '25.10.1' });
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
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected'); // now cached
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
    const { store, ids } = keyring;
    await mintAndStore(client, sim, keyring, 0);
    const checker = createKeyChecker(store, client);
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
    await mintAndStore(client, sim, keyring, 0);
    const checker = createKeyChecker(store, client);
    expect(await reasonOf(checker.check(ids[0]!, never))).toBe('connected');
    const before = sim.logins(1).length;
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
