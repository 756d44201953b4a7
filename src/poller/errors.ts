import type { StatusReason } from './types.js';

/** Why the keyring cannot give a check its key. */
export type KeyUnavailableReason = 'no key' | 'locked' | 'damaged';

/** A check that never reached the network because the keyring has no usable key for it. */
export class KeyUnavailableError extends Error {
  override readonly name = 'KeyUnavailableError';
  constructor(readonly reason: KeyUnavailableReason) {
    super(reason);
  }
}

// Exhaustive by type, so a reason added to the union cannot be forgotten here.
const KNOWN_REASONS: Record<StatusReason, true> = {
  unreachable: true,
  timeout: true,
  'certificate changed': true,
  untrusted: true,
  'TLS error': true,
  'key rejected': true,
  'bad credentials': true,
  'rate limited': true,
  '2FA required': true,
  'server error': true,
  'protocol error': true,
  'insecure address': true,
  'invalid address': true,
  cancelled: true,
  locked: true,
  'no key': true,
  damaged: true,
};

/**
 * The status reason a failed check stands for. Errors that carry a known `reason`
 * (the client's ClientError, KeyUnavailableError) keep it; anything else is a fault we
 * cannot name better than 'server error'.
 */
export function reasonOf(error: unknown): StatusReason {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && Object.hasOwn(KNOWN_REASONS, reason)
    ? (reason as StatusReason)
    : 'server error';
}
