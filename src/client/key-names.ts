// tnc's API keys are named `tnc-<uuid>`, as TrueNAS Connect names its own. The name is what
// proves a key is one tnc minted: nothing else on a server is ever deleted.
import { randomUUID } from 'node:crypto';
import { ClientError } from './errors.js';
import type { Session } from './session.js';
import type { CallOptions, KeyRef } from './types.js';
import { isObject } from './wire.js';

const TNC_KEY_NAME = /^tnc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newKeyName(): string {
  return `tnc-${randomUUID()}`;
}

export function isTncKeyName(name: string): boolean {
  return TNC_KEY_NAME.test(name);
}

/** Refuses, before any network use, to delete a key not named the way tnc names its keys. */
export function requireTncKeyName(name: string): void {
  if (!isTncKeyName(name)) throw new ClientError('not a tnc key', 'not a tnc key: refusing to delete a key tnc did not name');
}

/**
 * The ids of the keys in an `api_key.query` / `GET /api_key` answer that bear exactly this
 * name: the read-back that decides what a delete may touch. A key id alone is never trusted
 * (it comes from a file, and a server may reuse the id of a deleted key).
 */
function idsNamed(entries: unknown, keyName: string): number[] {
  if (!Array.isArray(entries)) throw new ClientError('protocol error', 'protocol error: unexpected api_key listing');
  return entries.flatMap((entry) =>
    isObject(entry) && entry.name === keyName && Number.isSafeInteger(entry.id) ? [entry.id as number] : [],
  );
}

/** Deletes the key with this name, read back first; one that is already gone counts as deleted. */
export async function deleteByName(session: Session, key: KeyRef, opts: CallOptions): Promise<void> {
  const ids = idsNamed(await session.call('api_key.query', [[['name', '=', key.keyName]]], opts), key.keyName);
  for (const id of ids) {
    try {
      await session.call('api_key.delete', [id], opts);
    } catch (err) {
      if (!(err instanceof ClientError && err.hint === 'not found')) throw err;
    }
  }
}
