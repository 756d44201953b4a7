// Every API key tnc mints goes through here: minted, stored (or kept in memory for the run),
// replaced, deleted. One rule for failures: a key tnc minted and no longer uses is listed in
// the file's leftovers, recorded *before* the step that could lose track of it, and the
// record goes only once its server has confirmed the delete. Deletes go by the key's
// `tnc-<uuid>` name, read back from the server (see the client's deleteKey).
import type { KeyringStore } from '../../store/keyring-store.js';
import type { EntryMeta, LeftoverKey, SystemRecord } from '../../store/types.js';
import type { TrueNASClient } from '../client/client.js';
import { ClientError } from '../client/errors.js';
import { newKeyName } from '../client/key-names.js';
import type { ApiKeyCredential, KeyRef, MintedKey, SystemTarget } from '../client/types.js';
import { targetOf, usableKey, type SessionKey, type UsableKey } from '../poller/key-checker.js';

export interface SignInInput {
  username: string;
  password: string;
  askOtp?: () => Promise<string | null>;
}

export interface SignedIn {
  minted: MintedKey;
  /** Stored in the keyring; false: kept in memory for this run (no keyring unlocked). */
  stored: boolean;
  /** The key this sign-in replaced, and whether its server confirmed deleting it. */
  replaced?: { keyName: string; deleted: boolean };
  /** The key tnc held before could not be replaced: its record had been changed outside tnc. */
  untrustedOldKey?: string;
}

export interface RemovedSystem {
  /** The key tnc held for the system, if it knew one. */
  keyName?: string;
  deleted: boolean;
  /** The record was changed outside tnc: its key was not used, its metadata not trusted. */
  recordChanged: boolean;
}

function leftoverFor(record: SystemRecord, key: KeyRef, username: string, why: LeftoverKey['why']): LeftoverKey {
  return {
    systemId: record.id,
    systemName: record.name,
    address: record.address,
    keyId: key.keyId ?? null,
    keyName: key.keyName,
    username,
    why,
  };
}

export class KeyLifecycle {
  /** Keys minted while no keyring was unlocked; the checker uses them before the keyring's. */
  readonly sessionKeys = new Map<string, SessionKey>();

  constructor(
    private readonly store: KeyringStore,
    private readonly client: TrueNASClient,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Signs in with a password and mints a key: recorded as pending before the server is asked
   * to create it, then stored in the keyring (which vouches for the record again) or kept in
   * memory. The key it replaces is deleted only once the new one is kept. `takeHostname`: the
   * system was added without a name and takes the server's hostname.
   */
  async signIn(record: SystemRecord, input: SignInInput, options: { signal?: AbortSignal; takeHostname?: boolean }): Promise<SignedIn> {
    const old = this.currentKey(record.id);
    // Read now: storing the new key replaces the entry this name comes from.
    const untrustedOldKey = old === 'untrusted' ? this.store.getEntry(record.id)?.meta.keyName : undefined;
    const keyName = newKeyName();
    let pending = false;
    let minted: MintedKey;
    try {
      minted = await this.client.signIn(
        targetOf(record),
        {
          ...input,
          keyName,
          onCreating: async () => {
            await this.store.putLeftover(leftoverFor(record, { keyName }, input.username, 'pending'));
            pending = true;
          },
        },
        { signal: options.signal },
      );
    } catch (error) {
      // A refusal the server answered created nothing; anything else may have: the record stays.
      const hint = (error as { hint?: string }).hint;
      if (pending && (hint === 'not created' || hint === 'not permitted')) await this.store.removeLeftover(keyName).catch(() => undefined);
      throw this.withoutHeldKeys(error);
    }
    const hostname = minted.info?.hostname;
    const stored = await this.keep(record, minted, options.takeHostname && hostname ? hostname : undefined);
    const outcome: SignedIn = { minted, stored };
    if (old === 'untrusted') {
      if (untrustedOldKey !== undefined) outcome.untrustedOldKey = untrustedOldKey;
    } else if (old) {
      const current = this.store.getSystem(record.id) ?? record;
      outcome.replaced = { keyName: old.keyName, deleted: await this.retire(current, old, this.newCredential(minted)) };
    }
    void this.cleanLeftovers(record.id);
    return outcome;
  }

  /**
   * Stores every key minted in this run into the keyring just created or unlocked, each only
   * for the record it was minted for. A stored key one replaces is deleted on its server (best
   * effort, recorded first). Returns how many were stored.
   */
  async adoptSessionKeys(): Promise<number> {
    let adopted = 0;
    for (const [id, key] of [...this.sessionKeys]) {
      // A record no longer where the key was minted for keeps no key: the new keyring would
      // vouch for the edited record. The key stays listed, for the next start.
      const record = this.store.getSystem(id);
      if (!record || !this.wayIn(id)) continue;
      const old = this.currentKey(id, false);
      await this.store.storeKey(id, key.apiKey, this.metaOf(key));
      this.sessionKeys.delete(id);
      adopted++;
      if (old && old !== 'untrusted' && old.keyName !== key.keyName) void this.retire(record, old, key);
    }
    return adopted;
  }

  /** Deletes, with each system's own key, the leftovers the keyring vouches for. */
  async cleanAllLeftovers(): Promise<void> {
    const systems = new Set(this.store.listLeftovers().map((leftover) => leftover.systemId));
    await Promise.all([...systems].map((id) => this.cleanLeftovers(id)));
  }

  /**
   * Leftovers of one system that the keyring vouches for go now that tnc has a way in. Others
   * (recorded without a keyring to vouch for them, or before a reset) are only listed.
   */
  async cleanLeftovers(systemId: string): Promise<void> {
    const leftovers = this.store.listLeftovers().filter((leftover) => leftover.systemId === systemId && leftover.verified);
    if (leftovers.length === 0) return;
    const way = this.wayIn(systemId);
    if (!way) return;
    // One that fails stays listed; the next sign-in or unlock tries again.
    for (const leftover of leftovers) await this.deleteListed(way.target, way.credential, leftover, this.timeoutMs);
  }

  /**
   * Removes a system, first deleting its key on the server when tnc can use that key and the
   * system answered its last check (a down one would hold the dialog for the whole timeout).
   */
  async removeSystem(record: SystemRecord, reachable: boolean): Promise<RemovedSystem> {
    const recordChanged = this.store.recordChanged(record.id);
    const way = this.wayIn(record.id);
    const keyName = way?.key.keyName ?? this.store.getEntry(record.id)?.meta.keyName;
    let deleted = false;
    if (way && reachable) {
      deleted = await this.client.deleteKey(way.target, way.credential, way.key, { timeoutMs: this.timeoutMs }).then(
        () => true,
        () => false,
      );
    }
    await this.store.removeSystem(record.id);
    this.sessionKeys.delete(record.id);
    return { ...(keyName === undefined ? {} : { keyName }), deleted, recordChanged };
  }

  /**
   * At quit: this run's unstored keys are already listed as leftovers; each is deleted on its
   * server within `deadlineMs` and its record dropped once the delete is confirmed. With
   * `deleteUnstored` false (Ctrl+C) they stay listed for the next start.
   */
  async quit(deadlineMs: number, deleteUnstored: boolean): Promise<void> {
    // Each only to where it was minted for (a record edited meanwhile gives no way in).
    const ways = [...this.sessionKeys.keys()].flatMap((id) => this.wayIn(id) ?? []);
    this.sessionKeys.clear();
    if (!deleteUnstored) return;
    const timeoutMs = Math.min(this.timeoutMs, deadlineMs);
    // One that fails, or has no way in, stays listed for the next start.
    await Promise.all(ways.map((way) => this.deleteListed(way.target, way.credential, way.key, timeoutMs)));
  }

  /**
   * The key a new sign-in replaces: this run's session key, else the stored one when the
   * keyring vouches for its record; 'untrusted' when the stored one's record was changed
   * outside tnc (its metadata cannot say which key on the server is tnc's).
   */
  private currentKey(id: string, sessionFirst = true): KeyRef | 'untrusted' | null {
    const session = sessionFirst ? this.sessionKeys.get(id) : undefined;
    if (session) return session;
    const entry = this.store.getEntry(id);
    if (!entry || this.store.keyringState() !== 'unlocked') return null;
    if (this.store.recordChanged(id)) return 'untrusted';
    return { keyName: entry.meta.keyName, keyId: entry.meta.keyId };
  }

  /**
   * At the key limit, the user's `tnc-…` keys that this keyring does not hold are the ones
   * safe to delete: the error names only those.
   */
  private withoutHeldKeys(error: unknown): unknown {
    if (!(error instanceof ClientError) || error.reason !== 'key limit' || !error.details.keyNames) return error;
    const held = new Set([
      ...this.store.listEntries().map((entry) => entry.meta.keyName),
      ...[...this.sessionKeys.values()].map((key) => key.keyName),
    ]);
    const keyNames = error.details.keyNames.filter((name) => !held.has(name));
    return new ClientError(error.reason, error.message, error.hint, { ...error.details, keyNames });
  }

  /** The key tnc may use on this system now, or null. */
  private wayIn(systemId: string): UsableKey | null {
    try {
      return usableKey(this.store, this.sessionKeys, systemId);
    } catch {
      return null;
    }
  }

  /** Stores the minted key, or keeps it in memory (listed as unstored) when no keyring is unlocked. */
  private async keep(record: SystemRecord, minted: MintedKey, rename: string | undefined): Promise<boolean> {
    const unlocked = this.store.keyringState() === 'unlocked';
    const fields = { transport: minted.transport, username: minted.username, ...(rename ? { name: rename } : {}) };
    // The user signed in to the system as listed: what it answered is written, and vouched for
    // when a keyring can (a locked one could not, so only the name changes then).
    const current = this.store.keyringState() === 'locked' ? (rename ? { name: rename } : null) : fields;
    const updated = current ? await this.store.updateSystem(record.id, current) : record;
    if (unlocked) {
      await this.store.storeKey(record.id, minted.key, this.metaOf(minted));
      this.sessionKeys.delete(record.id);
      return true;
    }
    await this.store.putLeftover(leftoverFor(updated, minted, minted.username, 'unstored'));
    this.sessionKeys.set(record.id, {
      username: minted.username,
      apiKey: minted.key,
      keyId: minted.keyId,
      keyName: minted.keyName,
      address: updated.address,
      ...(updated.fingerprint === undefined ? {} : { fingerprint: updated.fingerprint }),
    });
    return false;
  }

  /** Deletes a key tnc no longer uses, listed first so that a failure (or a crash) leaves it known. */
  private async retire(record: SystemRecord, key: KeyRef, via: ApiKeyCredential): Promise<boolean> {
    try {
      await this.store.putLeftover(leftoverFor(record, key, via.username, 'undeleted'));
    } catch {
      return false;
    }
    return this.deleteListed(targetOf(record), via, key, this.timeoutMs);
  }

  /** Deletes a listed key on its server, and its record once the server confirmed; false when either failed. */
  private async deleteListed(target: SystemTarget, via: ApiKeyCredential, key: KeyRef, timeoutMs: number): Promise<boolean> {
    try {
      await this.client.deleteKey(target, via, key, { timeoutMs });
      await this.store.removeLeftover(key.keyName);
      return true;
    } catch {
      return false;
    }
  }

  private newCredential(minted: MintedKey): ApiKeyCredential {
    return { username: minted.username, apiKey: minted.key };
  }

  private metaOf(key: { keyId: number; keyName: string; username: string }): EntryMeta {
    return { keyId: key.keyId, keyName: key.keyName, username: key.username, storedAt: new Date().toISOString() };
  }
}
