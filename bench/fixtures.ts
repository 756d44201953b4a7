// Data directories the benchmarks start from, made through the KeyringStore API.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KEYRING_FILE, KeyringStore } from '../store/keyring-store.js';
import type { KdfParams } from '../store/types.js';
import { TrueNASClient } from '../src/client/client.js';
import { systemName } from './names.js';
import type { SimProcess } from './sim-process.js';

export const PASSPHRASE = 'correct horse battery staple';
/** The lowest parameters KDF_BOUNDS allow: for data dirs whose unlock is not what is measured. */
export const FAST_KDF: KdfParams = { opslimit: 1, memlimit: 8 * 1024 * 1024 };

/** Runs `work` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const meta = (keyId: number, username: string) => ({
  keyId,
  keyName: `tnc-bench-${keyId}`,
  username,
  storedAt: new Date().toISOString(),
});

/**
 * `count` systems at an address that refuses connections, and a keyring (FAST_KDF) holding a
 * made-up key for each: everything a screen or an unlock needs, no network.
 */
export async function prepareOfflineDataDir(dataDir: string, count: number): Promise<void> {
  const store = await KeyringStore.open(dataDir, { kdf: FAST_KDF });
  await store.createKeyring('bench', PASSPHRASE);
  for (let i = 0; i < count; i++) {
    const system = await store.addSystem({ name: systemName(i), address: `127.0.0.1:${1 + (i % 3)}` });
    await store.storeKey(system.id, `${i + 1}-${'k'.repeat(64)}`, meta(i + 1, 'truenas_admin'));
  }
  store.lock();
}

/**
 * Every simulated system, pinned, with a key minted on it by a real sign-in and stored in a
 * keyring (FAST_KDF), and its transport remembered: the state after a user has signed in to all.
 */
export async function prepareSimDataDir(dataDir: string, sim: SimProcess): Promise<void> {
  const store = await KeyringStore.open(dataDir, { kdf: FAST_KDF });
  await store.createKeyring('bench', PASSPHRASE);
  const client = new TrueNASClient({ timeoutMs: 30_000 });
  try {
    const minted = await mapLimit(sim.systems, 16, async (system) => {
      const target = { address: system.url, fingerprint: system.fingerprint };
      const { username, password } = system.users[0]!;
      return { system, key: await client.signIn(target, { username, password }) };
    });
    for (const { system, key } of minted) {
      const record = await store.addSystem({
        name: systemName(system.index),
        address: system.url,
        fingerprint: system.fingerprint,
        transport: key.transport,
        username: key.username,
      });
      await store.storeKey(record.id, key.key, { ...meta(key.keyId, key.username), keyName: key.keyName });
    }
  } finally {
    client.close();
    store.lock();
  }
}

/** A private copy, so that one benchmark's writes never reach another's. */
export async function copyDataDir(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  await copyFile(join(from, KEYRING_FILE), join(to, KEYRING_FILE));
}
