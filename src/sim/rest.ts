// HTTP side of a simulated system: `GET /api/versions` and REST v2.0 (24.10 to 25.10) as the
// middleware's restful.py serves it: aiohttp routes per method, Basic/Bearer authentication, the
// caller's allowlist for authorization (403 with an empty body), and its error statuses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { GARBAGE, answer, isAbort, type SimContext } from './context.js';
import { EINVAL, SimCallError, SimException, SimValidationError } from './errors.js';
import { isLoopback } from './loopback.js';
import { lookupMethod, methodsOf, restAllowlist, type Caller } from './methods.js';
import { RELEASES, currentApi } from './release.js';
import { ROOT } from './system-state.js';

interface HttpReply {
  status: number;
  body: string;
  type: string | null;
}

interface Route {
  verb: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The aiohttp resource, which is also what allowlists name. */
  resource: string;
  method: string;
  /** How the request becomes arguments (restful.py `Resource.do`). */
  kind: 'plain' | 'filterable' | 'item-get' | 'item' | 'body' | 'item-body';
}

const ROUTES: readonly Route[] = [
  { verb: 'GET', resource: '/system/info', method: 'system.info', kind: 'plain' },
  { verb: 'GET', resource: '/auth/me', method: 'auth.me', kind: 'plain' },
  { verb: 'GET', resource: '/api_key', method: 'api_key.query', kind: 'filterable' },
  { verb: 'POST', resource: '/api_key', method: 'api_key.create', kind: 'body' },
  { verb: 'GET', resource: '/api_key/id/{id_}', method: 'api_key.query', kind: 'item-get' },
  { verb: 'PUT', resource: '/api_key/id/{id_}', method: 'api_key.update', kind: 'item-body' },
  { verb: 'DELETE', resource: '/api_key/id/{id_}', method: 'api_key.delete', kind: 'item' },
  { verb: 'GET', resource: '/api_key/my_keys', method: 'api_key.my_keys', kind: 'plain' },
  { verb: 'GET', resource: '/alert/list', method: 'alert.list', kind: 'plain' },
  { verb: 'GET', resource: '/pool', method: 'pool.query', kind: 'filterable' },
  { verb: 'GET', resource: '/pool/id/{id_}', method: 'pool.query', kind: 'item-get' },
  { verb: 'POST', resource: '/update/check_available', method: 'update.check_available', kind: 'body' },
  { verb: 'GET', resource: '/update/status', method: 'update.status', kind: 'plain' },
];

const MAX_BODY = 64 * 1024;
/** restful.py's `_filterable_args` operator names. */
const OP_MAP: Record<string, string> = { eq: '=', neq: '!=', gt: '>', lt: '<', gte: '>=', lte: '<=', regex: '~' };

function json(status: number, value: unknown): HttpReply {
  return { status, body: JSON.stringify(value), type: 'application/json' };
}

/** aiohttp's `web.HTTPException(text=…)`: plain text, "<status>: <reason>" when no text is given. */
function text(status: number, body: string): HttpReply {
  return { status, body, type: 'text/plain; charset=utf-8' };
}

const NOT_FOUND = text(404, '404: Not Found');
const METHOD_NOT_ALLOWED = text(405, '405: Method Not Allowed');
const UNAUTHORIZED = text(401, '401: Unauthorized');
/** `resp.set_status(403); return resp`: no body at all. */
const FORBIDDEN: HttpReply = { status: 403, body: '', type: null };
/** What aiohttp answers for an exception that escapes a handler (e.g. a Bearer key whose id no longer exists). */
const SERVER_ERROR = text(500, '500 Internal Server Error\n\nServer got itself in trouble');

function send(res: ServerResponse, reply: HttpReply): void {
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(reply.body) };
  if (reply.type) headers['Content-Type'] = reply.type;
  res.writeHead(reply.status, headers);
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

function match(ctx: SimContext, path: string): { routes: Route[]; resource: string; id?: string } | null {
  const methods = methodsOf(ctx.state.version);
  const trailing = path.length > 1 && path.endsWith('/');
  const bare = trailing ? path.slice(0, -1) : path;
  // Which resources have `/id/{id_}` routes is for ROUTES to say.
  const id = /^(\/.+)\/id\/([^/]+)$/.exec(bare);
  const template = id ? `${id[1]}/id/{id_}` : bare;
  const routes = ROUTES.filter((r) => r.resource === template && lookupMethod(methods, r.method));
  if (routes.length === 0) return null;
  return { routes, resource: trailing ? `${template}/` : template, ...(id ? { id: decodeURIComponent(id[2]!) } : {}) };
}

async function route(ctx: SimContext, req: IncomingMessage): Promise<HttpReply> {
  const url = new URL(req.url ?? '/', 'https://simulator');
  const release = RELEASES[ctx.state.version];
  if (url.pathname === '/api/versions' && req.method === 'GET') return release.apiVersions ? json(200, release.apiVersions) : NOT_FOUND;
  if (!release.rest || !url.pathname.startsWith('/api/v2.0/')) return NOT_FOUND;
  const found = match(ctx, url.pathname.slice('/api/v2.0'.length));
  if (!found) return NOT_FOUND;
  const routeFor = found.routes.find((r) => r.verb === req.method);
  if (!routeFor) return METHOD_NOT_ALLOWED;
  ctx.state.countCall(routeFor.method);

  const caller = await authenticate(ctx, req);
  if ('status' in caller) return caller;
  // The body is parsed before the authorization check, as in `Resource.do`.
  const body = await readBody(req);
  if (!body.ok) return body.reply;
  if (!restAllowlist(caller).authorize(routeFor.verb, found.resource)) return FORBIDDEN;
  try {
    const args = restArgs(routeFor, found.id, url.searchParams, body.value);
    const spec = lookupMethod(methodsOf(ctx.state.version), routeFor.method)!;
    const result = await spec.run({ state: ctx.state, caller, apiVersion: currentApi(ctx.state.version) }, args);
    return json(200, result);
  } catch (err) {
    return errorReply(err);
  }
}

/** What `Resource.do` turns an exception into. */
function errorReply(err: unknown): HttpReply {
  if (err instanceof SimCallError) return json(422, { message: err.message, errno: err.errno });
  if (err instanceof SimValidationError) {
    const body: Record<string, { message: string; errno: number }[]> = {};
    for (const [attr, message, errno] of err.entries) (body[String(attr)] ??= []).push({ message, errno });
    return json(422, body);
  }
  if (err instanceof SimException) {
    if (err.matchNotFound) return json(404, { message: err.text });
    return json(500, { message: err.text, traceback: `Traceback (most recent call last):\n${err.text}\n` });
  }
  throw err;
}

/** A primary key from the URL: digits become an int, anything else stays a string. */
function primaryKey(raw: string): number | string {
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

/** `_filterable_args`' conversion of `limit`/`offset`/`count`: digits, then true/false/1/0. */
function convertOption(value: string): unknown {
  if (/^\d+$/.test(value)) return Number(value);
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return value;
}

/** …and of filter values and `sort` items, which also know null. */
function convert(value: string): unknown {
  return value.toLowerCase() === 'null' ? null : convertOption(value);
}

/** `_filterable_args`: `field=value`, `field__op=value`, `limit`/`offset`/`count`, `sort`, `extra.*`. */
function filterableArgs(params: URLSearchParams): unknown[] {
  const filters: unknown[] = [];
  const options: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (key === 'limit' || key === 'offset' || key === 'count') {
      options[key] = convertOption(value);
    } else if (key === 'sort') {
      options.sort = value.split(',').map(convert);
    } else if (key.startsWith('extra.')) {
      try {
        extra[key.slice('extra.'.length)] = JSON.parse(value);
      } catch {
        extra[key.slice('extra.'.length)] = value;
      }
    } else {
      const split = key.indexOf('__');
      const [field, op] = split < 0 ? [key, '='] : [key.slice(0, split), key.slice(split + 2)];
      filters.push([field, OP_MAP[op] ?? op, convert(value)]);
    }
  }
  if (Object.keys(extra).length > 0) options.extra = extra;
  return filters.length > 0 || Object.keys(options).length > 0 ? [filters, options] : [];
}

function restArgs(r: Route, id: string | undefined, params: URLSearchParams, body: unknown): unknown[] {
  switch (r.kind) {
    case 'filterable':
      return filterableArgs(params);
    case 'item-get':
      return [[['id', '=', primaryKey(id!)]], { get: true, force_sql_filters: true, extra: {} }];
    case 'item':
      return [primaryKey(id!)];
    case 'body':
      return body === undefined ? [] : [body];
    case 'item-body':
      return body === undefined ? [primaryKey(id!)] : [primaryKey(id!), body];
    default:
      return [];
  }
}

/** The request body (undefined when empty), or the answer a body gets that is not JSON. */
async function readBody(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; reply: HttpReply }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY) return { ok: false, reply: text(413, '413: Request Entity Too Large') };
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (err) {
    return { ok: false, reply: json(400, { message: `json parse error: ${(err as Error).message}`, errno: EINVAL }) };
  }
}

/**
 * restful.py `authenticate`. Basic is refused outright while 2FA is on (for every account);
 * failures cost the PAM fail delay. 24.10 checks a key against its own table (an unknown id is
 * just invalid); later releases look the key up first, so a deleted key's id escapes as a 500.
 */
async function authenticate(ctx: SimContext, req: IncomingMessage): Promise<Caller | HttpReply> {
  const header = req.headers.authorization;
  const record = (mechanism: string, username: string | undefined, result: string) =>
    ctx.state.recordLogin({ mechanism, username, ok: result === 'SUCCESS', result, transport: 'rest' });
  if (header?.startsWith('Token ')) return text(403, 'Invalid token');
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return SERVER_ERROR;
    const username = decoded.slice(0, colon);
    if (ctx.state.twoFactorEnabled) {
      record('PASSWORD_PLAIN', username, 'AUTH_ERR');
      return text(401, 'HTTP Basic Auth is unavailable when OTP is enabled');
    }
    const user = ctx.state.checkPassword(username, decoded.slice(colon + 1));
    record('PASSWORD_PLAIN', username, user ? 'SUCCESS' : 'AUTH_ERR');
    if (!user) {
      await ctx.failDelay();
      return text(401, 'Bad username or password');
    }
    return { principal: user, credential: 'PASSWORD' };
  }
  if (header?.startsWith('Bearer ')) {
    const key = header.slice('Bearer '.length);
    const socket = req.socket as TLSSocket;
    const check = ctx.state.checkKey(key, undefined, socket.encrypted === true || isLoopback(socket.remoteAddress));
    const legacy = !RELEASES[ctx.state.version].userKeys;
    if (check.outcome === 'SUCCESS') {
      record('API_KEY_PLAIN', check.principal.username, 'SUCCESS');
      return legacy ? { principal: ROOT, credential: 'API_KEY', legacyKey: check.key } : { principal: check.principal, credential: 'API_KEY' };
    }
    record('API_KEY_PLAIN', undefined, check.outcome);
    if (check.outcome === 'AUTH_ERR' && check.unknownId && !legacy) return SERVER_ERROR;
    if (!legacy) await ctx.failDelay();
    return text(401, 'Invalid API key');
  }
  return UNAUTHORIZED;
}
