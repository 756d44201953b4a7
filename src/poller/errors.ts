import { isFailureReason } from '../client/errors.js';
import type { StatusReason } from './types.js';

/** Why the keyring cannot give a check its key. */
export type KeyUnavailableReason = 'no key' | 'locked' | 'damaged' | 'record changed';

/** A check that never reached the network because the keyring has no usable key for it. */
export class KeyUnavailableError extends Error {
  override readonly name = 'KeyUnavailableError';
  constructor(readonly reason: KeyUnavailableReason) {
    super(reason);
  }
}

// Exhaustive by type, like the client's list of failure reasons.
const KEY_UNAVAILABLE: Record<KeyUnavailableReason, true> = { 'no key': true, locked: true, damaged: true, 'record changed': true };

/**
 * The status reason a failed check stands for. Errors that carry a known `reason`
 * (the client's ClientError, KeyUnavailableError) keep it; anything else is a fault we
 * cannot name better than 'server error'.
 */
export function reasonOf(error: unknown): StatusReason {
  const reason = (error as { reason?: unknown } | null)?.reason;
  if (isFailureReason(reason)) return reason;
  return typeof reason === 'string' && Object.hasOwn(KEY_UNAVAILABLE, reason) ? (reason as KeyUnavailableReason) : 'server error';
}
