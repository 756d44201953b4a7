// The keyring store: systems, the encrypted keyring and leftover keys in one file, shared safely
// between tnc processes. Every change re-reads the file under the lock before writing it.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { KdfParamsError, LockedError, NotFoundError, RecordChangedError, StoreError, StoreFileError } from './errors.js';
import { KEY_BYTES, MAC_BYTES, sameSealedBox } from './crypto.js';
import { kdfParamsProblem, prepareKdf } from './kdf.js';
import { removeStaleTempFiles } from './atomic-write.js';
import { DEFAULT_LOCK_STALE_MS, withDirectoryLock } from './file-lock.js';
import { KeyringFileAdapter, checkDataDir } from './file-adapter.js';
import { emptyKeyringFile, emptyRecordMacs, type KeyringFile, type KeyringRecord, type StoredEntry } from './file-format.js';
import type { Touched } from './integrity.js';
import { UnlockedVault } from './vault.js';
import { validEntryMeta, validLeftover, validSystem } from './validate.js';
import {
  AUTHENTICATED_SYSTEM_FIELDS,
  DEFAULT_KDF,
  type EntryInfo,
  type EntryMeta,
  type KdfParams,
  type LeftoverInfo,
  type LeftoverKey,
  type SystemRecord,
} from './types.js';

export const KEYRING_FILE = 'keyring.json';

export interface KeyringStoreOptions {
  /** Argon2id parameters for a new keyring or a new passphrase; existing ones keep theirs. */
  kdf?: KdfParams;
  /** How long a lock left by a killed tnc blocks the others (default 10 s, at least 2 s). */
  lockStaleMs?: number;
}

export type KeyringState = 'none' | 'locked' | 'unlocked';

/** A stored key with the authenticated record it may be sent to. */
export interface StoredCredential {
  system: SystemRecord;
  meta: EntryMeta;
  apiKey: string;
}

/** What a change did to records the keyring vouches for; filled in by the change itself. */
interface ChangeLog {
  touched: { systems: string[]; entries: string[]; leftovers: string[] };
}

const unlockedStores = new Set<KeyringStore>();

/** Locks (zeroes the secrets of) every unlocked store; also runs by itself at process exit. */
export function lockAll(): void {
  for (const store of unlockedStores) store.lock();
}

export class KeyringStore {
  readonly filePath: string;
  private readonly adapter: KeyringFileAdapter;
  private readonly db: Low<KeyringFile>;
  private vault: UnlockedVault | null = null;
  // Operations of one store run one at a time, so a reload cannot swap the document out from
  // under a change that is being written.
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    private readonly kdf: KdfParams,
    private readonly lockStaleMs: number,
  ) {
    this.filePath = join(dataDir, KEYRING_FILE);
    this.adapter = new KeyringFileAdapter(dataDir, this.filePath);
    this.db = new Low(this.adapter, emptyKeyringFile());
  }

  /** Creates the data directory (0700) if needed and reads the file; a bad file is a StoreFileError. */
  static async open(dataDir: string, options: KeyringStoreOptions = {}): Promise<KeyringStore> {
    const kdf = options.kdf ?? DEFAULT_KDF;
    const problem = kdfParamsProblem(kdf);
    if (problem) throw new KdfParamsError(problem);
    const directory = resolve(dataDir);
    if (!(await checkDataDir(directory))) {
      await mkdir(directory, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
        throw new StoreFileError(directory, `the data directory cannot be created (${error.code ?? 'error'})`);
      });
    }
    const store = new KeyringStore(directory, kdf, Math.max(2_000, options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS));
    await store.db.read();
    return store;
  }

  /** Re-reads the file (another process may have written). Locks if the keyring was replaced. */
  reload(): Promise<void> {
    return this.serial(async () => {
      await this.db.read();
      this.syncVault();
    });
  }

  listSystems(): SystemRecord[] {
    return this.db.data.systems.map((system) => ({ ...system }));
  }

  getSystem(id: string): SystemRecord | undefined {
    const system = this.db.data.systems.find((candidate) => candidate.id === id);
    return system && { ...system };
  }

  /** With a keyring the new record must be authenticated: LockedError while it is locked. */
  addSystem(input: Omit<SystemRecord, 'id'>): Promise<SystemRecord> {
    return this.change((document, log) => {
      const system = validSystem({ ...input, id: randomUUID() });
      document.systems.push(system);
      log.touched.systems.push(system.id);
      return { ...system };
    });
  }

  /**
   * A field patched to `undefined` is removed. A patch that names what the keyring
   * authenticates (address, fingerprint, transport, username, login) vouches for the record
   * anew, so it needs the keyring unlocked when there is one (LockedError); a new name does not.
   */
  updateSystem(id: string, patch: Partial<Omit<SystemRecord, 'id'>>): Promise<SystemRecord> {
    return this.change((document, log) => {
      const index = document.systems.findIndex((candidate) => candidate.id === id);
      if (index < 0) throw new NotFoundError(`System ${id}`);
      const before = document.systems[index]!;
      const system = validSystem({ ...before, ...patch, id });
      document.systems[index] = system;
      // Naming a field is vouching for it, even unchanged: trusting the same pin again after
      // someone else edited the record is how the user takes it back.
      if (AUTHENTICATED_SYSTEM_FIELDS.some((field) => Object.hasOwn(patch, field))) log.touched.systems.push(id);
      return { ...system };
    });
  }

  /** Also drops the system's entry and its leftovers. Removing an unknown system does nothing. */
  removeSystem(id: string): Promise<void> {
    return this.change((document, log) => {
      document.systems = document.systems.filter((system) => system.id !== id);
      if (document.keyring) delete document.keyring.entries[id];
      const [gone, kept] = partition(document.leftovers, (leftover) => leftover.systemId === id);
      document.leftovers = kept;
      log.touched.systems.push(id);
      log.touched.entries.push(id);
      log.touched.leftovers.push(...gone.map((leftover) => leftover.keyName));
    });
  }

  /**
   * True when the file's record of this system (or of its stored key) is not the one the
   * unlocked keyring vouches for: someone else edited it. Such a system gets no key and no
   * delete until the user trusts it again. Only known while unlocked (false otherwise).
   */
  recordChanged(id: string): boolean {
    return this.vault?.trust.isChanged(id) ?? false;
  }

  keyringState(): KeyringState {
    if (!this.db.data.keyring) return 'none';
    return this.vault ? 'unlocked' : 'locked';
  }

  keyringName(): string | null {
    return this.db.data.keyring?.name ?? null;
  }

  /** Ends unlocked. Throws StoreError KEYRING_EXISTS if the file already has a keyring. */
  async createKeyring(name: string, passphrase: string): Promise<void> {
    if (this.db.data.keyring) throw keyringExists();
    // Derived outside the queue: the other operations need not wait for the KDF.
    const vault = await UnlockedVault.create(passphrase, this.kdf);
    try {
      await this.serial(async () => {
        await this.locked(vault, (document) => {
          if (document.keyring) throw keyringExists();
          document.keyring = { name, ...vault.currentWrapping, entries: {}, auth: emptyRecordMacs() };
          // Nothing vouched for the records before: the user creating the keyring takes the
          // list as it is (the README says to check it first).
          vault.trust.signAll(document);
        });
        this.adopt(vault);
      });
    } catch (error) {
      vault.zero();
      throw error;
    }
  }

  /**
   * WrongPassphraseError leaves the file unwritten; entries that fail to open are marked
   * damaged, records that fail their MAC are reported by `recordChanged`. A keyring from file
   * format 1 has its records authenticated now, once, and is re-wrapped.
   */
  async unlock(passphrase: string): Promise<void> {
    await this.reload();
    const keyring = this.requireKeyring();
    const vault = await UnlockedVault.unlock(keyring, passphrase);
    try {
      await this.serial(async () => {
        if (!vault.matches(this.db.data.keyring)) throw changedWhileUnlocking();
        const upgraded = vault.upgradedWrapping;
        if (upgraded) {
          await this.locked(vault, (document) => {
            if (!vault.matches(document.keyring)) throw changedWhileUnlocking();
            document.keyring!.wrappedKey = upgraded.wrappedKey;
            vault.rewrapped(upgraded);
            vault.upgradedWrapping = null;
            vault.trust.signAll(document);
          });
        }
        this.adopt(vault);
      });
    } catch (error) {
      if (this.vault !== vault) vault.zero();
      throw error;
    }
  }

  /** Call when the passphrase is about to be asked for: unlock then starts deriving at once. */
  prepareUnlock(): void {
    prepareKdf();
  }

  /** Zeroes the data key and every opened API key. */
  lock(): void {
    this.vault?.zero();
    this.vault = null;
    unlockedStores.delete(this);
  }

  /** Re-wraps the data key only; entries stay as they are. Keeps the locked/unlocked state. */
  async changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    await this.reload();
    const keyring = this.requireKeyring();
    const wrapping = await UnlockedVault.rewrap(keyring, oldPassphrase, newPassphrase, this.kdf);
    await this.change((document) => {
      if (keyringNeedsUpgrade(keyring)) {
        throw new StoreError('CONFLICT', 'Unlock the keyring once (to authenticate its records) before changing its passphrase');
      }
      if (!document.keyring || !sameSealedBox(document.keyring.wrappedKey, keyring.wrappedKey)) {
        throw new StoreError('CONFLICT', 'The keyring was changed by another tnc meanwhile; try again');
      }
      document.keyring.kdf = wrapping.kdf;
      document.keyring.wrappedKey = wrapping.wrappedKey;
      this.vault?.rewrapped(wrapping);
    });
  }

  /** Drops the keyring and every entry; the entries' keys become leftovers (why 'reset'), returned. */
  reset(): Promise<LeftoverKey[]> {
    return this.change((document) => {
      // Their MACs go with the keyring: nothing vouches for these leftovers any more.
      const leftovers = Object.entries(document.keyring?.entries ?? {}).map(([systemId, { meta }]) => {
        const system = document.systems.find((candidate) => candidate.id === systemId);
        return {
          systemId,
          systemName: system?.name ?? '',
          address: system?.address ?? '',
          keyId: meta.keyId,
          keyName: meta.keyName,
          username: meta.username,
          why: 'reset' as const,
        };
      });
      document.keyring = null;
      addLeftovers(document, leftovers);
      return leftovers;
    });
  }

  listEntries(): EntryInfo[] {
    return Object.entries(this.db.data.keyring?.entries ?? {}).map(([systemId, entry]) => this.entryInfo(systemId, entry));
  }

  /** One system's entry without listing them all (a poll of 1,000 systems asks 1,000 times). */
  getEntry(systemId: string): EntryInfo | undefined {
    return this.hasEntry(systemId) ? this.entryInfo(systemId, this.db.data.keyring!.entries[systemId]!) : undefined;
  }

  hasEntry(systemId: string): boolean {
    return Object.hasOwn(this.db.data.keyring?.entries ?? {}, systemId);
  }

  /**
   * Needs the keyring unlocked (LockedError) and the system listed (NotFoundError). The user
   * signed in to the system as it is listed now: storing its key vouches for the record too.
   */
  storeKey(systemId: string, apiKey: string, meta: EntryMeta): Promise<void> {
    return this.change((document, log) => {
      const vault = this.requireUnlocked();
      if (!document.systems.some((system) => system.id === systemId)) throw new NotFoundError(`System ${systemId}`);
      const checkedMeta = validEntryMeta(meta);
      (document.keyring as KeyringRecord).entries[systemId] = { ...vault.seal(systemId, apiKey), meta: checkedMeta };
      log.touched.systems.push(systemId);
      log.touched.entries.push(systemId);
      // A key stored is no longer pending or unstored: in the same write, so no crash can
      // leave a record that would later get the stored key deleted as a leftover.
      const [stored, others] = partition(document.leftovers, (leftover) => leftover.keyName === checkedMeta.keyName);
      document.leftovers = others;
      log.touched.leftovers.push(...stored.map((leftover) => leftover.keyName));
    });
  }

  /**
   * A stored key with the record it belongs to, when the keyring vouches for both:
   * LockedError, NotFoundError (no entry), DamagedEntryError or RecordChangedError.
   */
  credential(systemId: string): StoredCredential {
    const vault = this.requireUnlocked();
    const system = this.getSystem(systemId);
    const entry = this.db.data.keyring?.entries[systemId];
    if (!system || !entry) throw new NotFoundError(`A stored key for system ${systemId}`);
    if (vault.trust.isChanged(systemId)) throw new RecordChangedError(systemId);
    return { system, meta: { ...entry.meta }, apiKey: vault.apiKey(systemId) };
  }

  /** Works locked too: forgetting a key needs no secret. */
  removeKey(systemId: string): Promise<void> {
    return this.change((document, log) => {
      if (document.keyring) delete document.keyring.entries[systemId];
      log.touched.entries.push(systemId);
    });
  }

  /** `verified`: the unlocked keyring vouches for the record, so tnc may act on it by itself. */
  listLeftovers(): LeftoverInfo[] {
    return this.db.data.leftovers.map((leftover) => ({
      ...leftover,
      verified: this.vault?.trust.isVerifiedLeftover(leftover.keyName) ?? false,
    }));
  }

  /** Records a key by its name; recording the same name again replaces the record (a pending key got its id). */
  putLeftover(key: LeftoverKey): Promise<void> {
    return this.change((document, log) => {
      const leftover = validLeftover(key);
      const index = document.leftovers.findIndex((known) => known.keyName === leftover.keyName);
      if (index < 0) document.leftovers.push(leftover);
      else document.leftovers[index] = leftover;
      log.touched.leftovers.push(leftover.keyName);
    });
  }

  removeLeftover(keyName: string): Promise<void> {
    return this.change((document, log) => {
      document.leftovers = document.leftovers.filter((leftover) => leftover.keyName !== keyName);
      log.touched.leftovers.push(keyName);
    });
  }

  private entryInfo(systemId: string, entry: StoredEntry): EntryInfo {
    return { systemId, meta: { ...entry.meta }, state: this.vault?.isDamaged(systemId) ? 'damaged' : 'stored' };
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private change<T>(apply: (document: KeyringFile, log: ChangeLog) => T): Promise<T> {
    return this.serial(() => this.locked(undefined, apply));
  }

  /**
   * Lock, re-read, apply, authenticate what `apply` changed, write, unlock. When `apply`
   * throws, nothing is written. The change is vouched for by `newVault` (a keyring being
   * made or upgraded, not adopted yet) or else by the store's vault as the re-read left it:
   * none when the keyring is locked, or was re-wrapped or replaced by another tnc, and then
   * a change to an authenticated record is refused.
   */
  private locked<T>(newVault: UnlockedVault | undefined, apply: (document: KeyringFile, log: ChangeLog) => T): Promise<T> {
    return withDirectoryLock(
      this.dataDir,
      async () => {
        await removeStaleTempFiles(this.filePath);
        await this.db.read();
        this.syncVault();
        const vault = newVault ?? this.vault;
        newVault?.trust.verify(this.db.data);
        try {
          const log: ChangeLog = { touched: { systems: [], entries: [], leftovers: [] } };
          const result = apply(this.db.data, log);
          authenticate(this.db.data, log.touched, vault);
          await this.db.write();
          return result;
        } catch (error) {
          // Back to what is on disk, so memory never shows a change that was not saved.
          this.adapter.forget();
          await this.db.read().catch(() => undefined);
          throw error;
        } finally {
          this.syncVault();
        }
      },
      this.lockStaleMs,
    );
  }

  /** Keeps opened entries in step with the file; a replaced or removed keyring locks. */
  private syncVault(): void {
    if (!this.vault) return;
    const keyring = this.db.data.keyring;
    if (keyring && this.vault.matches(keyring)) {
      this.vault.sync(keyring);
      this.vault.trust.verify(this.db.data);
    } else {
      this.lock();
    }
  }

  private adopt(vault: UnlockedVault): void {
    this.vault?.zero();
    this.vault = vault;
    this.syncVault();
    if (!exitHookInstalled) {
      process.once('exit', lockAll);
      exitHookInstalled = true;
    }
    unlockedStores.add(this);
  }

  private requireKeyring(): KeyringRecord {
    const keyring = this.db.data.keyring;
    if (!keyring) throw new StoreError('NO_KEYRING', 'No keyring exists');
    return keyring;
  }

  private requireUnlocked(): UnlockedVault {
    if (!this.vault) throw new LockedError(this.db.data.keyring ? 'The keyring is locked' : 'No keyring exists');
    return this.vault;
  }
}

let exitHookInstalled = false;

function keyringExists(): StoreError {
  return new StoreError('KEYRING_EXISTS', 'A keyring already exists');
}

function changedWhileUnlocking(): StoreError {
  return new StoreError('CONFLICT', 'The keyring was changed by another tnc while unlocking; try again');
}

function addLeftovers(document: KeyringFile, leftovers: LeftoverKey[]): void {
  for (const leftover of leftovers) {
    if (!document.leftovers.some((known) => known.keyName === leftover.keyName)) document.leftovers.push(leftover);
  }
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

/** A keyring from file format 1 (its wrapped key is the bare data key): records never authenticated. */
function keyringNeedsUpgrade(keyring: KeyringRecord): boolean {
  return Buffer.byteLength(keyring.wrappedKey.box, 'base64') === KEY_BYTES + MAC_BYTES;
}

/**
 * Vouches for the records a change touched. Without an unlocked keyring only removals may
 * go through where a keyring exists (their MACs are dropped); a changed or new record would
 * be left unauthenticated, so it is refused.
 */
function authenticate(document: KeyringFile, touched: Required<Touched>, vault: UnlockedVault | null): void {
  const auth = document.keyring?.auth;
  if (!auth) return;
  if (vault) return vault.trust.sign(document, touched);
  const refuse = () => new LockedError('The keyring is locked: unlock it first, so that it can vouch for the change');
  for (const id of touched.systems) {
    if (document.systems.some((system) => system.id === id)) throw refuse();
    delete auth.systems[id];
  }
  for (const id of touched.entries) {
    if (document.keyring?.entries[id]) throw refuse();
    delete auth.entries[id];
  }
  // Leftovers recorded while locked stay unverified: listed, never acted on by tnc itself.
  for (const keyName of touched.leftovers) delete auth.leftovers[keyName];
}
