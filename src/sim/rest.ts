// HTTP side of a simulated system: `GET /api/versions` and REST v2.0 (TrueNAS 24.10 and 25.x).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { GARBAGE, answer, isAbort, type SimContext } from './context.js';
import { EINVAL, ENOENT, SimCallError, SimValidationError } from './errors.js';
import { isLoopback } from './loopback.js';
import { API_VERSIONS, systemInfo } from './system-info.js';
import type { Principal } from './system-state.js';
import { userInfo, type Credential } from './user-info.js';

interface HttpReply {
  status: number;
  body: string;
  type: string;
}

interface Caller {
  principal: Principal;
  credential: Credential;
}

const MAX_BODY = 64 * 1024;
const KEY_PATH = /^\/api_key\/id\/(\d+)$/;

function json(status: number, value: unknown): HttpReply {
  return { status, body: JSON.stringify(value), type: 'application/json' };
}

const NOT_FOUND = json(404, { message: '' });
// What aiohttp answers for an unhandled exception, which is how real servers treat a Bearer key
// whose id no longer exists.
const SERVER_ERROR: HttpReply = {
  status: 500,
  body: '500 Internal Server Error\n\nServer got itself in trouble',
  type: 'text/plain; charset=utf-8',
};

function send(res: ServerResponse, reply: HttpReply): void {
  res.writeHead(reply.status, { 'Content-Type': reply.type, 'Content-Length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

/** Answers one HTTP request under the system's current fault; never rejects. */
export async function handleHttp(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (ctx.fault === 'hang') return;
  try {
    const reply = await route(ctx, req);
    await answer(
      ctx,
      () => send(res, reply),
      () => send(res, { status: 200, body: GARBAGE, type: 'application/json' }),
    );
  } catch (err) {
    if (isAbort(err)) return;
    send(res, SERVER_ERROR);
  }
}

async function route(ctx: SimContext, req: IncomingMessage): Promise<HttpReply> {
  const path = new URL(req.url ?? '/', 'https://simulator').pathname;
  if (path === '/api/versions' && req.method === 'GET') {
    const versions = API_VERSIONS[ctx.state.version];
    return versions ? json(200, versions) : NOT_FOUND;
  }
  if (!path.startsWith('/api/v2.0/') || ctx.state.version === '26') return NOT_FOUND;
  const caller = await authenticate(ctx, req);
  if ('status' in caller) return caller;
  try {
    return await restCall(ctx, caller, req.method ?? 'GET', path.slice('/api/v2.0'.length), req);
  } catch (err) {
    if (err instanceof SimValidationError) return validationReply(err);
    if (err instanceof SimCallError && err.errno === ENOENT) return NOT_FOUND;
    throw err;
  }
}

async function restCall(ctx: SimContext, caller: Caller, method: string, path: string, req: IncomingMessage): Promise<HttpReply> {
  const { state } = ctx;
  const keyId = KEY_PATH.exec(path)?.[1];
  switch (`${method} ${keyId === undefined ? path : '/api_key/id/{id}'}`) {
    case 'GET /system/info':
      return json(200, systemInfo(state));
    case 'GET /auth/me':
      return json(200, userInfo(caller.principal, caller.credential));
    case 'GET /api_key':
      return json(200, state.keyRecords().map((k) => state.entryShape(k)));
    case 'POST /api_key': {
      const body = await readJson(req);
      const request = { name: body.name, username: body.username, expiresAt: body.expires_at, allowlist: body.allowlist };
      return json(200, state.issuedShape(state.createKey(request, caller.principal, 'api_key_create')));
    }
    case 'GET /api_key/id/{id}':
      return json(200, state.entryShape(state.key(Number(keyId))));
    case 'PUT /api_key/id/{id}': {
      return json(200, state.issuedShape(state.updateKey(Number(keyId), await readJson(req), 'api_key_update')));
    }
    case 'DELETE /api_key/id/{id}':
      state.deleteKey(Number(keyId));
      return json(200, true);
    default:
      return NOT_FOUND;
  }
}

function validationReply(err: SimValidationError): HttpReply {
  const body: Record<string, { message: string; errno: number }[]> = {};
  for (const [attr, message, errno] of err.entries) (body[attr] ??= []).push({ message, errno });
  return json(422, body);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY) throw new SimValidationError([['body', 'Request body too large', EINVAL]]);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new SimValidationError([['body', 'Invalid JSON', EINVAL]]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SimValidationError([['body', 'Input should be a valid dictionary', EINVAL]]);
  }
  return value as Record<string, unknown>;
}

/** Basic (refused for 2FA accounts) or Bearer; a failure costs the PAM delay like on JSON-RPC. */
async function authenticate(ctx: SimContext, req: IncomingMessage): Promise<Caller | HttpReply> {
  const match = /^(Basic|Bearer) +(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return json(401, { message: 'Authentication required' });
  const record = (mechanism: string, username: string | undefined, result: string) =>
    ctx.state.recordLogin({ mechanism, username, ok: result === 'SUCCESS', result, transport: 'rest' });
  if (match[1]!.toLowerCase() === 'basic') {
    const decoded = Buffer.from(match[2]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const user = colon < 0 ? null : ctx.state.checkPassword(username, decoded.slice(colon + 1));
    if (!user || user.otp !== undefined) {
      record('PASSWORD_PLAIN', username, 'AUTH_ERR');
      await ctx.failDelay();
      return json(401, { message: 'Bad username or password' });
    }
    record('PASSWORD_PLAIN', username, 'SUCCESS');
    return { principal: user, credential: 'PASSWORD' };
  }
  const socket = req.socket as TLSSocket;
  const check = ctx.state.checkKey(match[2]!, undefined, socket.encrypted === true || isLoopback(socket.remoteAddress));
  if (check.outcome === 'SUCCESS') {
    record('API_KEY_PLAIN', check.principal.username, 'SUCCESS');
    return { principal: check.principal, credential: 'API_KEY' };
  }
  record('API_KEY_PLAIN', undefined, check.outcome);
  if (check.outcome === 'AUTH_ERR' && check.unknownId) return SERVER_ERROR;
  await ctx.failDelay();
  return json(401, { message: 'Invalid API key' });
}
