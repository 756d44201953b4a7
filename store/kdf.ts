// Argon2id key derivation in a worker thread, so the UI keeps drawing during an unlock.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KdfParamsError, StoreError } from './errors.js';
import { KEY_BYTES, memzero, sodiumReady } from './crypto.js';
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
  const { passphrase, salt, opslimit, memlimit, keyBytes } = workerData;
  try {
    const key = sodium.crypto_pwhash(keyBytes, passphrase, salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13);
    parentPort.postMessage(key, [key.buffer]);
  } finally {
    sodium.memzero(passphrase);
  }
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

/**
 * Derives a secretbox key from the passphrase. Each call runs in a fresh worker that exits
 * afterwards: WebAssembly memory never shrinks, and a resident worker would keep up to
 * `memlimit` (256 MiB by default) for the rest of the run.
 */
export async function deriveKey(passphrase: string, salt: Uint8Array, params: KdfParams): Promise<Uint8Array> {
  const problem = kdfParamsProblem(params);
  if (problem) throw new KdfParamsError(problem);
  await sodiumReady();
  // NFC so that the same passphrase typed in differently-normalising terminals derives the same key.
  const passphraseBytes = new TextEncoder().encode(passphrase.normalize('NFC'));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      sodiumUrl,
      passphrase: passphraseBytes,
      salt,
      opslimit: params.opslimit,
      memlimit: params.memlimit,
      keyBytes: KEY_BYTES,
    },
  });
  memzero(passphraseBytes);
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      worker.once('message', (key: Uint8Array) => resolve(key));
      // The worker's own error may quote its inputs; report only that derivation failed.
      worker.once('error', (error) => reject(new StoreError('KDF_FAILED', `Key derivation failed (${error.name})`)));
      worker.once('exit', (code) => reject(new StoreError('KDF_FAILED', `Key derivation worker exited (${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}
