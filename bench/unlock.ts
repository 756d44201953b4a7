// Unlock at the default KDF parameters with 1,000 entries, against the bare Argon2id call.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import sodium from 'libsodium-wrappers-sumo';
import { KEYRING_FILE, KeyringStore } from '../store/keyring-store.js';
import { deriveKey } from '../store/kdf.js';
import { DEFAULT_KDF } from '../store/types.js';
import { PASSPHRASE } from './fixtures.js';
import { median, round, summary } from './stats.js';
import { relative, type BudgetResult } from './budget.js';

/** The UI draws at most every 16 ms; a timer at that rate stands in for its frames. */
const FRAME_MS = 16;
/** A longer stall than this is a visible freeze. */
export const MAX_FRAME_GAP_MS = 100;

/** Re-wraps the keyring of `dataDir` under DEFAULT_KDF (entries untouched). */
export async function useDefaultKdf(dataDir: string): Promise<void> {
  const store = await KeyringStore.open(dataDir, { kdf: DEFAULT_KDF });
  await store.changePassphrase(PASSPHRASE, PASSPHRASE);
}

interface Ticks {
  stop(): { ticks: number; maxGapMs: number; maxDelayMs: number };
}

/** Frame-rate ticks seen during an unlock, and how many the unlock's duration should have had. */
type Frames = ReturnType<Ticks['stop']> & { expected: number };

/** Counts timer ticks at frame rate and the longest gap between two of them. */
function countTicks(): Ticks {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let ticks = 0;
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, FRAME_MS);
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
      maxGapMs = Math.max(maxGapMs, performance.now() - last);
      return { ticks, maxGapMs: round(maxGapMs), maxDelayMs: round(delay.max / 1e6) };
    },
  };
}

/** What the Unlock dialog gives the KDF worker to load libsodium before the passphrase is in. */
const TYPING_MS = 500;

/**
 * Runs interleaved: the bare crypto_pwhash (on this thread, nothing else running: the
 * reference), the store's deriveKey (its worker), store.unlock() on a freshly opened store as
 * the app does it (prepareUnlock() when the dialog opens, unlock() once the passphrase is
 * typed: the figure), and the same unlock cold, without the prepared worker.
 */
export async function benchUnlock(dataDir: string, runs: number): Promise<BudgetResult> {
  await sodium.ready;
  const file = JSON.parse(await readFile(join(dataDir, KEYRING_FILE), 'utf8')) as {
    keyring: { kdf: { opslimit: number; memlimit: number; salt: string }; entries: object };
  };
  const { opslimit, memlimit, salt } = file.keyring.kdf;
  if (opslimit !== DEFAULT_KDF.opslimit || memlimit !== DEFAULT_KDF.memlimit) throw new Error('the keyring is not at the default KDF parameters');
  const saltBytes = new Uint8Array(Buffer.from(salt, 'base64'));
  const bare: number[] = [];
  const worker: number[] = [];
  const unlock: number[] = [];
  const cold: number[] = [];
  const frames: Frames[] = [];
  const entries = Object.keys(file.keyring.entries).length;
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    sodium.crypto_pwhash(32, PASSPHRASE, saltBytes, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
    bare.push(performance.now() - started);

    started = performance.now();
    await deriveKey(PASSPHRASE, saltBytes, { opslimit, memlimit });
    worker.push(performance.now() - started);

    cold.push((await timeUnlock(dataDir, false, entries)).ms);
    const prepared = await timeUnlock(dataDir, true, entries);
    unlock.push(prepared.ms);
    frames.push(prepared.frames);
  }
  const maxGapMs = Math.max(...frames.map((f) => f.maxGapMs));
  const result = relative(
    `unlock (KDF ${opslimit}/${memlimit / 2 ** 20} MiB + opening ${entries} entries) vs the bare KDF; frames keep coming`,
    'ms',
    median(unlock),
    median(bare),
    1.2,
    {
      unlock: summary(unlock),
      bareKdf: summary(bare),
      unlockCold: { ...summary(cold), ratio: round(median(cold) / median(bare), 3) },
      deriveKeyInWorker: summary(worker),
      framesDuringUnlock: frames,
      maxFrameGapMs: maxGapMs,
      maxFrameGapBudgetMs: MAX_FRAME_GAP_MS,
    },
  );
  return { ...result, ok: result.ok && maxGapMs <= MAX_FRAME_GAP_MS };
}

async function timeUnlock(dataDir: string, prepared: boolean, entries: number): Promise<{ ms: number; frames: Frames }> {
  const store = await KeyringStore.open(dataDir);
  if (prepared) {
    store.prepareUnlock();
    await sleep(TYPING_MS);
  }
  const ticks = countTicks();
  const started = performance.now();
  await store.unlock(PASSPHRASE);
  const ms = performance.now() - started;
  const frames = { ...ticks.stop(), expected: Math.floor(ms / FRAME_MS) };
  const opened = store.listEntries().filter((entry) => entry.state === 'stored').length;
  store.lock();
  if (opened !== entries) throw new Error(`unlock opened ${opened} of ${entries} entries`);
  return { ms, frames };
}
