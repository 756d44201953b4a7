// Thousands of damaged keyring files: each open + unlock works or is refused with a StoreError
// that names the file; never another exception, never a hang, never a write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordChangedError, StoreError, StoreFileError } from '../../store/errors.js';
import { KEYRING_FILE, KeyringStore } from '../../store/keyring-store.js';
import type { KdfParams } from '../../store/types.js';
import { Prng } from './prng.js';
import { mutate, mutatePlainFields, type Mutant } from './vault-mutations.js';

const SEED = 20_261_127;
const CASES = 2_500;
const PLAIN_CASES = 600;
/**
 * Unlocks cost a KDF worker each (~0.1 s): only files that open with a keyring unlike the seed's
 * (and unlike one unlocked before) are unlocked, at most this many per kind of mutation.
 */
const MAX_UNLOCKS_PER_KIND = 4;
/** Far above any legitimate open or unlock at these KDF parameters: reaching it means a hang. */
const HANG_MS = 15_000;
const KDF: KdfParams = { opslimit: 1, memlimit: 8 * 1024 * 1024 };
const PASSPHRASE = 'fuzz passphrase';

class Hang extends Error {}

function capped<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Hang(`${what} did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  return Promise.race([work, hang]).finally(() => clearTimeout(timer));
}

/** The keyring fields unlock reads (what validation keeps): equal projections unlock alike. */
function unlockInputs(bytes: Buffer): string | undefined {
  try {
    const { keyring } = JSON.parse(bytes.toString('utf8'));
    const entries = Object.entries(keyring.entries).map(([id, entry]: [string, any]) => [id, entry.nonce, entry.box]);
    return JSON.stringify([keyring.kdf.alg, keyring.kdf.opslimit, keyring.kdf.memlimit, keyring.kdf.salt, keyring.wrappedKey.nonce, keyring.wrappedKey.box, entries]);
  } catch {
    return undefined;
  }
}

type Outcome = string;

describe('keyring file reader under fuzzing', () => {
  let dir: string;
  let dataDir: string;
  let filePath: string;
  let seed: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tnc-fuzz-vault-'));
    dataDir = join(dir, 'data');
    filePath = join(dataDir, KEYRING_FILE);
    const store = await KeyringStore.open(dataDir, { kdf: KDF });
    const a = await store.addSystem({ name: 'alpha', address: 'alpha.lan' });
    const b = await store.addSystem({ name: 'beta', address: 'https://beta.lan:8443', fingerprint: 'AB:CD', transport: 'jsonrpc', username: 'admin' });
    await store.addSystem({ name: 'gamma', address: '10.0.0.3' });
    await store.createKeyring('fuzz', PASSPHRASE);
    await store.storeKey(a.id, `1-${'a'.repeat(64)}`, { keyId: 1, keyName: 'tnc-1', username: 'truenas_admin', storedAt: '2025-01-01T00:00:00.000Z' });
    await store.storeKey(b.id, `2-${'b'.repeat(64)}`, { keyId: 2, keyName: 'tnc-2', username: 'admin', storedAt: '2025-01-01T00:00:00.000Z' });
    await store.putLeftover({ systemId: a.id, systemName: 'alpha', address: 'alpha.lan', keyId: 9, keyName: 'tnc-9', username: 'root', why: 'unstored' });
    store.lock();
    seed = await readFile(filePath);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Open, read everything, unlock (if `unlock` says so), open every entry: the outcome, or a problem. */
  async function attempt(unlock: () => boolean): Promise<Outcome> {
    let store: KeyringStore;
    try {
      store = await capped(KeyringStore.open(dataDir, { kdf: KDF }), 'open');
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      if (!error.message.includes(filePath)) throw new Error(`refusal does not name the file: ${error.message}`);
      return `refused: ${error.code}`;
    }
    store.listSystems();
    store.listLeftovers();
    store.keyringName();
    const entries = store.listEntries();
    if (store.keyringState() !== 'locked') return 'opened without keyring';
    if (!unlock()) return 'opened';
    try {
      await capped(store.unlock(PASSPHRASE), 'unlock');
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      if (error instanceof StoreFileError && !error.message.includes(filePath)) throw new Error(`refusal does not name the file: ${error.message}`);
      return `unlock refused: ${error.code}`;
    }
    let damaged = 0;
    for (const { systemId } of entries) {
      try {
        store.credential(systemId);
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        damaged++;
      }
    }
    store.lock();
    return damaged > 0 ? 'unlocked, entries damaged' : 'unlocked';
  }

  /** Writes the bytes, attempts, and checks the file and directory were left exactly as they were. */
  async function run(bytes: Buffer, unlock: () => boolean): Promise<Outcome> {
    await writeFile(filePath, bytes);
    const before = { bytes, mtimeMs: (await stat(filePath)).mtimeMs, listing: await readdir(dataDir) };
    const outcome = await attempt(unlock);
    const after = { bytes: await readFile(filePath), mtimeMs: (await stat(filePath)).mtimeMs, listing: await readdir(dataDir) };
    if (!after.bytes.equals(before.bytes) || after.mtimeMs !== before.mtimeMs) throw new Error('the file was written');
    if (after.listing.join() !== before.listing.join()) throw new Error(`the directory changed: ${after.listing.join(', ')}`);
    return outcome;
  }

  it('the unmutated file unlocks with every entry intact', async () => {
    expect(await run(seed, () => true)).toBe('unlocked');
  });

  it(`${CASES} mutated and truncated files: a result or a StoreError naming the file, no write, no hang`, async () => {
    // Same unlock inputs as the seed (or as a case already unlocked) unlock the same way.
    const unlocked = new Set<string | undefined>([unlockInputs(seed)]);
    const unlocksByKind = new Map<string, number>();
    const outcomes = new Map<Outcome, number>();
    const problems: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const mutant: Mutant = mutate(seed, new Prng(SEED * 7919 + i));
      const unlock = () => {
        const inputs = unlockInputs(mutant.bytes);
        const count = unlocksByKind.get(mutant.kind) ?? 0;
        if (unlocked.has(inputs) || count >= MAX_UNLOCKS_PER_KIND) return false;
        unlocked.add(inputs);
        unlocksByKind.set(mutant.kind, count + 1);
        return true;
      };
      try {
        const outcome = await run(mutant.bytes, unlock);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      } catch (error) {
        problems.push(`case ${i} (${mutant.kind}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      }
    }
    expect(problems).toEqual([]);
    // The fuzz reached every layer: parsing, validation, KDF bounds, unlock and entry opening.
    const seen = [...outcomes.keys()];
    for (const expected of ['refused: FILE', 'refused: KDF_PARAMS', 'opened', 'unlocked, entries damaged', 'unlock refused: WRONG_PASSPHRASE']) {
      expect(seen, JSON.stringify(Object.fromEntries(outcomes))).toContain(expected);
    }
  });

  it(`${PLAIN_CASES} edits of the plain fields that decide where keys go: every edited record is refused its key, no other is`, async () => {
    await writeFile(filePath, seed);
    const store = await KeyringStore.open(dataDir, { kdf: KDF });
    await store.unlock(PASSPHRASE);
    const canonical = (document: any) => {
      const entries = document.keyring?.entries ?? {};
      return new Map<string, string>(
        (document.systems ?? []).map((system: any) => [
          system.id,
          JSON.stringify([system.address, system.fingerprint, system.transport, system.username, system.login, entries[system.id]?.meta ?? null]),
        ]),
      );
    };
    const leftoverKey = (leftover: any) => JSON.stringify([leftover.systemId, leftover.address, leftover.keyId, leftover.keyName, leftover.username, leftover.why]);
    const original = JSON.parse(seed.toString('utf8'));
    const seedRecords = canonical(original);
    const seedLeftovers = new Set(original.leftovers.map(leftoverKey));
    const problems: string[] = [];
    let refused = 0;
    /** Cases where the keyring caught an edited record (the rest edited leftovers, or failed validation). */
    let caught = 0;
    try {
      for (let i = 0; i < PLAIN_CASES; i++) {
        const mutant = mutatePlainFields(seed, new Prng(SEED * 104_729 + i));
        await writeFile(filePath, mutant.bytes);
        try {
          await store.reload();
        } catch (error) {
          if (!(error instanceof StoreFileError)) problems.push(`case ${i} (${mutant.kind}): ${String(error)}`);
          refused++;
          continue;
        }
        if (store.keyringState() !== 'unlocked') problems.push(`case ${i} (${mutant.kind}): the keyring locked`);
        const edited = JSON.parse(mutant.bytes.toString('utf8'));
        let anyChanged = false;
        for (const [id, fields] of canonical(edited)) {
          const expectChanged = seedRecords.get(id) !== fields;
          anyChanged ||= expectChanged;
          if (store.recordChanged(id) !== expectChanged) problems.push(`case ${i} (${mutant.kind}): ${id} changed=${store.recordChanged(id)}`);
          if (expectChanged && store.hasEntry(id)) {
            const refusedKey = (() => {
              try {
                store.credential(id);
                return false;
              } catch (error) {
                return error instanceof RecordChangedError;
              }
            })();
            if (!refusedKey) problems.push(`case ${i} (${mutant.kind}): the key of edited ${id} was handed out`);
          }
        }
        if (anyChanged) caught++;
        for (const leftover of store.listLeftovers()) {
          if (leftover.verified !== seedLeftovers.has(leftoverKey(leftover))) problems.push(`case ${i} (${mutant.kind}): leftover ${leftover.keyName} verified=${leftover.verified}`);
        }
      }
    } finally {
      store.lock();
    }
    expect(problems).toEqual([]);
    // The edits reached the MAC checks, not only validation.
    expect(caught, `caught ${caught}, refused ${refused}`).toBeGreaterThan(PLAIN_CASES / 4);
    expect(refused).toBeLessThan(PLAIN_CASES / 2);
  });
});
