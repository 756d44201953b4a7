// Failures of simulated middleware calls; each transport renders them in its own wire shape.

export const EINVAL = 22;
export const ENOENT = 2;
export const EBUSY = 16;
export const ENOTAUTHENTICATED = 207;

const ERRNAMES: Record<number, string> = {
  [ENOENT]: 'ENOENT',
  [EBUSY]: 'EBUSY',
  [EINVAL]: 'EINVAL',
  [ENOTAUTHENTICATED]: 'ENOTAUTHENTICATED',
};

export function errname(errno: number): string {
  return ERRNAMES[errno] ?? 'EFAULT';
}

/** `[attribute, message, errno]`, the middleware's `ValidationErrors` entries. */
export type ValidationEntry = [attribute: string, message: string, errno: number];

export class SimValidationError extends Error {
  constructor(readonly entries: ValidationEntry[]) {
    super(entries.map(([attr, msg]) => `${attr}: ${msg}`).join('\n'));
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

export function notFound(what: string): SimCallError {
  return new SimCallError(ENOENT, `${what} does not exist`);
}
