// The keyring file format: its shape, its version, the migrations that bring older versions
// forward, and the validation every read goes through.
import { KdfParamsError, StoreFileError } from './errors.js';
import { MAC_BYTES, NONCE_BYTES, KEY_BYTES, SALT_BYTES, type SealedBox } from './crypto.js';
import { KDF_ALG, kdfParamsProblem } from './kdf.js';
import type { EntryMeta, KdfParams, LeftoverKey, SystemRecord } from './types.js';

export const FILE_FORMAT = 'tnc-keyring';
export const FILE_VERSION = 1;

export interface StoredEntry extends SealedBox {
  meta: EntryMeta;
}

export interface KdfRecord extends KdfParams {
  alg: typeof KDF_ALG;
  /** base64 of SALT_BYTES random bytes */
  salt: string;
}

export interface KeyringRecord {
  name: string;
  kdf: KdfRecord;
  /** The data key, sealed with the passphrase-derived key. */
  wrappedKey: SealedBox;
  /** By system id: that system's API key, sealed with the data key. */
  entries: Record<string, StoredEntry>;
}

export interface KeyringFile {
  format: typeof FILE_FORMAT;
  version: typeof FILE_VERSION;
  systems: SystemRecord[];
  keyring: KeyringRecord | null;
  leftovers: LeftoverKey[];
}

export function emptyKeyringFile(): KeyringFile {
  return { format: FILE_FORMAT, version: FILE_VERSION, systems: [], keyring: null, leftovers: [] };
}

/** Turns a version-n document into version n+1. */
export type Migration = (document: Record<string, unknown>) => Record<string, unknown>;

/** MIGRATIONS.get(n) migrates version n to n+1. Version 1 is the first format, so none exist yet. */
export const MIGRATIONS: ReadonlyMap<number, Migration> = new Map();

/** Parses, migrates and validates the file's text; anything unusable is a StoreFileError naming the file. */
export function parseKeyringFile(
  text: string,
  filePath: string,
  migrations: ReadonlyMap<number, Migration> = MIGRATIONS,
): KeyringFile {
  if (text.trim() === '') throw new StoreFileError(filePath, 'the file is empty');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StoreFileError(filePath, jsonProblem((error as Error).message, text));
  }
  if (!isObject(document) || document.format !== FILE_FORMAT) {
    throw new StoreFileError(filePath, `not a tnc keyring file (unknown format; expected "${FILE_FORMAT}")`);
  }
  const version = document.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) {
    throw new StoreFileError(filePath, 'the format version is missing or not a whole number');
  }
  if (version > FILE_VERSION) {
    throw new StoreFileError(
      filePath,
      `written by a newer tnc (format version ${version}; this tnc reads up to ${FILE_VERSION}): upgrade tnc`,
    );
  }
  let migrated: Record<string, unknown> = document;
  for (let from = version; from < FILE_VERSION; from++) {
    const step = migrations.get(from);
    if (!step) throw new StoreFileError(filePath, `format version ${from} is too old to be migrated`);
    migrated = { ...step(migrated), version: from + 1 };
  }
  return validate(migrated, filePath);
}

// The parser's own message may quote file content; keep only where it broke. Breaking at the
// very end means the text stops early: the usual trace of an interrupted copy or a full disk.
function jsonProblem(parserMessage: string, text: string): string {
  const match = /position (\d+)/.exec(parserMessage);
  const position = match ? Number(match[1]) : undefined;
  if (/end of JSON input/.test(parserMessage) || (position !== undefined && position >= text.trimEnd().length)) {
    return 'the file is truncated (its JSON ends early)';
  }
  return `the file is not valid JSON${position === undefined ? '' : ` (at character ${position})`}`;
}

/** A shape problem, named by where it is in the document. */
class ShapeError extends Error {}

function validate(document: Record<string, unknown>, filePath: string): KeyringFile {
  try {
    const systems = array(document.systems, 'systems').map((item, i) => system(item, `systems[${i}]`));
    const ids = new Set<string>();
    for (const { id } of systems) {
      if (ids.has(id)) throw new ShapeError(`system id ${id} appears twice`);
      ids.add(id);
    }
    const keyring = document.keyring === null ? null : keyringRecord(document.keyring, ids, filePath);
    const leftovers = array(document.leftovers, 'leftovers').map((item, i) => leftover(item, `leftovers[${i}]`));
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
    name: string(record.name, `${where}.name`),
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
  return {
    name: string(record.name, 'keyring.name'),
    kdf,
    wrappedKey: sealedBox(record.wrappedKey, 'keyring.wrappedKey', KEY_BYTES),
    entries,
  };
}

function storedEntry(value: unknown, where: string): StoredEntry {
  const record = object(value, where);
  const meta = object(record.meta, `${where}.meta`);
  return {
    ...sealedBox(record, where),
    meta: {
      keyId: number(meta.keyId, `${where}.meta.keyId`),
      keyName: string(meta.keyName, `${where}.meta.keyName`),
      username: string(meta.username, `${where}.meta.username`),
      storedAt: string(meta.storedAt, `${where}.meta.storedAt`),
    },
  };
}

/** `plaintextBytes` is exact for the wrapped key; entries only need room for the MAC. */
function sealedBox(value: unknown, where: string, plaintextBytes?: number): SealedBox {
  const record = object(value, where);
  const nonce = base64(record.nonce, `${where}.nonce`, NONCE_BYTES);
  const box = base64(record.box, `${where}.box`, plaintextBytes === undefined ? undefined : plaintextBytes + MAC_BYTES);
  if (plaintextBytes === undefined && Buffer.byteLength(box, 'base64') <= MAC_BYTES) {
    throw new ShapeError(`${where}.box is too short`);
  }
  return { nonce, box };
}

function leftover(value: unknown, where: string): LeftoverKey {
  const record = object(value, where);
  if (record.why !== 'reset' && record.why !== 'unstored') {
    throw new ShapeError(`${where}.why is neither "reset" nor "unstored"`);
  }
  return {
    systemId: string(record.systemId, `${where}.systemId`),
    systemName: string(record.systemName, `${where}.systemName`),
    address: string(record.address, `${where}.address`),
    keyId: number(record.keyId, `${where}.keyId`),
    keyName: string(record.keyName, `${where}.keyName`),
    username: string(record.username, `${where}.username`),
    why: record.why,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
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
