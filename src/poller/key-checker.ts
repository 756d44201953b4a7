// The poller's `check` for real systems: the key from the keyring (or this run's memory),
// one API-key login through the client, and the discovered transport remembered.

import { DamagedEntryError, LockedError, NotFoundError } from '../../store/errors.js';
import type { KeyringStore } from '../../store/keyring-store.js';
import type { TrueNASClient } from '../client/client.js';
import type { ApiKeyCredential } from '../client/types.js';
import { KeyUnavailableError } from './errors.js';
import type { CheckFn } from './poller.js';

export interface KeyCheckerOptions {
  /** Passed to the client for each check (the poller's own deadline applies as well). */
  timeoutMs?: number;
  /** Keys minted in this run while no keyring was unlocked; they win over the keyring. */
  sessionKeys?: ReadonlyMap<string, ApiKeyCredential>;
}

export interface KeyChecker {
  check: CheckFn;
  /** Drops every decrypted key this checker holds (call when the poller stops). */
  forget(): void;
}

interface CachedKey {
  /** Which stored entry the key came from: a replaced entry must not reuse the old key. */
  entry: string;
  credential: ApiKeyCredential;
}

export function createKeyChecker(
  store: KeyringStore,
  client: TrueNASClient,
  options: KeyCheckerOptions = {},
): KeyChecker {
  // Opening an entry costs a secretbox open and a copy; a sweep of 1,000 systems every 30 s
  // would repeat that for nothing.
  const cache = new Map<string, CachedKey>();

  function credentialFor(id: string): ApiKeyCredential {
    const session = options.sessionKeys?.get(id);
    if (session) return session;
    const meta = store.getEntry(id)?.meta;
    if (!meta) throw new KeyUnavailableError('no key');
    // Checked before the cache too: once the keyring locks, no key may be used.
    if (store.keyringState() !== 'unlocked') throw new KeyUnavailableError('locked');
    const entry = `${meta.keyId}@${meta.storedAt}`;
    const cached = cache.get(id);
    if (cached?.entry === entry) return cached.credential;
    const credential = { username: meta.username, apiKey: openKey(id) };
    cache.set(id, { entry, credential });
    return credential;
  }

  function openKey(id: string): string {
    try {
      return store.openKey(id);
    } catch (error) {
      if (error instanceof LockedError) throw new KeyUnavailableError('locked');
      if (error instanceof DamagedEntryError) throw new KeyUnavailableError('damaged');
      if (error instanceof NotFoundError) throw new KeyUnavailableError('no key'); // removed meanwhile
      throw error;
    }
  }

  const check: CheckFn = async (id, signal) => {
    const system = store.getSystem(id);
    if (!system) throw new KeyUnavailableError('no key');
    const credential = credentialFor(id);
    const { transport, info } = await client.checkKey(
      { address: system.address, fingerprint: system.fingerprint, transport: system.transport },
      credential,
      { timeoutMs: options.timeoutMs, signal },
    );
    const current = store.getSystem(id); // may have been removed while the check ran
    if (current && current.transport !== transport) {
      // Not awaited, and a failure is not the server's: the transport is only a hint that
      // saves one discovery next time, and the slot must not wait for the disk or its lock.
      store.updateSystem(id, { transport }).catch(() => undefined);
    }
    return info;
  };

  return { check, forget: () => cache.clear() };
}
