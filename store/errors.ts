// Typed store errors: the UI tells them apart by class or by `code`. Messages never carry secrets.

export type StoreErrorCode =
  | 'FILE'
  | 'KDF_PARAMS'
  | 'KDF_FAILED'
  | 'WRONG_PASSPHRASE'
  | 'LOCKED'
  | 'DAMAGED_ENTRY'
  | 'RECORD_CHANGED'
  | 'NOT_FOUND'
  | 'KEYRING_EXISTS'
  | 'NO_KEYRING'
  | 'CONFLICT'
  | 'LOCK_BUSY'
  | 'LOCK_LOST';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The keyring file (or its directory) cannot be used as it is; it has been left untouched. */
export class StoreFileError extends StoreError {
  constructor(
    readonly filePath: string,
    readonly problem: string,
  ) {
    super('FILE', `${filePath}: ${problem}`);
  }
}

/**
 * KDF parameters outside the sane bounds, refused before any derivation could hang or exhaust
 * memory. `filePath` is set when they came from the keyring file (which is left untouched).
 */
export class KdfParamsError extends StoreError {
  constructor(
    readonly problem: string,
    readonly filePath?: string,
  ) {
    super('KDF_PARAMS', filePath === undefined ? problem : `${filePath}: ${problem}`);
  }
}

export class WrongPassphraseError extends StoreError {
  constructor() {
    super('WRONG_PASSPHRASE', 'Wrong passphrase');
  }
}

export class LockedError extends StoreError {
  constructor(message = 'The keyring is locked') {
    super('LOCKED', message);
  }
}

/** One entry failed to open (tampered, corrupted, or moved from another system); others are unaffected. */
export class DamagedEntryError extends StoreError {
  constructor(readonly systemId: string) {
    super('DAMAGED_ENTRY', `The stored key for system ${systemId} is damaged`);
  }
}

export class NotFoundError extends StoreError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

/**
 * A system's record (address, fingerprint, transport, username) or its key's metadata is not
 * what the keyring vouched for: the file was edited outside tnc. Its key is not used.
 */
export class RecordChangedError extends StoreError {
  constructor(readonly systemId: string) {
    super('RECORD_CHANGED', `The record of system ${systemId} was changed outside tnc`);
  }
}
