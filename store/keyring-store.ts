// The keyring store: systems, the encrypted keyring and leftover keys in one file, shared safely
// between tnc processes. Every change re-reads the file under the lock before writing it.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { KdfParamsError, LockedError, NotFoundError, StoreError, StoreFileError } from './errors.js';
import { sameSealedBox } from './crypto.js';
import { kdfParamsProblem, prepareKdf } from './kdf.js';
import { removeStaleTempFiles } from './atomic-write.js';
import { DEFAULT_LOCK_STALE_MS, withDirectoryLock } from './file-lock.js';
import { KeyringFileAdapter, checkDataDir } from './file-adapter.js';
import { emptyKeyringFile, type KeyringFile, type KeyringRecord, type StoredEntry } from './file-format.js';
import { UnlockedVault } from './vault.js';
import { validEntryMeta, validLeftover, validSystem } from './validate.js';
import { DEFAULT_KDF, type EntryInfo, type EntryMeta, type KdfParams, type LeftoverKey, type SystemRecord } from './types.js';

export const KEYRING_FILE = 'keyring.json';

export interface KeyringStoreOptions {
  /** Argon2id parameters for a new keyring or a new passphrase; existing ones keep theirs. */
  kdf?: KdfParams;
  /** How long a lock left by a killed tnc blocks the others (default 10 s, at least 2 s). */
  lockStaleMs?: number;
}

export type KeyringState = 'none' | 'locked' | 'unlocked';

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

  addSystem(input: Omit<SystemRecord, 'id'>): Promise<SystemRecord> {
    return this.change((document) => {
      const system = validSystem({ ...input, id: randomUUID() });
      document.systems.push(system);
      return { ...system };
    });
  }

  /** A field patched to `undefined` is removed. */
  updateSystem(id: string, patch: Partial<Omit<SystemRecord, 'id'>>): Promise<SystemRecord> {
    return this.change((document) => {
      const index = document.systems.findIndex((candidate) => candidate.id === id);
      if (index < 0) throw new NotFoundError(`System ${id}`);
      const system = validSystem({ ...document.systems[index], ...patch, id });
      document.systems[index] = system;
      return { ...system };
    });
  }

  /** Also drops the system's entry and its leftovers. Removing an unknown system does nothing. */
  removeSystem(id: string): Promise<void> {
    return this.change((document) => {
      document.systems = document.systems.filter((system) => system.id !== id);
      if (document.keyring) delete document.keyring.entries[id];
      document.leftovers = document.leftovers.filter((leftover) => leftover.systemId !== id);
    });
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
        await this.locked((document) => {
          if (document.keyring) throw keyringExists();
          document.keyring = { name, ...vault.currentWrapping, entries: {} };
        });
        this.adopt(vault);
      });
    } catch (error) {
      vault.zero();
      throw error;
    }
  }

  /** WrongPassphraseError leaves the file unwritten; entries that fail to open are marked damaged. */
  async unlock(passphrase: string): Promise<void> {
    await this.reload();
    const keyring = this.requireKeyring();
    const vault = await UnlockedVault.unlock(keyring, passphrase);
    await this.serial(async () => {
      if (!vault.matches(this.db.data.keyring)) {
        vault.zero();
        throw new StoreError('CONFLICT', 'The keyring was changed by another tnc while unlocking; try again');
      }
      this.adopt(vault);
    });
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

  /** Needs the keyring unlocked (LockedError) and the system listed (NotFoundError). */
  storeKey(systemId: string, apiKey: string, meta: EntryMeta): Promise<void> {
    return this.change((document) => {
      const vault = this.requireUnlocked();
      if (!document.systems.some((system) => system.id === systemId)) throw new NotFoundError(`System ${systemId}`);
      const checkedMeta = validEntryMeta(meta);
      (document.keyring as KeyringRecord).entries[systemId] = { ...vault.seal(systemId, apiKey), meta: checkedMeta };
    });
  }

  /** LockedError, NotFoundError (no entry) or DamagedEntryError. */
  openKey(systemId: string): string {
    return this.requireUnlocked().apiKey(systemId);
  }

  /** Works locked too: forgetting a key needs no secret. */
  removeKey(systemId: string): Promise<void> {
    return this.change((document) => {
      if (document.keyring) delete document.keyring.entries[systemId];
    });
  }

  listLeftovers(): LeftoverKey[] {
    return this.db.data.leftovers.map((leftover) => ({ ...leftover }));
  }

  /** Recording the same key (system id and key id) twice keeps one. */
  addLeftover(key: LeftoverKey): Promise<void> {
    return this.change((document) => addLeftovers(document, [validLeftover(key)]));
  }

  removeLeftover(systemId: string, keyId: number): Promise<void> {
    return this.change((document) => {
      document.leftovers = document.leftovers.filter((leftover) => !isSameKey(leftover, systemId, keyId));
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

  private change<T>(apply: (document: KeyringFile) => T): Promise<T> {
    return this.serial(() => this.locked(apply));
  }

  /** Lock, re-read, apply, write, unlock. When `apply` throws, nothing is written. */
  private locked<T>(apply: (document: KeyringFile) => T): Promise<T> {
    return withDirectoryLock(
      this.dataDir,
      async () => {
        await removeStaleTempFiles(this.filePath);
        await this.db.read();
        this.syncVault();
        try {
          const result = apply(this.db.data);
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
    if (keyring && this.vault.matches(keyring)) this.vault.sync(keyring);
    else this.lock();
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

function isSameKey(leftover: LeftoverKey, systemId: string, keyId: number): boolean {
  return leftover.systemId === systemId && leftover.keyId === keyId;
}

function addLeftovers(document: KeyringFile, leftovers: LeftoverKey[]): void {
  for (const leftover of leftovers) {
    if (!document.leftovers.some((known) => isSameKey(known, leftover.systemId, leftover.keyId))) {
      document.leftovers.push(leftover);
    }
  }
}
