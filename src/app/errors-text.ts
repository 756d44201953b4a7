// One line for the dialog or the status line out of any error. Never a stack trace, and
// never a library's message that might echo a request (with its credentials) back.
import { StoreError } from '../../store/errors.js';
import { ClientError } from '../client/errors.js';
import type { FailureReason } from '../client/types.js';

const REASON_TEXT: Record<FailureReason, string> = {
  unreachable: 'Cannot reach the system',
  timeout: 'The system did not answer in time',
  'certificate changed': 'The certificate changed since it was trusted',
  untrusted: 'The certificate is not trusted',
  'TLS error': 'The TLS connection failed',
  'key rejected': 'The API key was rejected',
  'key expired': 'The API key has expired',
  'login downgraded': 'The system no longer offers SCRAM key logins, which it accepted before: refusing to send the key itself',
  'bad credentials': 'Wrong username or password',
  'rate limited': 'Too many sign-in attempts: wait a minute and try again',
  '2FA required': 'The account needs a 2FA code',
  'server error': 'The server reported an error',
  'protocol error': 'The server does not answer like TrueNAS',
  'insecure address': 'Only https addresses are allowed',
  'invalid address': 'Not a valid address',
  'not a tnc key': 'Not an API key tnc minted: it was left alone',
  'key limit':
    'The user already has the most API keys TrueNAS allows: delete one in TrueNAS under Credentials → Users → API keys (the User API Key screen), then sign in again',
  '2FA on REST':
    'Two-factor authentication is on for this system, and TrueNAS 24.10 then refuses password sign-in over its REST API for every account: upgrade to TrueNAS 25.04 or later, or sign in as an administrator the 2FA rule does not cover',
  cancelled: 'Cancelled',
};

const MAX_LENGTH = 160;

function firstLine(text: string): string {
  const line = text.split('\n')[0]?.trim() ?? '';
  return line.length > MAX_LENGTH ? `${line.slice(0, MAX_LENGTH - 1)}…` : line;
}

export function reasonOf(error: unknown): FailureReason | undefined {
  const reason = (error as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && Object.hasOwn(REASON_TEXT, reason) ? (reason as FailureReason) : undefined;
}

/**
 * Client errors speak through their reason, except address errors whose own message says
 * what is wrong with what the user typed; store errors are written for the user already.
 */
export function errorText(error: unknown): string {
  const reason = reasonOf(error);
  if (reason === 'invalid address' || reason === 'insecure address') return firstLine((error as Error).message);
  const details = error instanceof ClientError ? error.details : {};
  const hint = error instanceof ClientError ? error.hint : undefined;
  if (reason === 'server error' && hint === 'not permitted') {
    const said = details.serverReason ? ` (TrueNAS said: ${firstLine(details.serverReason)})` : '';
    return `This user lacks the TrueNAS role for it: sign in as an administrator${said}`;
  }
  // When TrueNAS said why, its words say more than any summary of ours.
  if (reason === 'server error' && details.serverReason) return `TrueNAS refused: ${firstLine(details.serverReason)}`;
  if (reason === 'key limit' && details.keyNames?.length) {
    return `${REASON_TEXT[reason]}. Keys tnc made there that this keyring does not hold: ${details.keyNames.join(', ')}`;
  }
  if (reason) return REASON_TEXT[reason];
  if (error instanceof StoreError) return firstLine(error.message);
  return error instanceof Error ? `Unexpected error: ${firstLine(error.message)}` : 'Unexpected error';
}
