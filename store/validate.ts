// Validation of keyring file content, and of the values callers hand the store, by one set of
// rules: whatever passes here is written and read back alike.
import { cleanText } from './clean-text.js';
import { KdfParamsError, StoreFileError } from './errors.js';
import { MAC_BYTES, NONCE_BYTES, SALT_BYTES, type SealedBox } from './crypto.js';
import { KDF_ALG, kdfParamsProblem } from './kdf.js';
import {
  FILE_FORMAT,
  FILE_VERSION,
  type KdfRecord,
  type KeyringFile,
  type KeyringRecord,
  type RecordMacs,
  type StoredEntry,
} from './file-format.js';
import { WRAPPED_KEY_BYTES } from './vault.js';
import type { EntryMeta, LeftoverKey, LeftoverWhy, SystemRecord } from './types.js';

/** A shape problem, named by where it is in the document. */
class ShapeError extends Error {}

/** Checks a current-version document and returns a copy holding only the known fields. */
export function validateKeyringFile(document: Record<string, unknown>, filePath: string): KeyringFile {
  try {
    const systems = array(document.systems, 'systems').map((item, i) => system(item, `systems[${i}]`));
    const ids = new Set<string>();
    for (const { id } of systems) {
      if (ids.has(id)) throw new ShapeError(`system id ${id} appears twice`);
      ids.add(id);
    }
    const keyring = document.keyring === null ? null : keyringRecord(document.keyring, ids, filePath);
    const leftovers = array(document.leftovers, 'leftovers').map((item, i) => leftover(item, `leftovers[${i}]`));
    const keyNames = new Set<string>();
    for (const { keyName } of leftovers) {
      if (keyNames.has(keyName)) throw new ShapeError(`leftover key ${JSON.stringify(cleanText(keyName))} appears twice`);
      keyNames.add(keyName);
    }
    return { format: FILE_FORMAT, version: FILE_VERSION, systems, keyring, leftovers };
  } catch (error) {
    if (error instanceof ShapeError) throw new StoreFileError(filePath, `unexpected content: ${error.message}`);
    throw error;
  }
}

// System ids are uuids we generate; the pattern also keeps names like `__proto__` out of the
// entries object.
const SYSTEM_ID = /^[A-Za-z0-9-]{1,64}$/;

function system(value: unknown, where: string): SystemRecord {
  const record = object(value, where);
  const id = string(record.id, `${where}.id`);
  if (!SYSTEM_ID.test(id)) throw new ShapeError(`${where}.id is not a system id`);
  const result: SystemRecord = {
    id,
    // Shown on every screen: whoever edited the file must not reach the terminal through it.
    name: cleanText(string(record.name, `${where}.name`)),
    address: string(record.address, `${where}.address`),
  };
  if (record.fingerprint !== undefined) result.fingerprint = string(record.fingerprint, `${where}.fingerprint`);
  if (record.transport !== undefined) {
    if (record.transport !== 'jsonrpc' && record.transport !== 'rest') {
      throw new ShapeError(`${where}.transport is neither "jsonrpc" nor "rest"`);
    }
    result.transport = record.transport;
  }
  if (record.username !== undefined) result.username = string(record.username, `${where}.username`);
  if (record.login !== undefined) {
    if (record.login !== 'scram') throw new ShapeError(`${where}.login is not "scram"`);
    result.login = record.login;
  }
  return result;
}

function keyringRecord(value: unknown, systemIds: Set<string>, filePath: string): KeyringRecord {
  const record = object(value, 'keyring');
  const kdfValue = object(record.kdf, 'keyring.kdf');
  if (kdfValue.alg !== KDF_ALG) throw new ShapeError(`keyring.kdf.alg is not "${KDF_ALG}"`);
  const kdf: KdfRecord = {
    alg: KDF_ALG,
    opslimit: number(kdfValue.opslimit, 'keyring.kdf.opslimit'),
    memlimit: number(kdfValue.memlimit, 'keyring.kdf.memlimit'),
    salt: base64(kdfValue.salt, 'keyring.kdf.salt', SALT_BYTES),
  };
  // Refused here, on read, so that a tampered file fails at once instead of hanging an unlock.
  const problem = kdfParamsProblem(kdf);
  if (problem) throw new KdfParamsError(problem, filePath);
  const entriesValue = object(record.entries, 'keyring.entries');
  const entries: Record<string, StoredEntry> = {};
  for (const [systemId, entry] of Object.entries(entriesValue)) {
    const where = `keyring.entries[${JSON.stringify(systemId)}]`;
    if (!systemIds.has(systemId)) throw new ShapeError(`${where} belongs to no listed system`);
    entries[systemId] = storedEntry(entry, where);
  }
  const wrappedKey = sealedBox(record.wrappedKey, 'keyring.wrappedKey');
  if (!WRAPPED_KEY_BYTES.includes(Buffer.byteLength(wrappedKey.box, 'base64') - MAC_BYTES)) {
    throw new ShapeError('keyring.wrappedKey.box does not hold a data key');
  }
  return {
    name: cleanText(string(record.name, 'keyring.name')),
    kdf,
    wrappedKey,
    entries,
    auth: recordMacs(record.auth),
  };
}

function recordMacs(value: unknown): RecordMacs {
  const record = object(value, 'keyring.auth');
  return {
    systems: tagMap(record.systems, 'keyring.auth.systems'),
    entries: tagMap(record.entries, 'keyring.auth.entries'),
    leftovers: tagMap(record.leftovers, 'keyring.auth.leftovers'),
  };
}

/** A map of MACs; null-prototype, since its keys come from the file (`__proto__` included). */
function tagMap(value: unknown, where: string): Record<string, string> {
  const tags: Record<string, string> = Object.create(null);
  for (const [key, tag] of Object.entries(object(value, where))) tags[key] = base64(tag, `${where}[${JSON.stringify(key)}]`);
  return tags;
}

function storedEntry(value: unknown, where: string): StoredEntry {
  const record = object(value, where);
  return { ...sealedBox(record, where), meta: entryMeta(record.meta, `${where}.meta`) };
}

function entryMeta(value: unknown, where: string): EntryMeta {
  const meta = object(value, where);
  return {
    keyId: number(meta.keyId, `${where}.keyId`),
    keyName: string(meta.keyName, `${where}.keyName`),
    username: string(meta.username, `${where}.username`),
    storedAt: string(meta.storedAt, `${where}.storedAt`),
  };
}

/** A box with room for its MAC and more; the wrapped key's exact sizes are checked by its caller. */
function sealedBox(value: unknown, where: string): SealedBox {
  const record = object(value, where);
  const nonce = base64(record.nonce, `${where}.nonce`, NONCE_BYTES);
  const box = base64(record.box, `${where}.box`);
  if (Buffer.byteLength(box, 'base64') <= MAC_BYTES) throw new ShapeError(`${where}.box is too short`);
  return { nonce, box };
}

const LEFTOVER_WHY: readonly LeftoverWhy[] = ['pending', 'unstored', 'undeleted', 'reset'];

function leftover(value: unknown, where: string): LeftoverKey {
  const record = object(value, where);
  if (!LEFTOVER_WHY.includes(record.why as LeftoverWhy)) {
    throw new ShapeError(`${where}.why is not one of ${LEFTOVER_WHY.map((why) => `"${why}"`).join(', ')}`);
  }
  return {
    systemId: string(record.systemId, `${where}.systemId`),
    systemName: cleanText(string(record.systemName, `${where}.systemName`)),
    address: string(record.address, `${where}.address`),
    keyId: record.keyId === null ? null : number(record.keyId, `${where}.keyId`),
    keyName: string(record.keyName, `${where}.keyName`),
    username: string(record.username, `${where}.username`),
    why: record.why as LeftoverWhy,
  };
}

/** A caller's system record, copied with only the known fields; a TypeError names what is wrong. */
export function validSystem(value: unknown): SystemRecord {
  return asInput(() => system(value, 'system'));
}

export function validEntryMeta(value: unknown): EntryMeta {
  return asInput(() => entryMeta(value, 'meta'));
}

export function validLeftover(value: unknown): LeftoverKey {
  return asInput(() => leftover(value, 'leftover'));
}

function asInput<T>(validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof ShapeError) throw new TypeError(`Invalid input: ${error.message}`);
    throw error;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (!isObject(value)) throw new ShapeError(`${where} is not an object`);
  return value;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${where} is not a list`);
  return value;
}

function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${where} is not a string`);
  return value;
}

function number(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value)) throw new ShapeError(`${where} is not a whole number`);
  return value as number;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64(value: unknown, where: string, bytes?: number): string {
  const text = string(value, where);
  if (!BASE64.test(text)) throw new ShapeError(`${where} is not base64`);
  if (bytes !== undefined && Buffer.byteLength(text, 'base64') !== bytes) {
    throw new ShapeError(`${where} does not hold ${bytes} bytes`);
  }
  return text;
}
