import { ClientError } from './errors.js';
import { httpRequest, type HttpReply, type HttpRequest } from './http.js';
import type { Link, SignInRequest } from './link.js';
import { deleteByName } from './key-names.js';
import { RestSession } from './session.js';
import type { FailureReason, MintedKey, SystemInfo } from './types.js';
import { parseSystemDetails } from './health.js';
import { isObject, parseCreatedKey } from './wire.js';

// REST v2.0: TrueNAS up to 24.10 (and, deprecated, 25.x). Only chosen when /api/versions is 404.
const API = '/api/v2.0';
/**
 * What the 24.04/24.10 web UI gives a new key: everything. A 24.10 key may call only what its
 * allowlist names, and an empty one authorizes nothing (middleware utils/allowlist.py).
 */
const FULL_ALLOWLIST = [{ method: '*', resource: '*' }];

function send(link: Link, request: HttpRequest): Promise<HttpReply> {
  return httpRequest(link.origin, link.endpoint, link.trust, link.deadline.signal, request);
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** The messages of a REST validation error: `{message}` or `{attribute: [{message, errno}]}`. */
function validationText(body: unknown): string {
  if (!isObject(body)) return '';
  if (typeof body.message === 'string') return body.message;
  return Object.entries(body)
    .flatMap(([attribute, errors]) =>
      (Array.isArray(errors) ? errors : []).flatMap((e) => (isObject(e) && typeof e.message === 'string' ? [`${attribute}: ${e.message}`] : [])),
    )
    .join('; ');
}

/**
 * With 2FA on, TrueNAS refuses HTTP Basic for every account (middleware: "HTTP Basic Auth is
 * unavailable when OTP is enabled"), and 24.10 has no other way to sign in over REST.
 */
const BASIC_WITH_OTP = /Basic Auth is unavailable when OTP is enabled/i;

/** What a non-2xx answer means; `refused` is the reason for 401/403 with this credential. */
function failure(reply: HttpReply, what: string, refused: FailureReason): ClientError {
  const { status } = reply;
  if (status === 401 && BASIC_WITH_OTP.test(reply.text)) {
    return new ClientError('2FA on REST', `2FA on REST: HTTP 401 on ${what}: ${reply.text.trim()}`);
  }
  if (status === 401 || status === 403) return new ClientError(refused, `${refused}: HTTP ${status} on ${what}`);
  if (status === 422) {
    const said = validationText(reply.body);
    return new ClientError('server error', `server error: HTTP 422 on ${what}: ${said}`, undefined, { serverReason: said });
  }
  if (status === 404) return new ClientError('protocol error', `protocol error: ${what} not found (HTTP 404)`, 'wrong transport');
  if (status === 429) return new ClientError('rate limited', `rate limited: HTTP 429 on ${what}`);
  if (status >= 500) return new ClientError('server error', `server error: HTTP ${status} on ${what}`);
  return new ClientError('protocol error', `protocol error: unexpected HTTP ${status} on ${what}`);
}

const ok = (reply: HttpReply): boolean => reply.status >= 200 && reply.status < 300;

async function systemInfo(link: Link, authorization: string, refused: FailureReason): Promise<SystemInfo> {
  const reply = await send(link, { method: 'GET', path: `${API}/system/info`, authorization });
  if (!ok(reply)) throw failure(reply, 'system/info', refused);
  return parseSystemDetails(reply.body);
}

export async function restSignIn(link: Link, request: SignInRequest): Promise<Omit<MintedKey, 'transport'>> {
  const authorization = basic(request.username, request.password);
  // Basic auth first on a read, so wrong credentials never reach the create call.
  const info = await systemInfo(link, authorization, 'bad credentials');
  await request.onCreating?.(request.keyName);
  // 24.10 keys have an allowlist and no owner; they authenticate as a root-level key.
  const reply = await send(link, {
    method: 'POST',
    path: `${API}/api_key`,
    authorization,
    json: { name: request.keyName, allowlist: FULL_ALLOWLIST },
  });
  if (!ok(reply)) {
    const refusal = failure(reply, 'api_key create', 'bad credentials');
    throw new ClientError(refusal.reason, refusal.message, 'not created', refusal.details);
  }
  const created = parseCreatedKey(reply.body, request.keyName);
  await proveUsable(link, authorization, request.keyName, created.key);
  return { keyId: created.id, keyName: created.name, username: created.username ?? request.username, key: created.key, info };
}

/**
 * A key tnc cannot check with is worse than none: the system would show `key rejected` right
 * after signing in. The new key must read system/info; if it cannot, it is deleted again.
 */
async function proveUsable(link: Link, authorization: string, keyName: string, key: string): Promise<void> {
  const check = await send(link, { method: 'GET', path: `${API}/system/info`, authorization: `Bearer ${key}` });
  if (ok(check)) return;
  const signedIn = new RestSession(link, authorization, link.deadline.remainingMs(), 'bad credentials');
  const deleted = await deleteByName(signedIn, { keyName }, { signal: link.deadline.signal }).then(
    () => true,
    () => false,
  );
  throw new ClientError(
    'server error',
    `server error: the new API key may not read system/info (HTTP ${check.status}), so tnc could not check with it; ${deleted ? 'it was deleted again' : 'deleting it failed'}`,
    deleted ? 'not created' : undefined,
  );
}

