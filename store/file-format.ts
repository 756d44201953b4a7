// What the keyring file holds, as written by this version of tnc. Nothing here is secret.
import type { SealedBox } from './crypto.js';
import type { KDF_ALG } from './kdf.js';
import type { EntryMeta, KdfParams, LeftoverKey, SystemRecord } from './types.js';

export const FILE_FORMAT = 'tnc-keyring';
/** 2: records authenticated by the keyring (`keyring.auth`), pending and failed-delete leftovers. */
export const FILE_VERSION = 2;

export interface StoredEntry extends SealedBox {
  meta: EntryMeta;
}

export interface KdfRecord extends KdfParams {
  alg: typeof KDF_ALG;
  /** base64 of SALT_BYTES random bytes */
  salt: string;
}

/**
 * MACs (base64) under a subkey of the data key, over the fields of each record that decide
 * where a key is sent or which keys are deleted (store/integrity.ts says which). They live
 * with the keyring, so a reset drops them with it.
 */
export interface RecordMacs {
  /** By system id. */
  systems: Record<string, string>;
  /** By system id, over the entry's metadata. */
  entries: Record<string, string>;
  /** By key name (unique per minted key). */
  leftovers: Record<string, string>;
}

export interface KeyringRecord {
  name: string;
  kdf: KdfRecord;
  /** The data key, sealed with the passphrase-derived key. */
  wrappedKey: SealedBox;
  /** By system id: that system's API key, sealed with the data key. */
  entries: Record<string, StoredEntry>;
  auth: RecordMacs;
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

export function emptyRecordMacs(): RecordMacs {
  return { systems: {}, entries: {}, leftovers: {} };
}
