// The poller's `check` for real systems: the key from the keyring (or this run's memory),
// one API-key login through the client, and the discovered transport remembered.

import { DamagedEntryError, LockedError, NotFoundError, RecordChangedError } from '../../store/errors.js';
import type { KeyringStore } from '../../store/keyring-store.js';
import type { SystemRecord } from '../../store/types.js';
import type { TrueNASClient } from '../client/client.js';
import type { ApiKeyCredential, KeyRef, SystemInfo, SystemTarget } from '../client/types.js';
import { KeyUnavailableError } from './errors.js';
import type { CheckFn } from './poller.js';

/**
 * A key minted in this run while there is no keyring: it lives in memory, bound to the
 * record it was minted for (an address and pin edited meanwhile get no key).
 */
export interface SessionKey extends ApiKeyCredential, KeyRef {
  keyId: number;
  address: string;
  fingerprint?: string;
}

/** A key tnc may use now, with where it may go. */
export interface UsableKey {
  target: SystemTarget;
  credential: ApiKeyCredential;
  key: KeyRef;
}

export function targetOf(record: Pick<SystemRecord, 'address' | 'fingerprint' | 'transport'>): SystemTarget {
  return { address: record.address, fingerprint: record.fingerprint, transport: record.transport };
}

/**
 * The key for a system and the record it may be sent to: this run's session key, else the
 * keyring's, which only an unlocked keyring that vouches for the record hands out. Throws
 * KeyUnavailableError (`no key`, `locked`, `damaged`, `record changed`) before any network use.
 */
export function usableKey(store: KeyringStore, sessionKeys: ReadonlyMap<string, SessionKey> | undefined, id: string): UsableKey {
  const system = store.getSystem(id);
  if (!system) throw new KeyUnavailableError('no key');
  const session = sessionKeys?.get(id);
  if (session) {
    if (session.address !== system.address || session.fingerprint !== system.fingerprint) throw new KeyUnavailableError('record changed');
    return { target: targetOf(system), credential: session, key: session };
  }
  if (!store.hasEntry(id)) throw new KeyUnavailableError('no key');
  try {
    const stored = store.credential(id);
    return {
      target: targetOf(stored.system),
      credential: { username: stored.meta.username, apiKey: stored.apiKey },
      key: { keyName: stored.meta.keyName, keyId: stored.meta.keyId },
    };
  } catch (error) {
    if (error instanceof LockedError) throw new KeyUnavailableError('locked');
    if (error instanceof RecordChangedError) throw new KeyUnavailableError('record changed');
    if (error instanceof DamagedEntryError) throw new KeyUnavailableError('damaged');
    if (error instanceof NotFoundError) throw new KeyUnavailableError('no key'); // removed meanwhile
    throw error;
  }
}

export interface KeyCheckerOptions {
  /** Passed to the client for each check (the poller's own deadline applies as well). */
  timeoutMs?: number;
  /** Keys minted in this run while there is no keyring; they win over the keyring. */
  sessionKeys?: ReadonlyMap<string, SessionKey>;
}

export interface KeyChecker {
  check: CheckFn;
  /** Drops what the checker holds for the systems' keys (call when keys change or polling stops). */
  forget(): void;
}

export function createKeyChecker(store: KeyringStore, client: TrueNASClient, options: KeyCheckerOptions = {}): KeyChecker {
  const check: CheckFn = async (id, signal): Promise<SystemInfo> => {
    const { target, credential } = usableKey(store, options.sessionKeys, id);
    const { transport, info } = await client.checkKey(target, credential, { timeoutMs: options.timeoutMs, signal });
    const current = store.getSystem(id); // may have been removed while the check ran
    if (current && current.transport !== transport) {
      // Not awaited, and a failure is not the server's: the transport is only a hint that
      // saves one discovery next time, and the slot must not wait for the disk or its lock.
      store.updateSystem(id, { transport }).catch(() => undefined);
    }
    return info;
  };
  // Every check asks the store for the key afresh, so there is nothing to forget yet.
  return { check, forget: () => undefined };
}
