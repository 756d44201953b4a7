// The keyring vouches for the records that decide where a key is sent and which keys are
// deleted: a MAC per system record, per entry's metadata and per leftover, under a subkey
// of the data key. Anyone who can edit keyring.json but lacks the passphrase can break a
// record (it then shows `record changed` and is never contacted with a key) but cannot
// redirect a key or make tnc delete a key it did not mint.
import { authTag, authTagValid, deriveSubkey, memzero } from './crypto.js';
import type { KeyringFile, RecordMacs } from './file-format.js';
import type { EntryMeta, LeftoverKey, SystemRecord } from './types.js';

/** crypto_kdf context (exactly 8 bytes) and subkey id of the record MAC key. */
const CONTEXT = 'tncrecrd';
const SUBKEY_ID = 1;

// Canonical forms: JSON arrays of strings, numbers and nulls in a fixed order, each tagged
// with what it is, so no record's MAC can pass for another kind's.
function systemMessage(system: SystemRecord): string {
  return JSON.stringify([
    'tnc-system-1',
    system.id,
    system.address,
    system.fingerprint ?? null,
    system.transport ?? null,
    system.username ?? null,
    system.login ?? null,
  ]);
}

function entryMessage(systemId: string, meta: EntryMeta): string {
  return JSON.stringify(['tnc-entry-1', systemId, meta.keyId, meta.keyName, meta.username, meta.storedAt]);
}

function leftoverMessage(leftover: LeftoverKey): string {
  return JSON.stringify([
    'tnc-leftover-1',
    leftover.systemId,
    leftover.address,
    leftover.keyId,
    leftover.keyName,
    leftover.username,
    leftover.why,
  ]);
}

/**
 * Which records of a document this process changed, and so vouches for. A system and its
 * entry are vouched for separately: trusting a record again must not vouch for metadata
 * someone else wrote into its entry (only storing a new key does).
 */
export interface Touched {
  systems?: readonly string[];
  entries?: readonly string[];
  leftovers?: readonly string[];
}

export class RecordTrust {
  private readonly key: Uint8Array;
  /** Systems whose record or entry metadata fails its MAC. */
  private readonly changed = new Set<string>();
  /** Leftovers (by key name) whose MAC holds. */
  private readonly verifiedLeftovers = new Set<string>();
  /** The document object the sets were computed from: a re-read that changed nothing keeps it. */
  private checked: KeyringFile | undefined;

  constructor(dataKey: Uint8Array) {
    this.key = deriveSubkey(dataKey, SUBKEY_ID, CONTEXT);
  }

  /** Checks every record, unless `document` is the very object checked last. */
  verify(document: KeyringFile): void {
    if (document === this.checked) return;
    this.checked = document;
    this.changed.clear();
    this.verifiedLeftovers.clear();
    const auth = document.keyring?.auth;
    for (const system of document.systems) {
      if (!auth || !this.systemValid(document, auth, system)) this.changed.add(system.id);
    }
    for (const leftover of document.leftovers) {
      const tag = auth?.leftovers[leftover.keyName];
      if (tag !== undefined && authTagValid(this.key, leftoverMessage(leftover), tag)) {
        this.verifiedLeftovers.add(leftover.keyName);
      }
    }
  }

  /**
   * Sets the MACs of the records this process just changed (or created) and drops those of
   * records that are gone. Only a change made by tnc's own code may vouch for a record.
   */
  sign(document: KeyringFile, touched: Touched): void {
    const auth = document.keyring?.auth;
    if (!auth) return;
    this.checked = document;
    for (const id of touched.systems ?? []) {
      const system = document.systems.find((candidate) => candidate.id === id);
      if (system) auth.systems[id] = authTag(this.key, systemMessage(system));
      else delete auth.systems[id];
    }
    for (const id of touched.entries ?? []) {
      const entry = document.keyring?.entries[id];
      if (entry) auth.entries[id] = authTag(this.key, entryMessage(id, entry.meta));
      else delete auth.entries[id];
    }
    for (const id of new Set([...(touched.systems ?? []), ...(touched.entries ?? [])])) {
      const system = document.systems.find((candidate) => candidate.id === id);
      if (!system || this.systemValid(document, auth, system)) this.changed.delete(id);
      else this.changed.add(id);
    }
    for (const keyName of touched.leftovers ?? []) {
      const leftover = document.leftovers.find((candidate) => candidate.keyName === keyName);
      if (leftover) {
        auth.leftovers[keyName] = authTag(this.key, leftoverMessage(leftover));
        this.verifiedLeftovers.add(keyName);
      } else {
        delete auth.leftovers[keyName];
        this.verifiedLeftovers.delete(keyName);
      }
    }
  }

  /** Vouches for everything in the document: only when a keyring is made, or first unlocked after an upgrade. */
  signAll(document: KeyringFile): void {
    const auth = document.keyring?.auth;
    if (!auth) return;
    for (const name of Object.keys(auth) as (keyof RecordMacs)[]) auth[name] = {};
    const ids = document.systems.map((system) => system.id);
    this.sign(document, { systems: ids, entries: ids, leftovers: document.leftovers.map((leftover) => leftover.keyName) });
  }

  isChanged(systemId: string): boolean {
    return this.changed.has(systemId);
  }

  isVerifiedLeftover(keyName: string): boolean {
    return this.verifiedLeftovers.has(keyName);
  }

  zero(): void {
    memzero(this.key);
    this.checked = undefined;
  }

  private systemValid(document: KeyringFile, auth: RecordMacs, system: SystemRecord): boolean {
    const tag = auth.systems[system.id];
    if (tag === undefined || !authTagValid(this.key, systemMessage(system), tag)) return false;
    const entry = document.keyring?.entries[system.id];
    if (!entry) return true;
    const entryTag = auth.entries[system.id];
    return entryTag !== undefined && authTagValid(this.key, entryMessage(system.id, entry.meta), entryTag);
  }
}
