// What the keyring file holds, as written by this version of tnc. Nothing here is secret.
import type { SealedBox } from './crypto.js';
import type { KDF_ALG } from './kdf.js';
import type { EntryMeta, KdfParams, LeftoverKey, SystemRecord } from './types.js';

export const FILE_FORMAT = 'tnc-keyring';
export const FILE_VERSION = 1;

export interface StoredEntry extends SealedBox {
  meta: EntryMeta;
}

export interface KdfRecord extends KdfParams {
  alg: typeof KDF_ALG;
  /** base64 of SALT_BYTES random bytes */
  salt: string;
}

export interface KeyringRecord {
  name: string;
  kdf: KdfRecord;
  /** The data key, sealed with the passphrase-derived key. */
  wrappedKey: SealedBox;
  /** By system id: that system's API key, sealed with the data key. */
  entries: Record<string, StoredEntry>;
}

export interface KeyringFile {
  format: typeof FILE_FORMAT;
  version: typeof FILE_VERSION;
  systems: SystemRecord[];
  keyring: KeyringRecord | null;
  leftovers: LeftoverKey[];
}

export function emptyKeyringFile(): KeyringFile {
  return { format: FILE_FORMAT, version: FILE_VERSION, systems: [], keyring: null, leftovers: [] };
}
