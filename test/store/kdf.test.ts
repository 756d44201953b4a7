import { describe, expect, it } from 'vitest';
import sodium from 'libsodium-wrappers-sumo';
import { deriveKey, prepareKdf } from '../../store/kdf.js';
import { KdfParamsError } from '../../store/errors.js';
import { KeyringStore } from '../../store/keyring-store.js';
import { DEFAULT_KDF } from '../../store/types.js';
import { FAST_KDF, dataDirIn, useTempDirs } from './helpers.js';

describe('Argon2id in a worker thread', () => {
  const tempDir = useTempDirs();

  it('derives what libsodium derives in-process', async () => {
    await sodium.ready;
    const salt = new Uint8Array(16).fill(7);
    const expected = sodium.crypto_pwhash(
      32,
      'pässphrase',
      salt,
      FAST_KDF.opslimit,
      FAST_KDF.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13,
    );
    expect(await deriveKey('pässphrase', salt, FAST_KDF)).toEqual(expected);
    // Decomposed input (a + combining diaeresis) is normalised to the same key.
    expect(await deriveKey('pa\u0308ssphrase', salt, FAST_KDF)).toEqual(expected);
    // And through a worker started ahead of time.
    prepareKdf();
    expect(await deriveKey('pässphrase', salt, FAST_KDF)).toEqual(expected);
  });

  it.each([
    { opslimit: 1e9, memlimit: FAST_KDF.memlimit },
    { opslimit: 1, memlimit: 64 * 1024 ** 3 },
    { opslimit: 0, memlimit: FAST_KDF.memlimit },
    { opslimit: 2.5, memlimit: FAST_KDF.memlimit },
  ])('refuses %o before starting a worker', async (params) => {
    await expect(deriveKey('x', new Uint8Array(16), params)).rejects.toThrow(KdfParamsError);
  });

  it('keeps the event loop turning during an unlock at the default parameters', async () => {
    const store = await KeyringStore.open(dataDirIn(await tempDir()), { kdf: DEFAULT_KDF });
    await store.createKeyring('default', 'correct horse');
    store.lock();

    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      await store.unlock('correct horse');
    } finally {
      clearInterval(timer);
    }
    expect(store.keyringState()).toBe('unlocked');
    // Argon2id at 256 MiB takes on the order of a second; a blocked loop would tick at most once.
    expect(ticks).toBeGreaterThan(10);
  });
});
