import { cleanText } from '../../store/clean-text.js';
import type { FailureReason } from './types.js';

// Exhaustive by type, so a reason added to FailureReason cannot be forgotten here.
const FAILURE_REASON_SET: Record<FailureReason, true> = {
  unreachable: true,
  timeout: true,
  'certificate changed': true,
  untrusted: true,
  'TLS error': true,
  'key rejected': true,
  'key expired': true,
  'login downgraded': true,
  'bad credentials': true,
  'rate limited': true,
  '2FA required': true,
  'server error': true,
  'protocol error': true,
  'insecure address': true,
  'invalid address': true,
  'not a tnc key': true,
  'key limit': true,
  '2FA on REST': true,
  cancelled: true,
};

export function isFailureReason(value: unknown): value is FailureReason {
  return typeof value === 'string' && Object.hasOwn(FAILURE_REASON_SET, value);
}

/**
 * What a caller may need beyond the reason: `not found` lets deletes be idempotent,
 * `wrong transport` tells the client to re-discover before giving up, `not created` says
 * the server answered `api_key.create` with a refusal (so no key exists to clean up),
 * `not permitted` that the caller lacks the role for a method (its data is simply unknown;
 * a create it refused created nothing).
 */
export type ErrorHint = 'not found' | 'wrong transport' | 'not created' | 'not permitted';

/** Longest message a ClientError keeps: server text is quoted in some, and must stay one line. */
const MAX_MESSAGE = 500;

/** What a server said beyond the reason, for the one line a person reads. */
export interface ErrorDetails {
  /** The server's own words (TrueNAS's `reason` or validation messages), cleaned. */
  serverReason?: string;
  /** `key limit`: the `tnc-…` keys the user has on the server. */
  keyNames?: readonly string[];
}

/**
 * The only error the client throws. It never carries the underlying error as `cause`:
 * library errors (got's in particular) hold request options with Authorization headers.
 */

export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly reason: FailureReason;
  readonly hint?: ErrorHint;
  readonly details: ErrorDetails;

  constructor(reason: FailureReason, message?: string, hint?: ErrorHint, details: ErrorDetails = {}) {
    // Messages quote what servers said: cleaned here, once, for every error the client throws.
    super(cleanText(message ?? reason, MAX_MESSAGE));
    this.reason = reason;
    this.hint = hint;
    this.details = {
      ...(details.serverReason === undefined ? {} : { serverReason: cleanText(details.serverReason, MAX_MESSAGE) }),
      ...(details.keyNames === undefined ? {} : { keyNames: details.keyNames.map((name) => cleanText(name)) }),
    };
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

// OpenSSL's complaints when the peer's bytes are not TLS records at all: the server is
// speaking something else, which is a protocol problem rather than a TLS policy failure.
const NOT_TLS_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_UNEXPECTED_RECORD',
  'ERR_SSL_UNEXPECTED_MESSAGE',
  'ERR_SSL_DECODE_ERROR',
  'ERR_SSL_EXCESSIVE_MESSAGE_SIZE',
]);

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Maps whatever a socket, TLS, HTTP or WebSocket layer threw to a ClientError. */
export function toClientError(err: unknown): ClientError {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ClientError) return e;
  }
  const code = errorCode(err);
  const detail = errorMessage(err);
  if (code === undefined) return new ClientError('protocol error', `protocol error: ${detail}`);
  if (UNREACHABLE_CODES.has(code)) return new ClientError('unreachable', `unreachable: ${detail}`);
  if (code === 'ETIMEDOUT') return new ClientError('timeout', `timeout: ${detail}`);
  if (NOT_TLS_CODES.has(code)) return new ClientError('protocol error', `not a TLS server: ${detail}`);
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return new ClientError('TLS error', `TLS error: ${detail}`);
  }
  if (code.startsWith('HPE_') || code.startsWith('WS_ERR_')) {
    return new ClientError('protocol error', `protocol error: ${detail}`);
  }
  return new ClientError('protocol error', `protocol error: ${detail} (${code})`);
}

/** Removes every secret from a message (and the server's words) that may echo server-supplied text. */
export function redacted(err: ClientError, secrets: readonly string[]): ClientError {
  const said = err.details.serverReason ?? '';
  const present = secrets.filter((s) => s.length > 0 && (err.message.includes(s) || said.includes(s)));
  if (present.length === 0) return err;
  const scrub = (text: string) => present.reduce((m, s) => m.split(s).join('***'), text);
  const details = err.details.serverReason === undefined ? err.details : { ...err.details, serverReason: scrub(said) };
  return new (err.constructor as typeof ClientError)(err.reason, scrub(err.message), err.hint, details);
}
