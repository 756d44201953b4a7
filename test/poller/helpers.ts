// Real parts for the poller's integration tests: a keyring in a temp dir, keys minted on the
// simulator, and a bounded wait for a condition.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrueNASClient } from '../../src/client/client.js';
import type { SystemTarget } from '../../src/client/types.js';
import type { Simulator } from '../../src/sim/types.js';
import { KeyringStore } from '../../store/keyring-store.js';
import type { SystemRecord } from '../../store/types.js';

export const PASSPHRASE = 'correct horse battery staple';
const FAST_KDF = { opslimit: 1, memlimit: 8 * 1024 * 1024 };

export interface TestKeyring {
  dir: string;
  store: KeyringStore;
  /** The store's system ids, by simulator index. */
  ids: string[];
  cleanUp(): Promise<void>;
}

/** What the helpers need of a simulator, in this process or in a child. */
export type SimSystems = Pick<Simulator, 'systems'>;

/** A keyring (unlocked, lowered KDF) listing the simulator's systems, pinned to their certificates. */
export async function keyringFor(sim: SimSystems, transportOf: (index: number) => SystemRecord['transport'] = () => undefined): Promise<TestKeyring> {
  const dir = await mkdtemp(join(tmpdir(), 'tnc-poller-'));
  const store = await KeyringStore.open(dir, { kdf: FAST_KDF });
  await store.createKeyring('test', PASSPHRASE);
  const ids: string[] = [];
  for (const system of sim.systems) {
    const transport = transportOf(system.index);
    const record = await store.addSystem({
      name: system.hostname,
      address: system.url,
      fingerprint: system.fingerprint,
      ...(transport && { transport }),
    });
    ids.push(record.id);
  }
  return {
    dir,
    store,
    ids,
    async cleanUp() {
      await store.reload(); // queued behind any write still under way (transports remembered)
      store.lock();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function targetOf(record: SystemRecord): SystemTarget {
  return { address: record.address, fingerprint: record.fingerprint, transport: record.transport };
}

/** Signs in to one system as the simulator's admin and stores the minted key. */
export async function mintAndStore(
  client: TrueNASClient,
  sim: SimSystems,
  keyring: TestKeyring,
  index: number,
  user: { username: string; password: string } = sim.systems[index]!.users[0]!,
): Promise<void> {
  const id = keyring.ids[index]!;
  const minted = await client.signIn(targetOf(keyring.store.getSystem(id)!), user);
  await keyring.store.storeKey(id, minted.key, {
    keyId: minted.keyId,
    keyName: minted.keyName,
    username: minted.username,
    storedAt: new Date().toISOString(),
  });
}

/** Runs `work` over `items` with at most `limit` at once. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Polls `condition` on the event loop (no fixed sleep) and fails with `what` past `limitMs`. */
export async function waitFor(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
