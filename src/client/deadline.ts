import { performance } from 'node:perf_hooks';
import { ClientError } from './errors.js';

/**
 * One operation's time budget and cancellation. Its signal aborts with a ClientError
 * (`timeout` or `cancelled`) that every layer rethrows as is, so the first cause wins.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = (): void => this.cancel();
  readonly #timeoutMs: number;
  #remainingMs: number;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `caller` is the caller's own signal: aborting it cancels the operation. */
  constructor(timeoutMs: number, caller?: AbortSignal) {
    this.#timeoutMs = timeoutMs;
    this.#remainingMs = timeoutMs;
    this.#caller = caller;
    if (caller?.aborted) this.cancel();
    else caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
    this.#startClock();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Stops the clock while `waiting` runs (a person typing a 2FA code is not the server
   * being slow); cancellation still applies.
   */
  async paused<T>(waiting: Promise<T>): Promise<T> {
    this.#stopClock();
    const signal = this.signal;
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([waiting, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#startClock();
    }
  }

  /** What is left of the budget (the clock may be running). */
  remainingMs(): number {
    const running = this.#timer === undefined ? 0 : performance.now() - this.#startedAt;
    return Math.max(1, this.#remainingMs - running);
  }

  /** Ends the operation now, as `cancelled`. */
  cancel(): void {
    this.#abort(new ClientError('cancelled'));
  }

  dispose(): void {
    this.#stopClock();
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
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
    if (this.signal.aborted) return;
    this.#stopClock();
    this.#controller.abort(reason);
  }
}
