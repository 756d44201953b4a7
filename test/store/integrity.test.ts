import { describe, expect, it } from 'vitest';
import sodium from 'libsodium-wrappers-sumo';
import { LockedError, RecordChangedError } from '../../store/errors.js';
import type { KeyringStore } from '../../store/keyring-store.js';
import type { LeftoverKey } from '../../store/types.js';
import { dataDirIn, editFile, keyringPath, meta, openStore, readJson, useTempDirs } from './helpers.js';

const PASSPHRASE = 'correct horse';
const KEY_A = '1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const KEY_B = '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const PIN = 'AA:BB:CC';

function leftover(systemId: string, keyId: number | null, why: LeftoverKey['why'] = 'undeleted'): LeftoverKey {
  return { systemId, systemName: 'nas-a', address: 'nas-a.lan', keyId, keyName: meta(keyId ?? 99).keyName, username: 'truenas_admin', why };
}

describe('records the keyring vouches for', () => {
  const tempDir = useTempDirs();

  /** Two systems with stored keys and one leftover, all authenticated; locked on return. */
  async function keyring(): Promise<{ dir: string; ids: [string, string] }> {
    const dir = dataDirIn(await tempDir());
    const store = await openStore(dir);
    await store.createKeyring('home', PASSPHRASE);
    const a = await store.addSystem({ name: 'nas-a', address: 'nas-a.lan', fingerprint: PIN, transport: 'jsonrpc' });
    const b = await store.addSystem({ name: 'nas-b', address: 'nas-b.lan', fingerprint: PIN });
    await store.updateSystem(a.id, { username: 'truenas_admin' });
    await store.storeKey(a.id, KEY_A, meta(1));
    await store.storeKey(b.id, KEY_B, meta(2));
    await store.putLeftover(leftover(a.id, 7));
    store.lock();
    return { dir, ids: [a.id, b.id] };
  }

  async function unlocked(dir: string): Promise<KeyringStore> {
    const store = await openStore(dir);
    await store.unlock(PASSPHRASE);
    return store;
  }

  it('an untouched file: every record holds, the leftover is verified', async () => {
    const { dir, ids } = await keyring();
    const store = await unlocked(dir);
    expect(ids.map((id) => store.recordChanged(id))).toEqual([false, false]);
    expect(store.credential(ids[0]).apiKey).toBe(KEY_A);
    expect(store.credential(ids[0]).system.address).toBe('nas-a.lan');
    expect(store.listLeftovers().map((key) => key.verified)).toEqual([true]);
  });

  type Tamper = (file: any, ids: [string, string]) => void;
  const system = (file: any, id: string) => file.systems.find((candidate: { id: string }) => candidate.id === id);
  const TAMPERS: Array<[string, Tamper]> = [
    ['the address', (file, [a]) => (system(file, a).address = 'evil.example')],
    ['the fingerprint, replaced', (file, [a]) => (system(file, a).fingerprint = 'EV:IL')],
    ['the fingerprint, removed (CA trust instead of the pin)', (file, [a]) => delete system(file, a).fingerprint],
    ['the transport', (file, [a]) => (system(file, a).transport = 'rest')],
    ['the username', (file, [a]) => (system(file, a).username = 'root')],
    ['the login mechanism (a SCRAM system downgraded)', (file, [a]) => (system(file, a).login = 'scram')],
    ['the key id in the entry metadata', (file, [a]) => (file.keyring.entries[a].meta.keyId = 31337)],
    ['the key name in the entry metadata', (file, [a]) => (file.keyring.entries[a].meta.keyName = 'backup-script')],
    ['the key user in the entry metadata', (file, [a]) => (file.keyring.entries[a].meta.username = 'root')],
    ['its MAC, copied from the other system', (file, [a, b]) => (file.keyring.auth.systems[a] = file.keyring.auth.systems[b])],
    [
      'the system id, swapped with the other record',
      (file, [a, b]) => {
        system(file, a).id = 'swap';
        system(file, b).id = a;
        system(file, 'swap').id = b;
      },
    ],
  ];

  it.each(TAMPERS)('editing %s marks the record changed; its key is not handed out', async (_, tamper) => {
    const { dir, ids } = await keyring();
    await editFile(keyringPath(dir), (file) => tamper(file, ids));
    const store = await unlocked(dir);
    expect(store.recordChanged(ids[0])).toBe(true);
    expect(() => store.credential(ids[0])).toThrow(RecordChangedError);
    expect(() => store.credential(ids[0])).toThrow(/changed outside tnc/);
  });

  it('only the tampered record: the other system keeps working', async () => {
    const { dir, ids } = await keyring();
    await editFile(keyringPath(dir), (file) => (system(file, ids[0]).address = 'evil.example'));
    const store = await unlocked(dir);
    expect(store.recordChanged(ids[1])).toBe(false);
    expect(store.credential(ids[1]).apiKey).toBe(KEY_B);
  });

  it('a new display name is not a changed record, and needs no unlock', async () => {
    const { dir, ids } = await keyring();
    const locked = await openStore(dir);
    await locked.updateSystem(ids[0], { name: 'renamed' });
    await editFile(keyringPath(dir), (file) => (system(file, ids[1]).name = 'renamed by hand'));
    const store = await unlocked(dir);
    expect(ids.map((id) => store.recordChanged(id))).toEqual([false, false]);
    expect(store.getSystem(ids[1])?.name).toBe('renamed by hand');
  });

  it.each([
    ['key id', (file: any) => (file.leftovers[0].keyId = 31337)],
    ['key name', (file: any) => (file.leftovers[0].keyName = 'backup-script')],
  ])('a leftover whose %s was edited is no longer verified', async (_, tamper) => {
    const { dir } = await keyring();
    await editFile(keyringPath(dir), tamper);
    const store = await unlocked(dir);
    expect(store.listLeftovers().map((key) => key.verified)).toEqual([false]);
  });

  it('a leftover added by hand is not verified', async () => {
    const { dir, ids } = await keyring();
    await editFile(keyringPath(dir), (file) => file.leftovers.push({ ...leftover(ids[1], 5), keyName: 'tnc-00000000-0000-4000-8000-000000000555' }));
    const store = await unlocked(dir);
    expect(store.listLeftovers().map((key) => [key.keyId, key.verified])).toEqual([
      [7, true],
      [5, false],
    ]);
  });

  it('notices an edit made while it runs, at the next reload', async () => {
    const { dir, ids } = await keyring();
    const store = await unlocked(dir);
    expect(store.recordChanged(ids[0])).toBe(false);
    await editFile(keyringPath(dir), (file) => (system(file, ids[0]).address = 'evil.example'));
    await store.reload();
    expect(store.recordChanged(ids[0])).toBe(true);
    expect(() => store.credential(ids[0])).toThrow(RecordChangedError);
  });

  it('a change made after another tnc changed the passphrase is refused: the locked keyring cannot vouch for it', async () => {
    const { dir, ids } = await keyring();
    const store = await unlocked(dir);
    const other = await unlocked(dir);
    await other.changePassphrase(PASSPHRASE, 'battery staple');
    // This store learns of the new wrapping only when the change re-reads the file.
    await expect(store.updateSystem(ids[0], { fingerprint: 'NE:W0' })).rejects.toThrow(LockedError);
    expect(store.keyringState()).toBe('locked');
    const again = await openStore(dir);
    await again.unlock('battery staple');
    expect(again.getSystem(ids[0])?.fingerprint).toBe(PIN);
    expect(again.recordChanged(ids[0])).toBe(false);
  });

  it('a change made through the store vouches for the record again: trusting a new certificate', async () => {
    const { dir, ids } = await keyring();
    await editFile(keyringPath(dir), (file) => (system(file, ids[0]).fingerprint = 'EV:IL'));
    const store = await unlocked(dir);
    expect(store.recordChanged(ids[0])).toBe(true);
    // A rename alone does not vouch for what someone else changed.
    await store.updateSystem(ids[0], { name: 'still changed' });
    expect(store.recordChanged(ids[0])).toBe(true);
    await store.updateSystem(ids[0], { fingerprint: PIN });
    expect(store.recordChanged(ids[0])).toBe(false);
    const again = await unlocked(dir);
    expect(again.recordChanged(ids[0])).toBe(false);
  });

  it('trusting the record again does not vouch for entry metadata someone else wrote', async () => {
    const { dir, ids } = await keyring();
    await editFile(keyringPath(dir), (file) => (file.keyring.entries[ids[0]].meta.keyId = 31337));
    const store = await unlocked(dir);
    await store.updateSystem(ids[0], { fingerprint: PIN });
    expect(store.recordChanged(ids[0])).toBe(true);
    expect((await unlocked(dir)).recordChanged(ids[0])).toBe(true);
  });

  it('storing a new key vouches for the record and the new metadata', async () => {
    const { dir, ids } = await keyring();
    await editFile(keyringPath(dir), (file) => (file.keyring.entries[ids[0]].meta.keyId = 31337));
    const store = await unlocked(dir);
    expect(store.recordChanged(ids[0])).toBe(true);
    await store.storeKey(ids[0], KEY_B, meta(3));
    expect(store.credential(ids[0]).meta.keyId).toBe(3);
    expect((await unlocked(dir)).recordChanged(ids[0])).toBe(false);
  });

  it('while locked, refuses changes it could not vouch for and takes those that need none', async () => {
    const { dir, ids } = await keyring();
    const store = await openStore(dir);
    await expect(store.addSystem({ name: 'new', address: 'new.lan' })).rejects.toThrow(LockedError);
    await expect(store.updateSystem(ids[0], { fingerprint: 'EV:IL' })).rejects.toThrow(LockedError);
    await expect(store.updateSystem(ids[0], { transport: 'rest' })).rejects.toThrow(LockedError);
    await store.removeSystem(ids[1]);
    await store.putLeftover(leftover(ids[0], 8));
    expect(store.listSystems()).toHaveLength(1);
    const again = await unlocked(dir);
    expect(again.recordChanged(ids[0])).toBe(false);
    // Recorded while locked: nothing vouched for it.
    expect(again.listLeftovers().map((key) => [key.keyId, key.verified])).toEqual([
      [7, true],
      [8, false],
    ]);
    expect((await readJson(keyringPath(dir))).keyring.auth.systems[ids[1]]).toBeUndefined();
  });

  it('a keyring made over existing records vouches for them as they are', async () => {
    const dir = dataDirIn(await tempDir());
    const store = await openStore(dir);
    const listed = await store.addSystem({ name: 'nas', address: 'nas.lan', fingerprint: PIN });
    await store.putLeftover(leftover(listed.id, 4, 'unstored'));
    expect(store.listLeftovers()[0]?.verified).toBe(false);
    await store.createKeyring('home', PASSPHRASE);
    expect(store.recordChanged(listed.id)).toBe(false);
    expect(store.listLeftovers()[0]?.verified).toBe(true);
  });

  it('a reset takes the MACs with the keyring: its leftovers are unverified', async () => {
    const { dir } = await keyring();
    const store = await unlocked(dir);
    await store.reset();
    expect(store.listLeftovers().every((key) => !key.verified)).toBe(true);
    expect((await readJson(keyringPath(dir))).keyring).toBeNull();
  });

  describe('a file written by the previous format (version 1)', () => {
    /** The keyring() file as version 1 wrote it: no MACs, the bare data key wrapped. */
    async function versionOne(): Promise<{ dir: string; ids: [string, string] }> {
      const made = await keyring();
      await sodium.ready;
      await editFile(keyringPath(made.dir), (file) => {
        const { kdf, wrappedKey } = file.keyring;
        const from64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
        const derived = sodium.crypto_pwhash(32, PASSPHRASE, from64(kdf.salt), kdf.opslimit, kdf.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
        const dataKey = sodium.crypto_secretbox_open_easy(from64(wrappedKey.box), from64(wrappedKey.nonce), derived).slice(1);
        const nonce = sodium.randombytes_buf(24);
        file.keyring.wrappedKey = {
          nonce: Buffer.from(nonce).toString('base64'),
          box: Buffer.from(sodium.crypto_secretbox_easy(dataKey, nonce, derived)).toString('base64'),
        };
        delete file.keyring.auth;
        file.version = 1;
      });
      return made;
    }

    it('is authenticated at its first unlock and written as the current format', async () => {
      const { dir, ids } = await versionOne();
      const locked = await openStore(dir);
      expect(locked.listSystems()).toHaveLength(2);
      const store = await unlocked(dir);
      expect(ids.map((id) => store.recordChanged(id))).toEqual([false, false]);
      expect(store.credential(ids[0]).apiKey).toBe(KEY_A);
      expect(store.listLeftovers()[0]?.verified).toBe(true);
      const file = await readJson(keyringPath(dir));
      expect(file.version).toBe(2);
      expect(Object.keys(file.keyring.auth.systems).sort()).toEqual([...ids].sort());
      // The next unlock finds the current format: no second upgrade.
      const again = await unlocked(dir);
      expect(again.credential(ids[1]).apiKey).toBe(KEY_B);
    });

    it('cannot be replayed: MACs stripped from an upgraded file leave every record changed', async () => {
      const { dir, ids } = await versionOne();
      await unlocked(dir);
      await editFile(keyringPath(dir), (file) => {
        system(file, ids[0]).address = 'evil.example';
        file.keyring.auth = { systems: {}, entries: {}, leftovers: {} };
      });
      const store = await unlocked(dir);
      expect(ids.map((id) => store.recordChanged(id))).toEqual([true, true]);
      expect(store.listLeftovers()[0]?.verified).toBe(false);
    });
  });
});
