// A session with one system under one API key: on JSON-RPC systems one WebSocket, logged in
// once and kept (as TrueNAS Connect does), so that checks do not cost every NAS a PBKDF2 key
// verification and an audit entry each interval; on REST-only systems (24.10), which have no
// sessions, one authenticated request per call behind the same interface.
import { ClientError, redacted, toClientError } from './errors.js';
import { httpRequest, type HttpRequest } from './http.js';
import { RpcCallError, RpcConnection } from './jsonrpc.js';
import type { Link } from './link.js';
import { keyLogin, scramLogin } from './rpc.js';
import { Deadline } from './deadline.js';
import type { ApiKeyCredential, CallOptions, FailureReason, Transport } from './types.js';

/**
 * How a key logs in. `scram`: SCRAM-SHA-512 with channel binding or nothing (the system
 * accepted SCRAM once; a server that stops offering it is `login downgraded`). `auto`: SCRAM
 * when the server offers it, else API_KEY_PLAIN over the pinned TLS connection.
 */
export type LoginPolicy = 'scram' | 'auto';

export interface Session {
  readonly transport: Transport;
  /** How the key logged in: never `plain` once a system has done `scram`. */
  readonly login: 'scram' | 'plain' | 'bearer';
  /**
   * One call. A TrueNAS error answer is an RpcCallError (hint `not permitted` for a missing
   * role) and leaves the session usable; any other failure ends it.
   */
  call(method: string, params?: unknown[], opts?: CallOptions): Promise<unknown>;
  readonly alive: boolean;
  close(): void;
}

const API = '/api/v2.0';

type Route = Pick<HttpRequest, 'method' | 'path'>;

/**
 * The REST v2.0 routes of the JSON-RPC methods tnc calls on 24.10. Query filters are not
 * sent: callers of `api_key.query` pick what they need from the whole list.
 */
const REST_ROUTES: Record<string, (params: unknown[]) => Route | undefined> = {
  'system.info': () => ({ method: 'GET', path: `${API}/system/info` }),
  'alert.list': () => ({ method: 'GET', path: `${API}/alert/list` }),
  'pool.query': () => ({ method: 'GET', path: `${API}/pool` }),
  'update.check_available': () => ({ method: 'POST', path: `${API}/update/check_available` }),
  'update.status': () => ({ method: 'GET', path: `${API}/update/status` }),
  'auth.me': () => ({ method: 'GET', path: `${API}/auth/me` }),
  'api_key.query': () => ({ method: 'GET', path: `${API}/api_key` }),
  'api_key.delete': ([id]) => (Number.isSafeInteger(id) ? { method: 'DELETE', path: `${API}/api_key/id/${id as number}` } : undefined),
};

export class RpcSession implements Session {
  readonly transport = 'jsonrpc' as const;

  constructor(
    private readonly conn: RpcConnection,
    readonly login: 'scram' | 'plain',
    private readonly defaultTimeoutMs: number,
    private readonly secrets: readonly string[],
  ) {}

  static async open(link: Link, cred: ApiKeyCredential, policy: LoginPolicy, defaultTimeoutMs: number): Promise<RpcSession> {
    const conn = await RpcConnection.open(link, 'key rejected');
    try {
      const login = await loginWith(conn, cred, policy);
      conn.keep();
      return new RpcSession(conn, login, defaultTimeoutMs, [cred.apiKey]);
    } catch (err) {
      conn.close();
      throw err;
    }
  }

  get alive(): boolean {
    return this.conn.alive;
  }

  async call(method: string, params: unknown[] = [], opts: CallOptions = {}): Promise<unknown> {
    const deadline = new Deadline(opts.timeoutMs ?? this.defaultTimeoutMs, opts.signal);
    try {
      return await this.conn.call(method, params, deadline.signal);
    } catch (err) {
      const failure = redacted(toClientError(err), this.secrets);
      // A call that timed out leaves a connection whose state nobody knows: start afresh.
      if (!(failure instanceof RpcCallError)) this.conn.close();
      throw failure;
    } finally {
      deadline.dispose();
    }
  }

  close(): void {
    this.conn.close();
  }
}

/**
 * 24.10: no sessions, so every call is a request with the credential (Bearer key, or Basic
 * during a sign-in). `refused` is what a 401 means for that credential.
 */
export class RestSession implements Session {
  readonly transport = 'rest' as const;
  readonly login = 'bearer' as const;
  #closed = false;

  constructor(
    private readonly link: Omit<Link, 'deadline'>,
    private readonly authorization: string,
    private readonly defaultTimeoutMs: number,
    private readonly refused: FailureReason = 'key rejected',
  ) {}

  static forKey(link: Omit<Link, 'deadline'>, cred: ApiKeyCredential, defaultTimeoutMs: number): RestSession {
    return new RestSession(link, `Bearer ${cred.apiKey}`, defaultTimeoutMs);
  }

  get alive(): boolean {
    return !this.#closed;
  }

  async call(method: string, params: unknown[] = [], opts: CallOptions = {}): Promise<unknown> {
    const route = REST_ROUTES[method]?.(params);
    if (!route) throw new RpcCallError('protocol error', `protocol error: ${method} is not available over REST (TrueNAS 24.10)`, 'wrong transport');
    const deadline = new Deadline(opts.timeoutMs ?? this.defaultTimeoutMs, opts.signal);
    try {
      const reply = await httpRequest(this.link.origin, this.link.endpoint, this.link.trust, deadline.signal, {
        ...route,
        authorization: this.authorization,
        ...(route.method === 'POST' ? { json: {} } : {}),
      });
      if (reply.status >= 200 && reply.status < 300) return reply.body;
      if (reply.status === 401) throw new ClientError(this.refused, `${this.refused}: HTTP 401 on ${route.path}`);
      // 403: the key's allowlist (or the role REST needs) does not cover this route.
      if (reply.status === 403) throw new RpcCallError('server error', `server error: HTTP 403 on ${route.path}`, 'not permitted');
      if (reply.status === 404) {
        const hint = route.method === 'DELETE' ? 'not found' : 'wrong transport';
        throw new RpcCallError('protocol error', `protocol error: ${route.path} not found (HTTP 404)`, hint);
      }
      if (reply.status === 429) throw new ClientError('rate limited', `rate limited: HTTP 429 on ${route.path}`);
      if (reply.status >= 500) throw new ClientError('server error', `server error: HTTP ${reply.status} on ${route.path}`);
      throw new ClientError('protocol error', `protocol error: unexpected HTTP ${reply.status} on ${route.path}`);
    } catch (err) {
      throw redacted(toClientError(err), [this.authorization]);
    } finally {
      deadline.dispose();
    }
  }

  close(): void {
    this.#closed = true;
  }
}

async function loginWith(conn: RpcConnection, cred: ApiKeyCredential, policy: LoginPolicy): Promise<'scram' | 'plain'> {
  if (policy === 'scram' || (await offersScram(conn))) {
    await scramLogin(conn, cred, policy === 'scram');
    return 'scram';
  }
  await keyLogin(conn, cred);
  return 'plain';
}

/**
 * `auth.mechanism_choices` lists SCRAM on TrueNAS 26. Releases before it refuse the call
 * until login (25.x answers EINVAL) or lack it: that is a no, not a failure. A malformed or
 * rate-limited answer is a failure.
 */
async function offersScram(conn: RpcConnection): Promise<boolean> {
  try {
    const choices = await conn.call('auth.mechanism_choices');
    return Array.isArray(choices) && choices.includes('SCRAM');
  } catch (err) {
    if (err instanceof RpcCallError && err.reason !== 'protocol error' && err.reason !== 'rate limited') return false;
    if (err instanceof RpcCallError && err.hint === 'wrong transport') return false;
    throw err;
  }
}
