// One check of one system in its kept session: is the key still good (its own entry, since a
// session outlives a key revoked after login), and how is the system (info, alerts, pools,
// and, at most hourly, the update state). A call the key's user may not make leaves its part
// unknown; only a failure of the session itself fails the check.
import { ClientError } from '../client/errors.js';
import {
  ownKeyState,
  parseAlerts,
  parseCheckAvailable,
  parsePools,
  parseSystemDetails,
  parseUpdateStatus,
  type UpdateInfo,
} from '../client/health.js';
import { RpcCallError } from '../client/jsonrpc.js';
import type { Session } from '../client/session.js';
import type { KeyRef } from '../client/types.js';
import type { SystemHealth } from './types.js';

/** iXsystems' update server is asked through each NAS at most this often. */
export const UPDATE_CHECK_INTERVAL_MS = 3_600_000;

/** What a system's checks remember between intervals. */
export interface HealthMemo {
  update?: { at: number; value: UpdateInfo | null };
  /** The release the last check saw: which update method to ask first. */
  version?: string;
}

export interface HealthCheckOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  now?: number;
}

/** The answer parsed, or null when the server answered the call with an error (a missing role, a method this release lacks). */
async function part<T>(answer: Promise<unknown>, parse: (value: unknown) => T): Promise<T | null> {
  try {
    return parse(await answer);
  } catch (err) {
    if (err instanceof RpcCallError) return null;
    throw err;
  }
}

/** 25.10 and later have `update.status`; 24.10 and 25.04 `update.check_available` (unknown: the newer first). */
function updateMethods(version: string | undefined): Array<[string, (value: unknown) => UpdateInfo | null]> {
  const [major = 0, minor = 0] = (version ?? '').split('.').map(Number);
  const status: [string, (value: unknown) => UpdateInfo | null] = ['update.status', parseUpdateStatus];
  const available: [string, (value: unknown) => UpdateInfo | null] = ['update.check_available', parseCheckAvailable];
  return major > 25 || (major === 25 && minor >= 10) ? [status, available] : [available, status];
}

async function updateState(session: Session, version: string | undefined, opts: HealthCheckOptions): Promise<UpdateInfo | null> {
  for (const [method, parse] of updateMethods(version)) {
    try {
      return parse(await session.call(method, [], opts));
    } catch (err) {
      // The other release's method: only a missing method is a reason to try it.
      if (err instanceof RpcCallError && err.hint === 'wrong transport') continue;
      if (err instanceof RpcCallError) return null;
      throw err;
    }
  }
  return null;
}

export async function checkHealth(session: Session, key: KeyRef, memo: HealthMemo, opts: HealthCheckOptions = {}): Promise<SystemHealth> {
  const now = opts.now ?? Date.now();
  const callOpts = { signal: opts.signal, timeoutMs: opts.timeoutMs };
  // REST (24.10) keys have no owner and no my_keys: a revoked key fails the calls themselves.
  const keyState =
    session.transport === 'jsonrpc' && typeof key.keyId === 'number'
      ? part(session.call('api_key.my_keys', [], callOpts), (list) => ownKeyState(list, key.keyId as number, now, key.keyName))
      : Promise.resolve(null);
  const due = memo.update === undefined || now - memo.update.at >= UPDATE_CHECK_INTERVAL_MS;
  // All in one round trip; the update state guesses its method from the release seen last.
  const [state, info, alerts, pools, update] = await Promise.all([
    keyState,
    part(session.call('system.info', [], callOpts), parseSystemDetails),
    part(session.call('alert.list', [], callOpts), parseAlerts),
    part(session.call('pool.query', [], callOpts), parsePools),
    due ? updateState(session, memo.version, callOpts) : Promise.resolve(memo.update!.value),
  ]);
  if (state?.state === 'rejected') throw new ClientError('key rejected', 'key rejected: the key is gone from the server or revoked');
  if (state?.state === 'expired') throw new ClientError('key expired', 'key expired: past its expiry date');
  if (due) memo.update = { at: now, value: update };
  if (info) memo.version = info.version;
  return { info, alerts, pools, update, keyExpiresAt: state?.expiresAt ?? null };
}
