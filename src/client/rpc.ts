import { ClientError } from './errors.js';
import { RpcCallError, RpcConnection } from './jsonrpc.js';
import { idsNamed } from './key-names.js';
import type { Link, SignInRequest } from './link.js';
import type { ApiKeyCredential, FailureReason, KeyRef, MintedKey, SystemInfo } from './types.js';
import { isObject, parseCreatedKey, parseSystemInfo } from './wire.js';

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
    case 'AUTH_ERR':
    case 'EXPIRED':
    case 'DENIED':
      return new ClientError(refused, `${refused}: login answered ${type}`);
    default:
      return new ClientError('protocol error', `protocol error: unexpected login answer ${type}`);
  }
}

async function loginWithKey(conn: RpcConnection, cred: ApiKeyCredential): Promise<void> {
  const type = responseType(
    await conn.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: cred.username, api_key: cred.apiKey }]),
  );
  if (type !== 'SUCCESS') throw loginFailure(type, 'key rejected');
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

/** Deletes the key with this name, read back first; one that is already gone counts as deleted. */
async function deleteByName(conn: RpcConnection, key: KeyRef): Promise<void> {
  const ids = idsNamed(await conn.call('api_key.query', [[['name', '=', key.keyName]]]), key.keyName);
  for (const id of ids) {
    try {
      await conn.call('api_key.delete', [id]);
    } catch (err) {
      if (!(err instanceof ClientError && err.hint === 'not found')) throw err;
    }
  }
}

/** A refusal the server answered to `api_key.create` leaves no key behind: say so to the caller. */
function notCreated(err: unknown): unknown {
  return err instanceof RpcCallError ? new RpcCallError(err.reason, err.message, 'not created') : err;
}

export async function rpcSignIn(conn: RpcConnection, link: Link, request: SignInRequest): Promise<Omit<MintedKey, 'transport'>> {
  await loginWithPassword(conn, link, request);
  // Read before minting: a key is only created once nothing else can fail the sign-in.
  // A user without the READONLY_ADMIN role may not read system.info; that is no reason to fail.
  const info = await conn.call('system.info').then(parseSystemInfo, (err: unknown) => {
    if (err instanceof RpcCallError && err.reason === 'server error') return undefined;
    throw err;
  });
  await request.onCreating?.(request.keyName);
  const answer = await conn.call('api_key.create', [{ name: request.keyName, username: request.username }]).catch((err: unknown) => {
    throw notCreated(err);
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

export async function rpcCheck(conn: RpcConnection, cred: ApiKeyCredential): Promise<SystemInfo> {
  await loginWithKey(conn, cred);
  return parseSystemInfo(await conn.call('system.info'));
}

/** One call of the caller's choice in a session logged in with the key (`tnc call`). */
export async function rpcCall(conn: RpcConnection, cred: ApiKeyCredential, method: string, params: unknown[]): Promise<unknown> {
  await loginWithKey(conn, cred);
  return conn.call(method, params);
}

export async function rpcDeleteKey(conn: RpcConnection, cred: ApiKeyCredential, key: KeyRef): Promise<void> {
  await loginWithKey(conn, cred);
  await deleteByName(conn, key);
}
