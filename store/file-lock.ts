// Cross-process lock around read-modify-write of the keyring file (lowdb has none).
import { join } from 'node:path';
import type { lock as Lock } from 'proper-lockfile';
import { StoreError } from './errors.js';

export const LOCK_NAME = 'keyring.lock';
/** A lock not refreshed for this long belongs to a dead process and may be taken over. */
export const DEFAULT_LOCK_STALE_MS = 10_000;

// Writers hold the lock for milliseconds, so waits are short but may repeat many times under
// contention; a minute or more in total, well past the stale period, before giving up.
const RETRIES = { retries: 600, factor: 1.2, minTimeout: 2, maxTimeout: 100, randomize: true };

let loading: Promise<typeof Lock> | undefined;

/** proper-lockfile (with graceful-fs) takes about 15 ms to import; a start that only reads needs none. */
function loadLock(): Promise<typeof Lock> {
  loading ??= import('proper-lockfile').then((module) => module.default.lock);
  return loading;
}

/** Runs `critical` while holding the data directory's lock. */
export async function withDirectoryLock<T>(
  dataDir: string,
  critical: () => Promise<T>,
  staleMs = DEFAULT_LOCK_STALE_MS,
): Promise<T> {
  const lockfilePath = join(dataDir, LOCK_NAME);
  let compromised = false;
  let release: () => Promise<void>;
  try {
    const lock = await loadLock();
    release = await lock(dataDir, {
      lockfilePath,
      realpath: false,
      stale: staleMs,
      retries: RETRIES,
      // The default throws from a timer, crashing the process. Our write is atomic, so the file
      // stays valid; what is at risk is a concurrent update, which the caller is told about.
      onCompromised: () => {
        compromised = true;
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new StoreError('LOCK_BUSY', `${dataDir} is locked by another tnc process; try again`);
    }
    throw error;
  }
  let result: T;
  try {
    result = await critical();
  } finally {
    if (!compromised) await release();
  }
  if (compromised) {
    throw new StoreError('LOCK_LOST', `Lost the lock on ${dataDir} while updating (the process stalled); check the result`);
  }
  return result;
}
