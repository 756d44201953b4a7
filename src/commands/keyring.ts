// The keyring file as the subcommands use it: opened only when it exists (a script with a
// wrong --data-dir must not create one), unlocked with a passphrase from the terminal or a
// descriptor, and locked again however the command ends.
import { lstat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanText } from '../../store/clean-text.js';
import { KEYRING_FILE, KeyringStore } from '../../store/keyring-store.js';
import type { SystemRecord } from '../../store/types.js';
import { resolveDataDir } from '../cli-args.js';
import { originOf } from '../client/address.js';
import { CommandError } from './output.js';
import { readPassphrase } from './passphrase.js';

/** The store of the data directory SPEC §6 names; CommandError when it has no keyring file. */
export async function openKeyringFile(dataDirFlag: string | undefined): Promise<KeyringStore> {
  const dataDir = resolve(resolveDataDir(dataDirFlag, process.env, homedir()));
  const file = join(dataDir, KEYRING_FILE);
  try {
    await lstat(file);
  } catch (error) {
    // Anything but a missing file is for the store to name (it refuses symlinks, modes, …).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CommandError(`${file}: no such file (run tnc to add systems and create a keyring)`);
    }
  }
  return KeyringStore.open(dataDir);
}

export function requireKeyring(store: KeyringStore): void {
  if (store.keyringState() === 'none') throw new CommandError(`${store.filePath}: no keyring yet (create one in tnc)`);
}

/** Asks for the passphrase and unlocks; a wrong one is WrongPassphraseError, nothing written. */
export async function unlockKeyring(store: KeyringStore, passphraseFd: number | undefined): Promise<void> {
  requireKeyring(store);
  // The KDF worker loads while the passphrase is typed.
  store.prepareUnlock();
  const passphrase = await readPassphrase(passphraseFd, `Passphrase for keyring "${cleanText(store.keyringName())}": `);
  await store.unlock(passphrase);
}

/** The system a user means by a name or an address (names first); CommandError when none or several. */
export function findSystem(store: KeyringStore, wanted: string): SystemRecord {
  const systems = store.listSystems();
  let found = systems.filter((system) => system.name === wanted);
  if (found.length === 0) {
    const origin = originOf(wanted);
    found = origin === null ? [] : systems.filter((system) => originOf(system.address) === origin);
  }
  const shown = cleanText(wanted);
  if (found.length === 0) throw new CommandError(`no system named or at "${shown}" (tnc list shows them)`);
  if (found.length > 1) throw new CommandError(`"${shown}" names ${found.length} systems; give its address instead`);
  return found[0]!;
}

