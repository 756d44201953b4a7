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
}

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

/** An API key tnc minted that is still on a server but no longer usable by tnc. */
export interface LeftoverKey {
  systemId: string;
  systemName: string;
  address: string;
  keyId: number;
  keyName: string;
  username: string;
  /** Why it was left: the keyring was reset, or it was minted and never stored. */
  why: 'reset' | 'unstored';
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
