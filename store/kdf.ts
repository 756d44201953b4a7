// Argon2id key derivation in a worker thread, so the UI keeps drawing during an unlock.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KdfParamsError, StoreError } from './errors.js';
import { KEY_BYTES } from './crypto.js';
import { KDF_BOUNDS, type KdfParams } from './types.js';

export const KDF_ALG = 'argon2id13';

// The worker is inline source rather than a file next to this module: vitest runs the .ts
// sources (which have no .js sibling) and tsc does not copy plain .js files into dist/, so a
// file would need two lookup paths. An eval'd worker runs as CommonJS, or as ESM when the
// process was started with --input-type=module (workers inherit execArgv): only dynamic
// import() works in both. libsodium is resolved here and passed in, because an eval'd worker
// resolves bare names from the process's cwd, not from this package.
const WORKER_SOURCE = `
import('node:worker_threads').then(async ({ parentPort, workerData }) => {
  const { default: sodium } = await import(workerData.sodiumUrl);
  await sodium.ready;
  parentPort.once('message', ({ passphrase, salt, opslimit, memlimit, keyBytes }) => {
    try {
      const key = sodium.crypto_pwhash(keyBytes, passphrase, salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
      parentPort.postMessage(key, [key.buffer]);
    } finally {
      sodium.memzero(passphrase);
    }
  });
});
`;

const sodiumUrl = pathToFileURL(createRequire(import.meta.url).resolve('libsodium-wrappers-sumo')).href;

/** What is wrong with these parameters, or undefined when they are within KDF_BOUNDS. */
export function kdfParamsProblem(params: KdfParams): string | undefined {
  for (const name of ['opslimit', 'memlimit'] as const) {
    const value = params[name];
    const { min, max } = KDF_BOUNDS[name];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      return `KDF parameters out of bounds: ${name} ${value} is not an integer in ${min}..${max}`;
    }
  }
  return undefined;
}

interface KdfWorker {
  worker: Worker;
  derivedKey: Promise<Uint8Array>;
}

function startWorker(): KdfWorker {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sodiumUrl } });
  const derivedKey = new Promise<Uint8Array>((resolve, reject) => {
    worker.once('message', (key: Uint8Array) => resolve(key));
    // The worker's own error may quote its inputs; report only that derivation failed.
    worker.once('error', (error) => reject(new StoreError('KDF_FAILED', `Key derivation failed (${error.name})`)));
    worker.once('exit', (code) => reject(new StoreError('KDF_FAILED', `Key derivation worker exited (${code})`)));
  });
  // A spare that fails while idle is reported by the derivation that uses it.
  derivedKey.catch(() => undefined);
  // An idle worker must not keep the process alive; deriveKey refs it while it works. (After
  // the listeners: adding a 'message' listener refs the worker's port again.)
  worker.unref();
  return { worker, derivedKey };
}

let spare: KdfWorker | undefined;

/**
 * Starts the next derivation's worker now, so that it has loaded libsodium (about 100 ms) by
 * the time the passphrase is submitted.
 */
export function prepareKdf(): void {
  spare ??= startWorker();
}

/**
 * Derives a secretbox key from the passphrase. Each derivation runs in its own worker, which is
 * ended afterwards: WebAssembly memory never shrinks, and a resident worker would keep up to
 * `memlimit` (256 MiB by default) for the rest of the run.
 */
export async function deriveKey(passphrase: string, salt: Uint8Array, params: KdfParams): Promise<Uint8Array> {
  const problem = kdfParamsProblem(params);
  if (problem) throw new KdfParamsError(problem);
  const { worker, derivedKey } = spare ?? startWorker();
  spare = undefined;
  worker.ref();
  // NFC so that the same passphrase typed in differently-normalising terminals derives the same key.
  const passphraseBytes = new TextEncoder().encode(passphrase.normalize('NFC'));
  const { opslimit, memlimit } = params;
  // Transferred, not copied: no plain passphrase bytes stay behind in this thread.
  worker.postMessage({ passphrase: passphraseBytes, salt, opslimit, memlimit, keyBytes: KEY_BYTES }, [passphraseBytes.buffer]);
  try {
    return await derivedKey;
  } finally {
    await worker.terminate();
  }
}
