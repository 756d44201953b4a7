import { describe, expect, it } from 'vitest';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { dataDirIn, keyringPath, meta, openStore, readJson, useTempDirs } from './helpers.js';

const PASSPHRASE = 'Tr0ub4dor&3-known-passphrase';
const API_KEY = '42-Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG9mcmVkcGx1Z3h5';

async function allFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) found.push(...(await allFiles(path)));
    else found.push(path);
  }
  return found;
}

/** The data key, recovered the way only the passphrase holder can: from the file. */
async function dataKeyFromFile(path: string): Promise<Uint8Array> {
  await sodium.ready;
  const { kdf, wrappedKey } = (await readJson(path)).keyring;
  const from64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
  const derived = sodium.crypto_pwhash(32, PASSPHRASE, from64(kdf.salt), kdf.opslimit, kdf.memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
  // A format byte, then the key.
  return sodium.crypto_secretbox_open_easy(from64(wrappedKey.box), from64(wrappedKey.nonce), derived).slice(1);
}

function encodings(secret: Uint8Array): string[] {
  const buffer = Buffer.from(secret);
  return [buffer.toString('latin1'), buffer.toString('base64'), buffer.toString('base64url'), buffer.toString('hex'), buffer.toString('hex').toUpperCase()];
}

describe('secrets on disk', () => {
  const tempDir = useTempDirs();

  it('no file in the data directory holds the API key, the passphrase or the data key in any usual encoding', async () => {
    const dataDir = dataDirIn(await tempDir());
    const store = await openStore(dataDir);
    const system = await store.addSystem({ name: 'nas', address: 'nas.lan' });
    await store.createKeyring('home', PASSPHRASE);
    await store.storeKey(system.id, API_KEY, meta(42));
    await store.changePassphrase(PASSPHRASE, PASSPHRASE);
    store.lock();

    const dataKey = await dataKeyFromFile(keyringPath(dataDir));
    expect(dataKey).toHaveLength(32);
    const needles = [
      ...encodings(new TextEncoder().encode(API_KEY)),
      ...encodings(new TextEncoder().encode(PASSPHRASE)),
      ...encodings(dataKey),
      // The API key's secret part alone, without the id prefix.
      API_KEY.split('-')[1]!,
    ];
    const files = await allFiles(dataDir);
    expect(files).toEqual([keyringPath(dataDir)]);
    for (const file of files) {
      const content = (await readFile(file)).toString('latin1');
      for (const needle of needles) expect(content.includes(needle), `${file} contains a secret`).toBe(false);
    }
  });
});
