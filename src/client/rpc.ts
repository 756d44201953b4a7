import { ClientError } from './errors.js';
import { RpcCallError, RpcConnection } from './jsonrpc.js';
import { ScramError, channelBindingData, scramClientFinal, scramClientFirst, scramVerifyServerFinal } from './scram.js';
import type { Link, SignInRequest } from './link.js';
import type { ApiKeyCredential, FailureReason, MintedKey } from './types.js';
import { parseSystemDetails } from './health.js';
import { isTncKeyName } from './key-names.js';
import { isObject, parseCreatedKey } from './wire.js';

/** TrueNAS lets a fat-fingered code be retried three times after the first. */
const MAX_OTP_ATTEMPTS = 4;

/** One session for one operation; `refused` is what a rejected login credential means. */
export async function withRpc<T>(link: Link, refused: FailureReason, work: (conn: RpcConnection) => Promise<T>): Promise<T> {
  const conn = await RpcConnection.open(link, refused);
  try {
    return await work(conn);
  } finally {
    conn.close();
  }
}

function responseType(answer: unknown): string {
  if (!isObject(answer) || typeof answer.response_type !== 'string') {
    throw new ClientError('protocol error', 'protocol error: unexpected auth.login_ex answer');
  }
  return answer.response_type;
}

function loginFailure(type: string, refused: FailureReason): ClientError {
  switch (type) {
    case 'EXPIRED':
      // For a key: past its expires_at (or revoked for use over an insecure transport).
      if (refused === 'key rejected') return new ClientError('key expired', 'key expired: login answered EXPIRED');
      return new ClientError(refused, `${refused}: login answered ${type}`);
    case 'AUTH_ERR':
    case 'DENIED':
      return new ClientError(refused, `${refused}: login answered ${type}`);
    default:
      return new ClientError('protocol error', `protocol error: unexpected login answer ${type}`);
  }
}

/** API_KEY_PLAIN: the key itself goes to the server, over the verified TLS connection. */
export async function keyLogin(conn: RpcConnection, cred: ApiKeyCredential): Promise<void> {
  const type = responseType(
    await conn.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: cred.username, api_key: cred.apiKey }]),
  );
  if (type !== 'SUCCESS') throw loginFailure(type, 'key rejected');
}

/** The failure a SCRAM step stands for, in the client's reasons. */
function scramFailure(err: ScramError): ClientError {
  switch (err.kind) {
    case 'server not verified':
      return new ClientError('untrusted', 'untrusted: the server could not prove it holds this key (SCRAM server signature wrong)');
    case 'unsupported certificate':
      return new ClientError('TLS error', `TLS error: ${err.message}`);
    case 'malformed message':
    case 'unsafe parameters':
      return new ClientError('protocol error', `protocol error: ${err.message}`);
    default:
      return new ClientError('key rejected', `key rejected: ${err.message}`);
  }
}

/**
 * SCRAM-SHA-512 bound to this TLS connection (tls-server-end-point): the key never crosses
 * the wire, and the server proves it knows the key too. `required`: the system accepted SCRAM
 * before, so a server that refuses the mechanism now is a downgrade, not a reason to fall back.
 */
export async function scramLogin(conn: RpcConnection, cred: ApiKeyCredential, required: boolean): Promise<void> {
  const keyId = Number(/^(\d+)-/.exec(cred.apiKey)?.[1]);
  const certificate = conn.peerCertificate();
  if (certificate === undefined) throw new ClientError('TLS error', 'TLS error: no server certificate to bind SCRAM to');
  try {
    const first = scramClientFirst({ username: cred.username, keyId, channelBinding: channelBindingData(certificate) });
    const serverFirst = await scramStep(conn, 'CLIENT_FIRST_MESSAGE', first.message, 'SERVER_FIRST_RESPONSE', required);
    const final = await scramClientFinal(first.state, serverFirst, cred.apiKey);
    const serverFinal = await scramStep(conn, 'CLIENT_FINAL_MESSAGE', final.message, 'SERVER_FINAL_RESPONSE', false);
    scramVerifyServerFinal(final.expectedServerSignature, serverFinal);
  } catch (err) {
    throw err instanceof ScramError ? scramFailure(err) : err;
  }
}

async function scramStep(conn: RpcConnection, scramType: string, message: string, expected: string, required: boolean): Promise<string> {
  let answer: unknown;
  try {
    answer = await conn.call('auth.login_ex', [{ mechanism: 'SCRAM', scram_type: scramType, rfc_str: message }]);
  } catch (err) {
    // A server that does not know the mechanism answers with a validation error.
    if (required && err instanceof RpcCallError && err.reason !== 'rate limited') {
      throw new ClientError('login downgraded', 'login downgraded: the system no longer accepts SCRAM key logins');
    }
    throw err;
  }
  const type = responseType(answer);
  if (type !== 'SCRAM_RESPONSE') throw loginFailure(type, 'key rejected');
  const { scram_type: step, rfc_str: text } = answer as { scram_type?: unknown; rfc_str?: unknown };
  if (step !== expected || typeof text !== 'string') throw new ClientError('protocol error', `protocol error: unexpected SCRAM answer to ${scramType}`);
  return text;
}

async function loginWithPassword(conn: RpcConnection, link: Link, request: SignInRequest): Promise<void> {
  let type = responseType(
    await conn.call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: request.username, password: request.password }]),
  );
  for (let attempt = 1; type === 'OTP_REQUIRED'; attempt++) {
    if (request.askOtp === undefined) throw new ClientError('2FA required');
    if (attempt > MAX_OTP_ATTEMPTS) throw new ClientError('bad credentials', 'bad credentials: wrong 2FA code');
    const otp = await link.deadline.paused(request.askOtp());
    if (otp === null) throw new ClientError('cancelled');
    type = responseType(await conn.call('auth.login_ex', [{ mechanism: 'OTP_TOKEN', otp_token: otp }]));
    if (type === 'AUTH_ERR') throw new ClientError('bad credentials', 'bad credentials: wrong 2FA code');
  }
  if (type !== 'SUCCESS') throw loginFailure(type, 'bad credentials');
}

/** 25.04.1 to 25.10 allow a user ten keys (PAM_TDB_MAX_KEYS): api_key.create says so. */
const KEY_LIMIT = /per-user API key limit/i;

/**
 * A refusal the server answered to `api_key.create` leaves no key behind: say so to the caller.
 * At the key limit, also say which of the user's keys are tnc's (the ones safe to delete).
 */
async function notCreated(conn: RpcConnection, username: string, err: unknown): Promise<unknown> {
  if (!(err instanceof RpcCallError)) return err;
  const said = err.details.serverReason ?? '';
  // A missing role says more than "not created" (and created nothing either).
  if (!KEY_LIMIT.test(said)) return new RpcCallError(err.reason, err.message, err.hint === 'not permitted' ? err.hint : 'not created', err.details);
  const keys = await conn.call('api_key.query', [[['username', '=', username]]]).catch(() => []);
  const keyNames = (Array.isArray(keys) ? keys : [])
    .flatMap((key) => (isObject(key) && typeof key.name === 'string' ? [key.name] : []))
    .filter(isTncKeyName);
  return new ClientError('key limit', `key limit: ${said}`, 'not created', { serverReason: said, keyNames });
}

export async function rpcSignIn(conn: RpcConnection, link: Link, request: SignInRequest): Promise<Omit<MintedKey, 'transport'>> {
  await loginWithPassword(conn, link, request);
  // Read before minting: a key is only created once nothing else can fail the sign-in.
  // A user without the READONLY_ADMIN role may not read system.info; that is no reason to fail.
  const info = await conn.call('system.info').then(parseSystemDetails, (err: unknown) => {
    if (err instanceof RpcCallError && err.reason === 'server error') return undefined;
    throw err;
  });
  await request.onCreating?.(request.keyName);
  const answer = await conn.call('api_key.create', [{ name: request.keyName, username: request.username }]).catch(async (err: unknown) => {
    throw await notCreated(conn, request.username, err);
  });
  const created = parseCreatedKey(answer, request.keyName);
  return {
    keyId: created.id,
    keyName: created.name,
    username: created.username ?? request.username,
    key: created.key,
    ...(info === undefined ? {} : { info }),
  };
}


