import { describe, expect, it } from 'vitest';
import { chmod, chown, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreFileError } from '../../store/errors.js';
import { FILE_FORMAT, FILE_VERSION } from '../../store/file-format.js';
import { dataDirIn, keyringPath, meta, openStore, snapshot, useTempDirs } from './helpers.js';

const VALID = JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, systems: [], keyring: null, leftovers: [] });

// Each case: the file's content (and mode), and the words the refusal must use.
const CASES: Array<[string, string, RegExp, number?]> = [
  ['empty', '', /empty/],
  ['truncated', VALID.slice(0, VALID.length - 7), /truncated/],
  ['invalid JSON', '{"format": "tnc-keyring",, }', /not valid JSON/],
  ['unknown format', JSON.stringify({ format: 'something-else', version: 1 }), /unknown format/],
  ['newer version', JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION + 1 }), new RegExp(`newer tnc.*version ${FILE_VERSION + 1}`)],
  ['wrong shape', JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, systems: {}, keyring: null, leftovers: [] }), /systems is not a list/],
  ['group/world-readable', VALID, /permissions 0644/, 0o644],
  ['group-writable', VALID, /permissions 0620/, 0o620],
];

describe('bad keyring files', () => {
  const tempDir = useTempDirs();

  /** `named`: the path the message must name (the file, or the data directory when it is the problem). */
  async function expectRefused(dataDir: string, path: string, problem: RegExp, named = path): Promise<void> {
    const before = await snapshot(path);
    const entriesBefore = await readdir(dataDir);
    const error = await openStore(dataDir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toContain(named);
    expect((error as Error).message).toMatch(problem);
    expect(await snapshot(path)).toEqual(before);
    expect(await readdir(dataDir)).toEqual(entriesBefore);
  }

  it.each(CASES)('refuses a file that is %s, leaving it untouched', async (_, content, problem, mode = 0o600) => {
    const dataDir = dataDirIn(await tempDir());
    await mkdir(dataDir, { mode: 0o700 });
    const path = keyringPath(dataDir);
    await writeFile(path, content);
    await chmod(path, mode);
    await expectRefused(dataDir, path, problem);
  });

  it('refuses a keyring file that is a symlink', async () => {
    const temp = await tempDir();
    const dataDir = dataDirIn(temp);
    await mkdir(dataDir, { mode: 0o700 });
    const target = join(temp, 'elsewhere.json');
    await writeFile(target, VALID, { mode: 0o600 });
    await symlink(target, keyringPath(dataDir));
    await expectRefused(dataDir, keyringPath(dataDir), /symbolic link/);
  });

  it('refuses a data directory that is a symlink', async () => {
    const temp = await tempDir();
    const real = join(temp, 'real');
    await mkdir(real, { mode: 0o700 });
    await writeFile(keyringPath(real), VALID, { mode: 0o600 });
    const dataDir = dataDirIn(temp);
    await symlink(real, dataDir);
    const error = await openStore(dataDir).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toContain(dataDir);
    expect((error as Error).message).toMatch(/data directory is a symbolic link/);
  });

  it.each([
    ['group-writable', 0o770],
    ['world-writable', 0o707],
    ['world-writable and sticky, like /tmp', 0o1777],
  ])('refuses a data directory that is %s (others could swap the file)', async (_, mode) => {
    const dataDir = dataDirIn(await tempDir());
    await mkdir(dataDir);
    await chmod(dataDir, mode);
    await writeFile(keyringPath(dataDir), VALID, { mode: 0o600 });
    await expectRefused(dataDir, keyringPath(dataDir), /data directory's permissions .* let other users replace files/, dataDir);
  });

  // Handing a file to another user takes root: elsewhere this case cannot be set up.
  const asRoot = process.getuid?.() === 0;
  const NOBODY = 65534;

  it.runIf(asRoot)('refuses a data directory owned by another user', async () => {
    const dataDir = dataDirIn(await tempDir());
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(keyringPath(dataDir), VALID, { mode: 0o600 });
    await chown(dataDir, NOBODY, NOBODY);
    await expectRefused(dataDir, keyringPath(dataDir), new RegExp(`data directory is owned by uid ${NOBODY}`), dataDir);
  });

  it.runIf(asRoot)('refuses a keyring file owned by another user', async () => {
    const dataDir = dataDirIn(await tempDir());
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(keyringPath(dataDir), VALID, { mode: 0o600 });
    await chown(keyringPath(dataDir), NOBODY, NOBODY);
    await expectRefused(dataDir, keyringPath(dataDir), new RegExp(`is owned by uid ${NOBODY}, not by you`));
  });

  it('refuses a keyring path that is a directory', async () => {
    const dataDir = dataDirIn(await tempDir());
    await mkdir(keyringPath(dataDir), { recursive: true });
    const error = await openStore(dataDir).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/not a regular file/);
  });

  it('refuses entries that belong to no system and entries with a short nonce', async () => {
    const dataDir = dataDirIn(await tempDir());
    const store = await openStore(dataDir);
    const system = await store.addSystem({ name: 'a', address: 'a.lan' });
    await store.createKeyring('k', 'pw');
    await store.storeKey(system.id, 'secret', meta(1));
    const path = keyringPath(dataDir);
    const good = JSON.parse((await snapshot(path)).bytes.toString('utf8'));

    const orphan = structuredClone(good);
    orphan.systems = [];
    await writeFile(path, JSON.stringify(orphan));
    await expectRefused(dataDir, path, /belongs to no listed system/);

    const shortNonce = structuredClone(good);
    shortNonce.keyring.entries[system.id].nonce = 'AAAA';
    await writeFile(path, JSON.stringify(shortNonce));
    await expectRefused(dataDir, path, /nonce does not hold 24 bytes/);
  });

  it('a file that turns bad after opening is refused on the next change, and not overwritten', async () => {
    const dataDir = dataDirIn(await tempDir());
    const store = await openStore(dataDir);
    await store.addSystem({ name: 'a', address: 'a.lan' });
    const path = keyringPath(dataDir);
    await writeFile(path, '{"format": "tnc-keyring", "vers');
    const before = await snapshot(path);
    await expect(store.addSystem({ name: 'b', address: 'b.lan' })).rejects.toThrow(/truncated/);
    await expect(store.reload()).rejects.toThrow(StoreFileError);
    expect(await snapshot(path)).toEqual(before);
  });

  it('a missing file is an empty store, created on the first write', async () => {
    const dataDir = dataDirIn(await tempDir());
    const store = await openStore(dataDir);
    expect(store.listSystems()).toEqual([]);
    expect(store.keyringState()).toBe('none');
    expect(await readdir(dataDir)).toEqual([]);
    await store.addSystem({ name: 'a', address: 'a.lan' });
    expect(await readdir(dataDir)).toEqual(['keyring.json']);
  });
});
