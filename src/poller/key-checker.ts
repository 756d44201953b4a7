// The poller's `check` for real systems: the key from the keyring (or this run's memory),
// one API-key login through the client, and the discovered transport remembered.

import { DamagedEntryError, LockedError, NotFoundError, RecordChangedError } from '../../store/errors.js';
import type { KeyringStore } from '../../store/keyring-store.js';
import type { SystemRecord } from '../../store/types.js';
import type { TrueNASClient } from '../client/client.js';
import { RpcCallError } from '../client/jsonrpc.js';
import type { Session } from '../client/session.js';
import type { ApiKeyCredential, KeyRef, SystemTarget } from '../client/types.js';
import { KeyUnavailableError } from './errors.js';
import { checkHealth, type HealthMemo } from './health-check.js';
import type { CheckFn } from './poller.js';
import type { SystemHealth } from './types.js';

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

export function targetOf(record: Pick<SystemRecord, 'address' | 'fingerprint' | 'transport' | 'login'>): SystemTarget {
  return { address: record.address, fingerprint: record.fingerprint, transport: record.transport, login: record.login };
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
  /** Passed to the client for each call (the poller's own deadline applies as well). */
  timeoutMs?: number;
  /** Keys minted in this run while there is no keyring; they win over the keyring. */
  sessionKeys?: ReadonlyMap<string, SessionKey>;
}

export interface KeyChecker {
  check: CheckFn;
  /**
   * Ends the kept session of one system, or of all (keys changed, polling stops, the keyring
   * locks), and drops what its checks remembered.
   */
  forget(id?: string): void;
  /** Logins made since the checker was created, by system id: what each interval costs the servers. */
  logins(): ReadonlyMap<string, number>;
}

interface Kept {
  session: Session;
  /** What the session was opened with: another key or another target needs a new one. */
  apiKey: string;
  address: string;
  fingerprint: string | undefined;
}

/** A failure of the connection itself, which a fresh session may not have. */
function connectionLost(err: unknown): boolean {
  const reason = (err as { reason?: unknown } | null)?.reason;
  return !(err instanceof RpcCallError) && (reason === 'unreachable' || reason === 'protocol error');
}

/**
 * Checks each system in a session kept between intervals: a login only when the session is
 * new (first check, key changed, connection dropped), as TrueNAS Connect does.
 */
export function createKeyChecker(store: KeyringStore, client: TrueNASClient, options: KeyCheckerOptions = {}): KeyChecker {
  const kept = new Map<string, Kept>();
  const memos = new Map<string, HealthMemo>();
  const loginCounts = new Map<string, number>();
  const callOptions = (signal: AbortSignal) => ({ timeoutMs: options.timeoutMs, signal });

  function drop(id: string): void {
    kept.get(id)?.session.close();
    kept.delete(id);
  }

  async function sessionFor(id: string, usable: UsableKey, signal: AbortSignal): Promise<{ session: Session; fresh: boolean }> {
    const current = kept.get(id);
    const { target, credential } = usable;
    if (current?.session.alive && current.apiKey === credential.apiKey && current.address === target.address && current.fingerprint === target.fingerprint) {
      return { session: current.session, fresh: false };
    }
    drop(id);
    const session = await client.openSession(target, credential, callOptions(signal));
    loginCounts.set(id, (loginCounts.get(id) ?? 0) + 1);
    kept.set(id, { session, apiKey: credential.apiKey, address: target.address, fingerprint: target.fingerprint });
    remember(id, session);
    return { session, fresh: true };
  }

  /**
   * What the session found out is kept in the record: the transport (a hint that spares a
   * discovery) and SCRAM once accepted (never plain again). Not awaited: the slot must not
   * wait for the disk or its lock, and a failed write is not the server's fault.
   */
  function remember(id: string, session: Session): void {
    const record = store.getSystem(id);
    if (!record) return;
    const patch = {
      ...(record.transport !== session.transport ? { transport: session.transport } : {}),
      ...(session.login === 'scram' && record.login !== 'scram' ? { login: 'scram' as const } : {}),
    };
    if (Object.keys(patch).length > 0) store.updateSystem(id, patch).catch(() => undefined);
  }

  const check: CheckFn = async (id, signal) => {
    const usable = usableKey(store, options.sessionKeys, id);
    const memo = memos.get(id) ?? {};
    memos.set(id, memo);
    const run = async (): Promise<SystemHealth> => {
      const { session, fresh } = await sessionFor(id, usable, signal);
      try {
        return await checkHealth(session, usable.key, memo, callOptions(signal));
      } catch (err) {
        drop(id);
        // A kept session the server dropped (middleware restarted, NAT timeout) is no news:
        // one fresh session settles whether the system is really gone.
        if (!fresh && connectionLost(err)) return run();
        throw err;
      }
    };
    return run();
  };

  return {
    check,
    forget(id) {
      for (const each of id === undefined ? [...kept.keys()] : [id]) drop(each);
      // What was learned (the update state, the version) may be of another server now.
      if (id === undefined) memos.clear();
      else memos.delete(id);
    },
    logins: () => loginCounts,
  };
}
