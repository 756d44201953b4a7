import { cleanText } from '../../store/clean-text.js';
import { ClientError } from './errors.js';

/** Largest message or body we accept; TrueNAS answers for our calls are a few kB. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The error for an answer of the wrong shape. */
export function unexpected(what: string): ClientError {
  return new ClientError('protocol error', `protocol error: unexpected ${what}`);
}

export interface CreatedKey {
  id: number;
  name: string;
  key: string;
  username?: string;
}

/** Key strings are `<id>-<64 letters and digits>`; nothing else may end up stored as a key. */
const KEY_SECRET = /^[A-Za-z0-9]{16,256}$/;

/** The `api_key.create` / `POST /api_key` answer: the entry plus the secret `key`, named as asked. */
export function parseCreatedKey(value: unknown, requestedName: string): CreatedKey {
  if (!isObject(value)) throw unexpected('api_key.create answer');
  const { id, name, key, username } = value;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw unexpected('api key id');
  // The name is how tnc finds (and may later delete) the key: it must be the one asked for.
  if (name !== requestedName) throw unexpected('api key name');
  if (typeof key !== 'string' || !key.startsWith(`${id}-`) || !KEY_SECRET.test(key.slice(`${id}-`.length))) {
    throw unexpected('api key string');
  }
  return { id, name, key, ...(typeof username === 'string' ? { username: cleanText(username) } : {}) };
}
