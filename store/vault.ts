// The envelope: a random data key wrapped by the passphrase-derived key, and per-system entries
// sealed with the data key. Holds the secrets of an unlocked keyring; zero() forgets them.
import { setImmediate } from 'node:timers/promises';
import { DamagedEntryError, NotFoundError, StoreError, WrongPassphraseError } from './errors.js';
import {
  KEY_BYTES,
  SALT_BYTES,
  fromBase64,
  memzero,
  openBox,
  randomBytes,
  sameSealedBox,
  seal,
  sodiumReady,
  toBase64,
  type SealedBox,
} from './crypto.js';
import { KDF_ALG, deriveKey } from './kdf.js';
import type { KdfRecord, KeyringRecord, StoredEntry } from './file-format.js';
import { RecordTrust } from './integrity.js';
import type { KdfParams } from './types.js';

/** What a passphrase protects: written to the file as the keyring's `kdf` and `wrappedKey`. */
export interface Wrapping {
  kdf: KdfRecord;
  wrappedKey: SealedBox;
}

type OpenedEntry = { sealed: SealedBox; apiKey: Uint8Array } | { sealed: SealedBox; damaged: true };

const ENTRY_FORMAT = 1;

/**
 * The wrapped data key is a format byte then the key. Format 1 files wrapped the bare key:
 * such a keyring has never had its records authenticated, and its first unlock does so and
 * re-wraps. An attacker cannot turn a wrapped key back into the bare form without the
 * passphrase, so the upgrade cannot be replayed to get edited records vouched for.
 */
const WRAP_FORMAT = 2;
/** Plaintext sizes of a wrapped key: bare (file format 1) and with its format byte. */
export const WRAPPED_KEY_BYTES: readonly number[] = [KEY_BYTES, KEY_BYTES + 1];

/**
 * Entries opened per turn of the event loop while unlocking: 1,000 at once blocked the UI for
 * 10 to 40 ms; a hundred take a few milliseconds.
 */
const OPEN_CHUNK = 100;

export class UnlockedVault {
  private readonly opened = new Map<string, OpenedEntry>();
  /** Which records of the file this keyring vouches for. */
  readonly trust: RecordTrust;
  /**
   * Set when the keyring was unlocked from file format 1: its records were never
   * authenticated, and the store must vouch for them and write this wrapping instead.
   */
  upgradedWrapping: Wrapping | null = null;

  private constructor(
    private readonly dataKey: Uint8Array,
    /** The wrapping this vault was unlocked from; another wrapping means the keyring changed. */
    private wrapping: Wrapping,
  ) {
    this.trust = new RecordTrust(dataKey);
  }

  /** A new keyring: a fresh data key, wrapped under the passphrase. */
  static async create(passphrase: string, params: KdfParams): Promise<UnlockedVault> {
    const dataKey = randomBytes(KEY_BYTES);
    return new UnlockedVault(dataKey, await wrap(dataKey, passphrase, params));
  }

  /** Throws WrongPassphraseError when the passphrase does not open the wrapped key. */
  static async unlock(keyring: KeyringRecord, passphrase: string): Promise<UnlockedVault> {
    const { dataKey, upgradedBox } = await unwrap(keyring, passphrase);
    const vault = new UnlockedVault(dataKey, { kdf: keyring.kdf, wrappedKey: keyring.wrappedKey });
    if (upgradedBox) vault.upgradedWrapping = { kdf: keyring.kdf, wrappedKey: upgradedBox };
    const entries = Object.entries(keyring.entries);
    for (let start = 0; start < entries.length; start += OPEN_CHUNK) {
      if (start > 0) await setImmediate();
      vault.openMissing(entries.slice(start, start + OPEN_CHUNK));
    }
    return vault;
  }

  /** The data key re-wrapped under a new passphrase; entries are untouched. */
  static async rewrap(keyring: KeyringRecord, oldPassphrase: string, newPassphrase: string, params: KdfParams): Promise<Wrapping> {
    const { dataKey } = await unwrap(keyring, oldPassphrase);
    try {
      return await wrap(dataKey, newPassphrase, params);
    } finally {
      memzero(dataKey);
    }
  }

  get currentWrapping(): Wrapping {
    return this.wrapping;
  }

  /** Whether the file's keyring is still the one this vault was unlocked from. */
  matches(keyring: KeyringRecord | null): boolean {
    return keyring !== null && sameSealedBox(keyring.wrappedKey, this.wrapping.wrappedKey);
  }

  /** After this vault's keyring got a new wrapping (a passphrase change). */
  rewrapped(wrapping: Wrapping): void {
    this.wrapping = wrapping;
  }

  /** Opens entries that are new or changed in the file and forgets those that are gone. */
  sync(keyring: KeyringRecord): void {
    for (const [systemId, entry] of this.opened) {
      const current = keyring.entries[systemId];
      if (!current || !sameSealedBox(current, entry.sealed)) this.forget(systemId);
    }
    this.openMissing(Object.entries(keyring.entries));
  }

  isDamaged(systemId: string): boolean {
    const entry = this.opened.get(systemId);
    return entry !== undefined && 'damaged' in entry;
  }

  /** Seals an API key for one system and remembers it as opened. */
  seal(systemId: string, apiKey: string): SealedBox {
    const keyBytes = new TextEncoder().encode(apiKey);
    const plaintext = packEntry(systemId, keyBytes);
    const sealed = seal(this.dataKey, plaintext);
    memzero(plaintext);
    this.forget(systemId);
    this.opened.set(systemId, { sealed, apiKey: keyBytes });
    return sealed;
  }

  apiKey(systemId: string): string {
    const entry = this.opened.get(systemId);
    if (!entry) throw new NotFoundError(`A stored key for system ${systemId}`);
    if ('damaged' in entry) throw new DamagedEntryError(systemId);
    return new TextDecoder().decode(entry.apiKey);
  }

  forget(systemId: string): void {
    const entry = this.opened.get(systemId);
    if (entry && 'apiKey' in entry) memzero(entry.apiKey);
    this.opened.delete(systemId);
  }

  zero(): void {
    for (const systemId of [...this.opened.keys()]) this.forget(systemId);
    this.trust.zero();
    memzero(this.dataKey);
  }

  private openMissing(entries: ReadonlyArray<[string, StoredEntry]>): void {
    for (const [systemId, entry] of entries) {
      if (!this.opened.has(systemId)) this.opened.set(systemId, this.openEntry(systemId, entry));
    }
  }

  private openEntry(systemId: string, entry: StoredEntry): OpenedEntry {
    const sealed = { nonce: entry.nonce, box: entry.box };
    const plaintext = openBox(this.dataKey, sealed);
    const apiKey = plaintext && unpackEntry(systemId, plaintext);
    if (plaintext) memzero(plaintext);
    return apiKey ? { sealed, apiKey } : { sealed, damaged: true };
  }
}

// wrap and unwrap start loading libsodium first: it loads on this thread while the KDF worker
// derives, so an unlock takes no longer for it.
async function wrap(dataKey: Uint8Array, passphrase: string, params: KdfParams): Promise<Wrapping> {
  const salt = randomBytes(SALT_BYTES);
  const ready = sodiumReady();
  const derivedKey = await deriveKey(passphrase, salt, params);
  try {
    await ready;
    return {
      kdf: { alg: KDF_ALG, opslimit: params.opslimit, memlimit: params.memlimit, salt: toBase64(salt) },
      wrappedKey: sealDataKey(derivedKey, dataKey),
    };
  } finally {
    memzero(derivedKey);
  }
}

function sealDataKey(derivedKey: Uint8Array, dataKey: Uint8Array): SealedBox {
  const plaintext = new Uint8Array(1 + dataKey.length);
  plaintext[0] = WRAP_FORMAT;
  plaintext.set(dataKey, 1);
  try {
    return seal(derivedKey, plaintext);
  } finally {
    memzero(plaintext);
  }
}

/** The data key; a format 1 wrapping comes with its replacement in the current format. */
async function unwrap(keyring: KeyringRecord, passphrase: string): Promise<{ dataKey: Uint8Array; upgradedBox?: SealedBox }> {
  const ready = sodiumReady();
  const derivedKey = await deriveKey(passphrase, fromBase64(keyring.kdf.salt), keyring.kdf);
  try {
    await ready;
    const plaintext = openBox(derivedKey, keyring.wrappedKey);
    if (!plaintext) throw new WrongPassphraseError();
    if (plaintext.length === KEY_BYTES) return { dataKey: plaintext, upgradedBox: sealDataKey(derivedKey, plaintext) };
    const dataKey = plaintext.slice(1);
    const format = plaintext[0];
    memzero(plaintext);
    if (format !== WRAP_FORMAT || dataKey.length !== KEY_BYTES) {
      memzero(dataKey);
      throw new StoreError('FILE', 'The keyring\'s wrapped key has an unknown format (written by a newer tnc?)');
    }
    return { dataKey };
  } finally {
    memzero(derivedKey);
  }
}

// Entry plaintext: format byte, system id length (2 bytes), system id, API key — all UTF-8.
// Binary rather than JSON so the API key never becomes an unzeroable string on the way.
function packEntry(systemId: string, apiKey: Uint8Array): Uint8Array {
  const id = new TextEncoder().encode(systemId);
  const packed = new Uint8Array(3 + id.length + apiKey.length);
  packed[0] = ENTRY_FORMAT;
  new DataView(packed.buffer).setUint16(1, id.length);
  packed.set(id, 3);
  packed.set(apiKey, 3 + id.length);
  return packed;
}

/** The API key bytes, or null when the entry was sealed for another system (moved) or is malformed. */
function unpackEntry(systemId: string, packed: Uint8Array): Uint8Array | null {
  if (packed.length < 3 || packed[0] !== ENTRY_FORMAT) return null;
  const idLength = new DataView(packed.buffer, packed.byteOffset).getUint16(1);
  const id = new TextEncoder().encode(systemId);
  if (idLength !== id.length || packed.length < 3 + idLength) return null;
  if (!id.every((byte, i) => packed[3 + i] === byte)) return null;
  return packed.slice(3 + idLength);
}
