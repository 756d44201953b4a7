// Secretbox sealing with libsodium. Secrets are Uint8Arrays so they can be zeroed; nonces and
// salts come from Node's CSPRNG.
import { randomFillSync } from 'node:crypto';
import type Sodium from 'libsodium-wrappers-sumo';

// libsodium's XSalsa20-Poly1305 secretbox sizes, as plain numbers so the file schema can check
// lengths without waiting for sodium to load (a test pins them to sodium's own constants).
export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const MAC_BYTES = 16;
export const SALT_BYTES = 16;

/** A secretbox on disk: both fields base64 (standard alphabet, padded). */
export interface SealedBox {
  nonce: string;
  box: string;
}

let sodium: typeof Sodium | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads libsodium; seal and openBox work only once this has resolved. Not at import time: it
 * costs about 85 ms, which a start with a locked keyring would spend before its first frame.
 */
export function sodiumReady(): Promise<void> {
  loading ??= import('libsodium-wrappers-sumo').then(async ({ default: loaded }) => {
    await loaded.ready;
    sodium = loaded;
  });
  return loading;
}

function loaded(): typeof Sodium {
  if (sodium === undefined) throw new Error('libsodium is not loaded: await sodiumReady() first');
  return sodium;
}

export function randomBytes(length: number): Uint8Array {
  return randomFillSync(new Uint8Array(length));
}

export function seal(key: Uint8Array, plaintext: Uint8Array): SealedBox {
  const nonce = randomBytes(NONCE_BYTES);
  const box = loaded().crypto_secretbox_easy(plaintext, nonce, key);
  return { nonce: toBase64(nonce), box: toBase64(box) };
}

/** The plaintext, or null when the box does not open with this key (wrong key or tampered). */
export function openBox(key: Uint8Array, sealed: SealedBox): Uint8Array | null {
  // Outside the try: a library not loaded is a bug, not a box that fails to open.
  const library = loaded();
  try {
    return library.crypto_secretbox_open_easy(fromBase64(sealed.box), fromBase64(sealed.nonce), key);
  } catch {
    return null;
  }
}

/** A subkey for one purpose, so the data key itself never keys anything but secretboxes. */
export function deriveSubkey(key: Uint8Array, id: number, context: string): Uint8Array {
  const library = loaded();
  return library.crypto_kdf_derive_from_key(library.crypto_auth_KEYBYTES, id, context, key);
}

/** HMAC-SHA-512-256 of `message`, base64. */
export function authTag(key: Uint8Array, message: string): string {
  return toBase64(loaded().crypto_auth(message, key));
}

export function authTagValid(key: Uint8Array, message: string, tag: string): boolean {
  const library = loaded();
  const bytes = fromBase64(tag);
  // crypto_auth_verify throws on a tag of the wrong length; such a tag is simply not valid.
  return bytes.length === library.crypto_auth_BYTES && library.crypto_auth_verify(bytes, message, key);
}

export function sameSealedBox(a: SealedBox, b: SealedBox): boolean {
  return a.nonce === b.nonce && a.box === b.box;
}

/** libsodium's own memzero is this same loop in JavaScript: forgetting needs no library loaded. */
export function memzero(bytes: Uint8Array): void {
  bytes.fill(0);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
