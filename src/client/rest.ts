import { ClientError } from './errors.js';
import { httpRequest, type HttpReply, type HttpRequest } from './http.js';
import type { Link, SignInRequest } from './link.js';
import type { ApiKeyCredential, FailureReason, MintedKey, SystemInfo } from './types.js';
import { parseCreatedKey, parseSystemInfo } from './wire.js';

// REST v2.0: TrueNAS up to 24.10 (and, deprecated, 25.x). Only chosen when /api/versions is 404.
const API = '/api/v2.0';

function send(link: Link, request: HttpRequest): Promise<HttpReply> {
  return httpRequest(link.origin, link.endpoint, link.trust, link.deadline.signal, request);
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function bearer(cred: ApiKeyCredential): string {
  return `Bearer ${cred.apiKey}`;
}

/** What a non-2xx answer means; `refused` is the reason for 401/403 with this credential. */
function failure(reply: HttpReply, what: string, refused: FailureReason): ClientError {
  const { status } = reply;
  if (status === 401 || status === 403) return new ClientError(refused, `${refused}: HTTP ${status} on ${what}`);
  if (status === 404) return new ClientError('protocol error', `protocol error: ${what} not found (HTTP 404)`, 'wrong transport');
  if (status === 429) return new ClientError('rate limited', `rate limited: HTTP 429 on ${what}`);
  if (status >= 500) return new ClientError('server error', `server error: HTTP ${status} on ${what}`);
  return new ClientError('protocol error', `protocol error: unexpected HTTP ${status} on ${what}`);
}

const ok = (reply: HttpReply): boolean => reply.status >= 200 && reply.status < 300;

async function systemInfo(link: Link, authorization: string, refused: FailureReason): Promise<SystemInfo> {
  const reply = await send(link, { method: 'GET', path: `${API}/system/info`, authorization });
  if (!ok(reply)) throw failure(reply, 'system/info', refused);
  return parseSystemInfo(reply.body);
}

/** Deletes a key; one that is already gone counts as deleted. */
async function deleteById(link: Link, authorization: string, keyId: number, refused: FailureReason): Promise<void> {
  const reply = await send(link, { method: 'DELETE', path: `${API}/api_key/id/${keyId}`, authorization });
  if (ok(reply) || reply.status === 404) return;
  throw failure(reply, 'api_key delete', refused);
}

export async function restSignIn(link: Link, request: SignInRequest): Promise<Omit<MintedKey, 'transport'>> {
  const authorization = basic(request.username, request.password);
  // Basic auth first on a read, so wrong credentials never reach the create call.
  const info = await systemInfo(link, authorization, 'bad credentials');
  // 24.10 keys have an allowlist and no owner; they authenticate as a root-level key.
  const reply = await send(link, {
    method: 'POST',
    path: `${API}/api_key`,
    authorization,
    json: { name: request.keyName, allowlist: [] },
  });
  if (!ok(reply)) throw failure(reply, 'api_key create', 'bad credentials');
  const created = parseCreatedKey(reply.body);
  const minted = { keyId: created.id, keyName: created.name, username: created.username ?? request.username, key: created.key, info };
  if (request.replaceKeyId === undefined) return minted;
  const oldKeyDeleted = await deleteById(link, authorization, request.replaceKeyId, 'bad credentials').then(
    () => true,
    () => false,
  );
  return { ...minted, oldKeyDeleted };
}

export function restCheck(link: Link, cred: ApiKeyCredential): Promise<SystemInfo> {
  return systemInfo(link, bearer(cred), 'key rejected');
}

export async function restDeleteKey(link: Link, cred: ApiKeyCredential, keyId: number): Promise<void> {
  // A 404 on DELETE means "no such key" only once the REST API itself has answered.
  await systemInfo(link, bearer(cred), 'key rejected');
  await deleteById(link, bearer(cred), keyId, 'key rejected');
}
