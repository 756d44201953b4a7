// What request handlers need from the system that serves them, and how faults shape an answer.
import { type SimFault } from './types.js';
import type { SystemState } from './system-state.js';

export interface SimContext {
  readonly state: SystemState;
  readonly fault: SimFault;
  readonly slowMs: number;
  /** Resolves after `ms`; rejects with an AbortError when the system closes. */
  sleep(ms: number): Promise<void>;
  /** The PAM fail delay after a rejected credential. */
  failDelay(): Promise<void>;
  /** Counts one unauthenticated call; false once the caller is over the rate limit. */
  withinRateLimit(method: string, clientIp: string): boolean;
  /** How long a rate-limited caller waits for its error. */
  readonly rateLimitDelayMs: number;
}

/** Bytes that no JSON parser accepts, sent in place of every answer by the `garbage` fault. */
export const GARBAGE = '\u0000\u00ff<html>not json {';

/** Sends one answer the way the current fault allows: late, never, or as garbage. */
export async function answer(ctx: SimContext, proper: () => void, garbage: () => void): Promise<void> {
  if (ctx.fault === 'slow') await ctx.sleep(ctx.slowMs);
  switch (ctx.fault) {
    case 'hang':
    case 'down':
      return;
    case 'garbage':
      garbage();
      return;
    default:
      proper();
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
