import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { KeyringStore, lockAll } from '../../store/keyring-store.js';
import {
  DamagedEntryError,
  KdfParamsError,
  LockedError,
  NotFoundError,
  RecordChangedError,
  StoreError,
  WrongPassphraseError,
} from '../../store/errors.js';
import { dataDirIn, editFile, keyringPath, meta, openStore, readJson, snapshot, useTempDirs } from './helpers.js';

const API_KEY_1 = '1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const API_KEY_2 = '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const API_KEY_3 = '3-cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc';

describe('KeyringStore', () => {
  const tempDir = useTempDirs();

  async function storeWithKeys(): Promise<{ dir: string; store: KeyringStore; ids: string[] }> {
    const dir = dataDirIn(await tempDir());
    const store = await openStore(dir);
    const ids: string[] = [];
    for (const [i, apiKey] of [API_KEY_1, API_KEY_2, API_KEY_3].entries()) {
      const system = await store.addSystem({ name: `nas-${i}`, address: `nas-${i}.lan` });
      ids.push(system.id);
      await store.createKeyring('home', 'correct horse').catch(() => undefined);
      await store.storeKey(system.id, apiKey, meta(i + 1));
    }
    return { dir, store, ids };
  }

  it('round-trips keys through lock and unlock, and across a fresh open', async () => {
    const { dir, store, ids } = await storeWithKeys();
    expect(store.keyringState()).toBe('unlocked');
    expect(store.keyringName()).toBe('home');
    expect(store.credential(ids[1]!).apiKey).toBe(API_KEY_2);

    store.lock();
    expect(store.keyringState()).toBe('locked');
    expect(() => store.credential(ids[0]!)).toThrow(LockedError);
    expect(store.listEntries().map((entry) => entry.state)).toEqual(['stored', 'stored', 'stored']);

    await store.unlock('correct horse');
    expect(ids.map((id) => store.credential(id).apiKey)).toEqual([API_KEY_1, API_KEY_2, API_KEY_3]);

    const again = await openStore(dir);
    expect(again.keyringState()).toBe('locked');
    expect(again.listSystems().map((system) => system.name)).toEqual(['nas-0', 'nas-1', 'nas-2']);
    expect(again.listEntries().map((entry) => entry.meta.keyId)).toEqual([1, 2, 3]);
    await again.unlock('correct horse');
    expect(again.credential(ids[2]!).apiKey).toBe(API_KEY_3);
  });

  it('writes the file 0600 in a 0700 directory', async () => {
    const { dir } = await storeWithKeys();
    const { stat } = await import('node:fs/promises');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(keyringPath(dir))).mode & 0o777).toBe(0o600);
  });

  it('changes the passphrase by re-wrapping the data key only', async () => {
    const { dir, store, ids } = await storeWithKeys();
    const before = await readJson(keyringPath(dir));
    await store.changePassphrase('correct horse', 'battery staple');
    const after = await readJson(keyringPath(dir));
    expect(after.keyring.entries).toEqual(before.keyring.entries);
    expect(after.keyring.wrappedKey).not.toEqual(before.keyring.wrappedKey);
    expect(after.keyring.kdf.salt).not.toBe(before.keyring.kdf.salt);
    expect(store.keyringState()).toBe('unlocked');

    const again = await openStore(dir);
    await expect(again.unlock('correct horse')).rejects.toThrow(WrongPassphraseError);
    await again.unlock('battery staple');
    expect(again.credential(ids[0]!).apiKey).toBe(API_KEY_1);
    await expect(store.changePassphrase('wrong', 'x')).rejects.toThrow(WrongPassphraseError);
  });

  it('reset drops the keyring and returns the entries as leftovers', async () => {
    const { dir, store, ids } = await storeWithKeys();
    const leftovers = await store.reset();
    expect(leftovers).toEqual(
      ids.map((systemId, i) => ({
        systemId,
        systemName: `nas-${i}`,
        address: `nas-${i}.lan`,
        keyId: i + 1,
        keyName: meta(i + 1).keyName,
        username: 'truenas_admin',
        why: 'reset',
      })),
    );
    expect(store.keyringState()).toBe('none');
    expect(store.listEntries()).toEqual([]);
    const file = await readJson(keyringPath(dir));
    expect(file.keyring).toBeNull();
    expect(file.leftovers).toEqual(leftovers);

    await store.createKeyring('fresh', 'new passphrase');
    expect(store.hasEntry(ids[0]!)).toBe(false);
    await store.removeLeftover(meta(1).keyName);
    expect(store.listLeftovers().map((leftover) => leftover.keyId)).toEqual([2, 3]);
  });

  it('removing a system drops its entry and leftovers, and leaves the others', async () => {
    const { store, ids } = await storeWithKeys();
    await store.putLeftover({ ...(await store.reset().then(() => store.listLeftovers()[0]!)), why: 'unstored' });
    expect(store.listLeftovers()).toHaveLength(3); // the same key twice is kept once
    await store.createKeyring('again', 'pw');
    await store.storeKey(ids[0]!, API_KEY_1, meta(7));
    await store.storeKey(ids[1]!, API_KEY_2, meta(8));
    await store.removeSystem(ids[0]!);
    expect(store.getSystem(ids[0]!)).toBeUndefined();
    expect(store.hasEntry(ids[0]!)).toBe(false);
    expect(() => store.credential(ids[0]!)).toThrow(NotFoundError);
    expect(store.listLeftovers().map((leftover) => leftover.systemId)).not.toContain(ids[0]);
    expect(store.credential(ids[1]!).apiKey).toBe(API_KEY_2);
    await store.removeKey(ids[1]!);
    expect(store.hasEntry(ids[1]!)).toBe(false);
  });

  it('updates systems and refuses unknown ones', async () => {
    const store = await openStore(dataDirIn(await tempDir()));
    const system = await store.addSystem({ name: 'a', address: 'a.lan', fingerprint: 'AA:BB' });
    const updated = await store.updateSystem(system.id, { name: 'b', fingerprint: undefined, transport: 'rest' });
    expect(updated).toEqual({ id: system.id, name: 'b', address: 'a.lan', transport: 'rest' });
    expect(store.getSystem(system.id)).toEqual(updated);
    await expect(store.updateSystem('nope', { name: 'x' })).rejects.toThrow(NotFoundError);
    await expect(store.storeKey(system.id, API_KEY_1, meta(1))).rejects.toThrow(LockedError);
    await store.createKeyring('k', 'pw');
    await expect(store.createKeyring('k', 'pw')).rejects.toMatchObject({ code: 'KEYRING_EXISTS' });
    await expect(store.storeKey('nope', API_KEY_1, meta(1))).rejects.toThrow(NotFoundError);
  });

  it('a wrong passphrase is a typed error and leaves the file byte-for-byte unchanged', async () => {
    const { dir, store } = await storeWithKeys();
    store.lock();
    const before = await snapshot(keyringPath(dir));
    const error = await store.unlock('incorrect horse').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrongPassphraseError);
    expect((error as StoreError).code).toBe('WRONG_PASSPHRASE');
    expect((error as Error).message).toBe('Wrong passphrase');
    expect(store.keyringState()).toBe('locked');
    expect(await snapshot(keyringPath(dir))).toEqual(before);
    expect(await readdir(dir)).toEqual(['keyring.json']);
  });

  it('a flipped ciphertext damages only its own entry', async () => {
    const { dir, store, ids } = await storeWithKeys();
    store.lock();
    await editFile(keyringPath(dir), (file) => {
      const box = Buffer.from(file.keyring.entries[ids[1]!].box, 'base64');
      box[box.length - 1]! ^= 0x01;
      file.keyring.entries[ids[1]!].box = box.toString('base64');
    });
    const again = await openStore(dir);
    await again.unlock('correct horse');
    expect(again.listEntries().map((entry) => entry.state)).toEqual(['stored', 'damaged', 'stored']);
    expect(again.getEntry(ids[1]!)).toEqual({ systemId: ids[1], meta: meta(2), state: 'damaged' });
    expect(again.getEntry('unknown')).toBeUndefined();
    expect(() => again.credential(ids[1]!)).toThrow(DamagedEntryError);
    expect(again.credential(ids[0]!).apiKey).toBe(API_KEY_1);
    expect(again.credential(ids[2]!).apiKey).toBe(API_KEY_3);
  });

  it('an entry moved to another system is damaged', async () => {
    const { dir, store, ids } = await storeWithKeys();
    store.lock();
    await editFile(keyringPath(dir), (file) => {
      const entries = file.keyring.entries;
      [entries[ids[0]!], entries[ids[1]!]] = [entries[ids[1]!], entries[ids[0]!]];
    });
    const again = await openStore(dir);
    await again.unlock('correct horse');
    // Their metadata no longer matches what the keyring vouched for either: record changed.
    expect(again.listEntries().map((entry) => entry.state)).toEqual(['damaged', 'damaged', 'stored']);
    expect(() => again.credential(ids[0]!)).toThrow(RecordChangedError);
    expect(() => again.credential(ids[1]!)).toThrow(RecordChangedError);
    expect(again.credential(ids[2]!).apiKey).toBe(API_KEY_3);
  });

  it('opens every entry of a large keyring, damaged ones wherever they are', async () => {
    const { dir, store, ids } = await storeWithKeys();
    store.lock();
    // 250 entries (unlock opens them a hundred at a time): the three real ones at the start,
    // middle and end, copies of the first (sealed for another system: damaged) in between.
    const real = new Map([
      [0, ids[0]!],
      [120, ids[1]!],
      [249, ids[2]!],
    ]);
    const order: string[] = [];
    await editFile(keyringPath(dir), (file) => {
      const stored = file.keyring.entries;
      const entries: Record<string, unknown> = {};
      for (let i = 0; i < 250; i++) {
        const id = real.get(i) ?? `copy-${i}`;
        if (!real.has(i)) file.systems.push({ id, name: id, address: `${id}.lan` });
        entries[id] = real.has(i) ? stored[id] : stored[ids[0]!];
        order.push(id);
      }
      file.keyring.entries = entries;
    });
    const again = await openStore(dir);
    await again.unlock('correct horse');
    const listed = again.listEntries();
    expect(listed.map((entry) => entry.systemId)).toEqual(order);
    expect(listed.filter((entry) => entry.state === 'stored').map((entry) => entry.systemId)).toEqual([...real.values()]);
    expect(again.credential(ids[1]!).apiKey).toBe(API_KEY_2);
    expect(again.credential(ids[2]!).apiKey).toBe(API_KEY_3);
    // The copies were added by hand: no MAC vouches for their records.
    expect(() => again.credential('copy-248')).toThrow(RecordChangedError);
  });

  it.each([
    ['opslimit', 1e9],
    ['memlimit', 64 * 1024 ** 3],
  ])('refuses a file whose KDF %s was tampered to %d, untouched', async (name, value) => {
    const { dir } = await storeWithKeys();
    const path = keyringPath(dir);
    await editFile(path, (file) => {
      file.keyring.kdf[name] = value;
    });
    const before = await snapshot(path);
    const error = await openStore(dir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KdfParamsError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(`${name} ${value} is not an integer in`);
    expect(await snapshot(path)).toEqual(before);
  });

  it('refuses out-of-bounds KDF options', async () => {
    const dir = dataDirIn(await tempDir());
    await expect(KeyringStore.open(dir, { kdf: { opslimit: 3, memlimit: 1024 } })).rejects.toThrow(KdfParamsError);
  });

  it('sees what another store on the same directory wrote, and locks when the keyring is replaced', async () => {
    const { dir, store, ids } = await storeWithKeys();
    const other = await openStore(dir);
    await other.unlock('correct horse');
    await other.storeKey(ids[0]!, 'replaced-key', meta(9));
    const added = await other.addSystem({ name: 'late', address: 'late.lan' });

    // A change made here re-reads first: the other store's system survives it.
    await store.updateSystem(ids[2]!, { name: 'renamed' });
    expect(store.getSystem(added.id)?.name).toBe('late');
    expect(store.credential(ids[0]!).apiKey).toBe('replaced-key');
    expect(store.keyringState()).toBe('unlocked');

    await other.changePassphrase('correct horse', 'battery staple');
    await store.reload();
    expect(store.keyringState()).toBe('locked');
    await expect(store.unlock('correct horse')).rejects.toThrow(WrongPassphraseError);
    await store.unlock('battery staple');
    expect(store.credential(ids[1]!).apiKey).toBe(API_KEY_2);
  });

  it('runs concurrent changes of one process one after another without losing any', async () => {
    const store = await openStore(dataDirIn(await tempDir()));
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => store.addSystem({ name: `s${i}`, address: `s${i}.lan` })),
      store.reload(),
      store.createKeyring('k', 'pw'),
    ]);
    const again = await openStore(store.dataDir);
    expect(again.listSystems()).toHaveLength(20);
    expect(again.keyringState()).toBe('locked');
  });

  it('refuses input the next read would refuse, writing nothing', async () => {
    const dir = dataDirIn(await tempDir());
    const store = await openStore(dir);
    const system = await store.addSystem({ name: 'a', address: 'a.lan' });
    const before = await snapshot(keyringPath(dir));
    await expect(store.updateSystem(system.id, { transport: 'carrier-pigeon' as 'rest' })).rejects.toThrow(
      /Invalid input: system.transport is neither "jsonrpc" nor "rest"/,
    );
    await expect(store.putLeftover({ ...meta(1), systemId: system.id, systemName: 'a', address: 'a', why: 'gone' as 'reset' })).rejects.toThrow(TypeError);
    expect(await snapshot(keyringPath(dir))).toEqual(before);
    expect(store.getSystem(system.id)?.transport).toBeUndefined();
  });

  it('lock() and lockAll() zero the data key and every opened API key', async () => {
    const { dir, store, ids } = await storeWithKeys();
    const other = await openStore(dir);
    await other.unlock('correct horse');
    // Reaching into the vaults (test only) to see the very arrays that held the secrets.
    const secretsOf = (unlocked: KeyringStore): Uint8Array[] => {
      const vault = (unlocked as any).vault;
      return [vault.dataKey, ...[...vault.opened.values()].map((entry: any) => entry.apiKey)];
    };
    const held = secretsOf(store);
    const otherHeld = secretsOf(other);
    expect(held).toHaveLength(1 + ids.length);
    expect(held.every((bytes) => bytes.some((byte) => byte !== 0))).toBe(true);

    store.lock();
    expect(held.every((bytes) => bytes.every((byte) => byte === 0))).toBe(true);
    expect(otherHeld.every((bytes) => bytes.some((byte) => byte !== 0))).toBe(true);
    lockAll();
    expect(other.keyringState()).toBe('locked');
    expect(otherHeld.every((bytes) => bytes.every((byte) => byte === 0))).toBe(true);
  });
});
