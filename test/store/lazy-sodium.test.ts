import { describe, expect, it } from 'vitest';
import { builtModule, runForbidding } from '../client/helpers/forbidden-imports.js';
import { FAST_KDF, dataDirIn, meta, openStore, useTempDirs } from './helpers.js';

const SODIUM = ['libsodium-wrappers-sumo'];

describe('libsodium loads only when a keyring is used', () => {
  const tempDir = useTempDirs();

  /** Code that opens `dataDir` in a child, then runs `then` with `store` in scope. */
  const inChild = (dataDir: string, then: string) => `
    const { KeyringStore } = await import(${JSON.stringify(builtModule('store/keyring-store.js'))});
    const store = await KeyringStore.open(${JSON.stringify(dataDir)}, { kdf: ${JSON.stringify(FAST_KDF)} });
    ${then}`;

  async function lockedKeyring(): Promise<{ dir: string; systemId: string }> {
    const dir = dataDirIn(await tempDir());
    const store = await openStore(dir);
    const system = await store.addSystem({ name: 'nas', address: 'nas.lan' });
    await store.createKeyring('home', 'correct horse');
    await store.storeKey(system.id, '1-secret', meta(1));
    store.lock();
    return { dir, systemId: system.id };
  }

  it('not for a locked start, which needs no file lock either: open, list, reload', async () => {
    const { dir } = await lockedKeyring();
    const outcome = await runForbidding(
      [...SODIUM, 'proper-lockfile'],
      inChild(
        dir,
        `if (store.keyringState() !== 'locked') throw new Error('expected a locked keyring');
        store.listSystems();
        store.listEntries();
        await store.reload();`,
      ),
    );
    expect(outcome.stderr).toBe('');
    expect(outcome.ok).toBe(true);
  });

  it('not for changes that need no secret: a new name, forgetting a key; nor to refuse one that does', async () => {
    const { dir, systemId } = await lockedKeyring();
    const outcome = await runForbidding(
      SODIUM,
      inChild(
        dir,
        `await store.updateSystem(${JSON.stringify(systemId)}, { name: 'renamed' });
        await store.removeKey(${JSON.stringify(systemId)});
        if (store.hasEntry(${JSON.stringify(systemId)})) throw new Error('key not forgotten');
        const refused = await store.addSystem({ name: 'other', address: 'other.lan' }).then(() => null, (error) => error);
        if (refused?.code !== 'LOCKED') throw new Error('a new system was accepted without the keyring to vouch for it');`,
      ),
    );
    expect(outcome.stderr).toBe('');
    expect(outcome.ok).toBe(true);
  });

  it('but for creating a keyring (the guard itself works)', async () => {
    const outcome = await runForbidding(SODIUM, inChild(dataDirIn(await tempDir()), `await store.createKeyring('home', 'pw');`));
    expect(outcome.ok).toBe(false);
    expect(outcome.stderr).toContain('forbidden import: libsodium-wrappers-sumo');
  });
});
