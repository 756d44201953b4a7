// Reading the keyring file's text: JSON, format and version checks, the migrations that bring
// older versions forward, then validation.
import { StoreFileError } from './errors.js';
import { FILE_FORMAT, FILE_VERSION, type KeyringFile } from './file-format.js';
import { isObject, validateKeyringFile } from './validate.js';

/** Turns a version-n document into version n+1. */
export type Migration = (document: Record<string, unknown>) => Record<string, unknown>;

/**
 * MIGRATIONS.get(n) migrates version n to n+1.
 * 1 -> 2: the keyring gains `auth`, the MACs of the records. A version 1 file has none; its
 * records are authenticated at the first unlock after the upgrade (the vault recognises a
 * version 1 keyring by its wrapped key and re-wraps it, so this cannot be replayed).
 */
export const MIGRATIONS: ReadonlyMap<number, Migration> = new Map([
  [
    1,
    (document) => {
      const keyring = document.keyring;
      if (!isObject(keyring)) return document;
      return { ...document, keyring: { ...keyring, auth: { systems: {}, entries: {}, leftovers: {} } } };
    },
  ],
]);

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
  return validateKeyringFile(migrated, filePath);
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
