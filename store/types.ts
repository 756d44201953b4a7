// Shared shapes of what the keyring file holds. Nothing here is secret.

/** A TrueNAS system the user has added. Lives in the same file as the keyring. */
export interface SystemRecord {
  /** Stable random id (uuid); sealed into the system's entry so entries cannot be swapped. */
  id: string;
  /** Display name (defaults to the server's hostname). */
  name: string;
  /** What the user typed, normalised: `host`, `host:port` or `https://host[:port]`. */
  address: string;
  /** Pinned SHA-256 fingerprint of the server certificate, upper-case hex with colons. */
  fingerprint?: string;
  /** Transport found by discovery, remembered between runs. */
  transport?: 'jsonrpc' | 'rest';
  /** Username the stored key belongs to (also kept in entry metadata). */
  username?: string;
  /**
   * Set once the system accepted a SCRAM key login: it never gets the plain key again, so a
   * server (or a man in the middle) that stops offering SCRAM cannot downgrade the login.
   */
  login?: 'scram';
}

/** The fields of a system record the keyring authenticates (all but the display name). */
export const AUTHENTICATED_SYSTEM_FIELDS = ['address', 'fingerprint', 'transport', 'username', 'login'] as const;

/** Plain metadata of a stored key: enough to revoke it or to list it after a reset. */
export interface EntryMeta {
  keyId: number;
  keyName: string;
  username: string;
  /** ISO-8601 time the entry was stored. */
  storedAt: string;
}

export type EntryState = 'stored' | 'damaged';

export interface EntryInfo {
  systemId: string;
  meta: EntryMeta;
  /** `damaged` only once an unlock has tried to open it; a locked keyring reports `stored`. */
  state: EntryState;
}

/**
 * Why a key tnc minted is recorded as still on a server:
 * - `pending`: recorded before `api_key.create` was sent; the id is not known (yet);
 * - `unstored`: minted, never stored (no keyring unlocked), and could not be deleted;
 * - `undeleted`: replaced or removed, and deleting it on the server failed;
 * - `reset`: the keyring holding it was reset.
 */
export type LeftoverWhy = 'pending' | 'unstored' | 'undeleted' | 'reset';

/** An API key tnc minted that is still on a server but no longer usable by tnc. */
export interface LeftoverKey {
  systemId: string;
  systemName: string;
  address: string;
  /** null while the key is pending: its name is known before the server gives it an id. */
  keyId: number | null;
  keyName: string;
  username: string;
  why: LeftoverWhy;
}

/** A leftover as the store lists it: `verified` when the unlocked keyring vouches for it. */
export interface LeftoverInfo extends LeftoverKey {
  verified: boolean;
}

export interface KdfParams {
  opslimit: number;
  /** Bytes. */
  memlimit: number;
}

export const DEFAULT_KDF: KdfParams = { opslimit: 3, memlimit: 256 * 1024 * 1024 };
export const KDF_BOUNDS = {
  opslimit: { min: 1, max: 10 },
  memlimit: { min: 8 * 1024 * 1024, max: 1024 * 1024 * 1024 },
} as const;
