import { performance } from 'node:perf_hooks';
import { ClientError } from './errors.js';

/**
 * One operation's time budget and cancellation. Its signal aborts with a ClientError
 * (`timeout` or `cancelled`) that every layer rethrows as is, so the first cause wins.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #outer: readonly AbortSignal[];
  readonly #onOuterAbort = (): void => this.#abort(new ClientError('cancelled'));
  readonly #timeoutMs: number;
  #remainingMs: number;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number, outer: ReadonlyArray<AbortSignal | undefined> = []) {
    this.#timeoutMs = timeoutMs;
    this.#remainingMs = timeoutMs;
    this.#outer = outer.filter((s): s is AbortSignal => s !== undefined);
    for (const s of this.#outer) {
      if (s.aborted) this.#onOuterAbort();
      else s.addEventListener('abort', this.#onOuterAbort, { once: true });
    }
    this.#startClock();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Rejects with the abort reason as soon as the deadline passes or the caller cancels. */
  get aborted(): Promise<never> {
    const signal = this.signal;
    return new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  /**
   * Stops the clock while `waiting` runs (a person typing a 2FA code is not the server
   * being slow); cancellation still applies.
   */
  async paused<T>(waiting: Promise<T>): Promise<T> {
    this.#stopClock();
    try {
      return await Promise.race([waiting, this.aborted]);
    } finally {
      if (!this.signal.aborted) this.#startClock();
    }
  }

  dispose(): void {
    this.#stopClock();
    for (const s of this.#outer) s.removeEventListener('abort', this.#onOuterAbort);
  }

  #startClock(): void {
    if (this.signal.aborted) return;
    this.#startedAt = performance.now();
    this.#timer = setTimeout(
      () => this.#abort(new ClientError('timeout', `timeout: no answer within ${this.#timeoutMs} ms`)),
      this.#remainingMs,
    );
  }

  #stopClock(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#remainingMs = Math.max(0, this.#remainingMs - (performance.now() - this.#startedAt));
  }

  #abort(reason: ClientError): void {
    this.#stopClock();
    this.#controller.abort(reason);
  }
}
