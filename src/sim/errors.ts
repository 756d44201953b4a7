// Failures of simulated middleware calls; each transport renders them in its own wire shape.
// The three kinds mirror the middleware's: `CallError`, `ValidationErrors`, and any other Python
// exception (which JSON-RPC reports as EINVAL with the bare exception text, and REST as a 500).

export const ENOENT = 2;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EINVAL = 22;
export const ENOMETHOD = 201;
export const ENOTAUTHENTICATED = 207;

const ERRNAMES: Record<number, string> = {
  [ENOENT]: 'ENOENT',
  [EACCES]: 'EACCES',
  [EFAULT]: 'EFAULT',
  [EBUSY]: 'EBUSY',
  [EINVAL]: 'EINVAL',
  [ENOMETHOD]: 'ENOMETHOD',
  [ENOTAUTHENTICATED]: 'ENOTAUTHENTICATED',
};

export function errname(errno: number): string {
  return ERRNAMES[errno] ?? 'EUNKNOWN';
}

/** `[attribute, message, errno]`, the middleware's `ValidationErrors` entries; `null` attribute as in `InstanceNotFound`. */
export type ValidationEntry = [attribute: string | null, message: string, errno: number];

export class SimValidationError extends Error {
  constructor(readonly entries: ValidationEntry[]) {
    super(entries.map(([attr, msg]) => `${attr}: ${msg}`).join('\n'));
  }

  /** `str(ValidationErrors)`: one `[ERRNAME] attribute: message` line per entry (Python prints a null attribute as None). */
  get reason(): string {
    return this.entries.map(([attr, msg, errno]) => `[${errname(errno)}] ${attr ?? 'None'}: ${msg}\n`).join('');
  }
}

/** A middleware `CallError`: the message is rendered as `[ERRNAME] message` like the real one. */
export class SimCallError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }

  get reason(): string {
    return `[${errname(this.errno)}] ${this.message}`;
  }
}

/**
 * Any other exception escaping a method: JSON-RPC answers EINVAL with `str(e) or repr(e)`, REST a
 * 500 — except `MatchNotFound` (a `get` query without a match), which REST answers with a 404.
 */
export class SimException extends Error {
  constructor(
    /** What JSON-RPC puts in `reason`. */
    readonly reason: string,
    /** `str(e)`, what REST puts in `message`. */
    readonly text: string = reason,
    readonly matchNotFound = false,
  ) {
    super(reason);
  }
}

export function matchNotFound(): SimException {
  return new SimException('MatchNotFound()', '', true);
}

export function invalid(attr: string | null, message: string, errno = EINVAL): SimValidationError {
  return new SimValidationError([[attr, message, errno]]);
}

/** What `get_instance` raises for an unknown id (a ValidationError with no attribute and ENOENT). */
export function instanceNotFound(verboseName: string, id: unknown): SimValidationError {
  return invalid(null, `${verboseName} ${String(id)} does not exist`, ENOENT);
}

export function notAuthorized(): SimCallError {
  return new SimCallError(EACCES, 'Not authorized');
}
