// One JSON-RPC 2.0 WebSocket session of a simulated TrueNAS 25.04+ system.
import type { RawData, WebSocket } from 'ws';
import { GARBAGE, answer, isAbort, type SimContext } from './context.js';
import { EBUSY, EINVAL, ENOENT, ENOTAUTHENTICATED, SimCallError, SimValidationError, errname } from './errors.js';
import { systemInfo } from './system-info.js';
import type { KeyRecord, Principal, UserRecord } from './system-state.js';
import { userInfo, type Credential } from './user-info.js';

/** Real servers refuse bigger messages before login. */
export const ANONYMOUS_MAX_MESSAGE = 8 * 1024;
/** …and after login (enforced by `ws` through `maxPayload`). */
export const AUTHENTICATED_MAX_MESSAGE = 64 * 1024;
const MESSAGE_TOO_BIG = 1009;
const OTP_TRIES = 3;

type Id = string | number | null;
type Params = unknown[];

interface ErrorBody {
  code: number;
  message: string;
  data?: Record<string, unknown>;
}

/** A JSON-RPC level error; `id` is the request's when it could be read. */
class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly id: Id = null,
  ) {
    super(message);
  }
}

interface Method {
  /** Callable before login. */
  anonymous?: boolean;
  /** Counts against the unauthenticated rate limit. */
  login?: boolean;
  run(session: RpcSession, params: Params): unknown;
}

const METHODS: Record<string, Method> = {
  // Real servers want a signed-in session even for a ping (authorization_required=False only
  // skips the role check); set_options is the one call that is neither authenticated nor limited.
  'core.ping': { run: () => 'pong' },
  'core.set_options': { anonymous: true, run: (s, p) => s.setOptions(objectParam(p, 0, 'core_set_options.options')) },
  'auth.login_ex': { anonymous: true, login: true, run: (s, p) => s.loginEx(objectParam(p, 0, 'auth_login_ex.login_data')) },
  'auth.login': {
    anonymous: true,
    login: true,
    run: (s, p) => s.legacyPasswordLogin(stringParam(p, 0, 'auth_login.username'), stringParam(p, 1, 'auth_login.password'), p[2]),
  },
  'auth.login_with_api_key': {
    anonymous: true,
    login: true,
    run: (s, p) => s.legacyKeyLogin(stringParam(p, 0, 'auth_login_with_api_key.api_key')),
  },
  'auth.logout': { run: (s) => s.logout() },
  'auth.me': { run: (s) => s.me() },
  'system.info': { run: (s) => systemInfo(s.ctx.state) },
  'api_key.create': {
    run: (s, p) => {
      const data = objectParam(p, 0, 'api_key_create');
      const req = { name: data.name, username: data.username, expiresAt: data.expires_at };
      return s.ctx.state.issuedShape(s.ctx.state.createKey(req, s.caller, 'api_key_create'));
    },
  },
  'api_key.update': {
    run: (s, p) => {
      const id = intParam(p, 0, 'api_key_update.id');
      return s.ctx.state.issuedShape(s.ctx.state.updateKey(id, objectParam(p, 1, 'api_key_update'), 'api_key_update'));
    },
  },
  'api_key.delete': {
    run: (s, p) => {
      s.ctx.state.deleteKey(intParam(p, 0, 'api_key_delete.id'));
      return true;
    },
  },
  'api_key.get_instance': { run: (s, p) => s.ctx.state.entryShape(s.ctx.state.key(intParam(p, 0, 'api_key_get_instance.id'))) },
  'api_key.query': { run: (s, p) => query(s.ctx.state.keyRecords(), s, p) },
  'api_key.my_keys': { run: (s) => s.ctx.state.keysOf(s.caller).map((k) => s.ctx.state.entryShape(k)) },
};

function invalid(attr: string, message: string): SimValidationError {
  return new SimValidationError([[attr, message, EINVAL]]);
}

function objectParam(params: Params, i: number, attr: string): Record<string, unknown> {
  const v = params[i];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(attr, 'Input should be a valid dictionary');
  return v as Record<string, unknown>;
}

function stringParam(params: Params, i: number, attr: string): string {
  const v = params[i];
  if (typeof v !== 'string') throw invalid(attr, 'Input should be a valid string');
  return v;
}

function stringField(data: Record<string, unknown>, key: string, attr: string): string {
  return stringParam([data[key]], 0, `${attr}.${key}`);
}

function intParam(params: Params, i: number, attr: string): number {
  const v = params[i];
  if (!Number.isInteger(v)) throw invalid(attr, 'Input should be a valid integer');
  return v as number;
}

/** `query-filters` with `=`, `!=` and `in`, and the `get` option; enough for key listings. */
function query(records: KeyRecord[], s: RpcSession, params: Params): unknown {
  const filters = params[0] ?? [];
  const options = params[1] ?? {};
  if (!Array.isArray(filters)) throw invalid('api_key_query.filters', 'Input should be a valid list');
  const rows = records.map((k) => s.ctx.state.entryShape(k));
  const matching = rows.filter((row) =>
    filters.every((f: unknown) => {
      if (!Array.isArray(f) || f.length !== 3 || typeof f[0] !== 'string') throw invalid('api_key_query.filters', 'Invalid filter');
      const [field, op, value] = f as [string, string, unknown];
      switch (op) {
        case '=':
          return row[field] === value;
        case '!=':
          return row[field] !== value;
        case 'in':
          return Array.isArray(value) && value.includes(row[field]);
        default:
          throw invalid('api_key_query.filters', `${op}: invalid filter operation`);
      }
    }),
  );
  if ((options as { get?: unknown }).get !== true) return matching;
  if (matching.length === 0) throw new SimCallError(ENOENT, 'Object not found');
  return matching[0];
}

function rawText(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function errorBody(err: unknown): ErrorBody {
  if (err instanceof ProtocolError) return { code: err.code, message: err.message };
  if (err instanceof SimValidationError) {
    return {
      code: -32602,
      message: 'Invalid params',
      data: { error: EINVAL, errname: 'EINVAL', reason: `[EINVAL] ${err.message}\n`, trace: null, extra: err.entries },
    };
  }
  if (err instanceof SimCallError) {
    return {
      code: -32001,
      message: 'Method call error',
      data: { error: err.errno, errname: errname(err.errno), reason: err.reason, trace: null, extra: null },
    };
  }
  return { code: -32603, message: 'Internal error' };
}

const SESSION_OPTIONS = ['legacy_jobs', 'private_methods', 'py_exceptions'] as const;

export class RpcSession {
  private principal: Principal | null = null;
  private readonly options: Record<(typeof SESSION_OPTIONS)[number], boolean> = {
    legacy_jobs: true,
    private_methods: false,
    py_exceptions: false,
  };
  private credential: Credential = 'PASSWORD';
  private otpChallenge: { user: UserRecord; triesLeft: number } | null = null;

  constructor(
    readonly ctx: SimContext,
    private readonly ws: WebSocket,
    private readonly clientIp: string,
    /** TLS or loopback: where an API key may be used without being revoked. */
    private readonly secureTransport: boolean,
  ) {
    ws.on('message', (data) => void this.receive(rawText(data)));
  }

  get caller(): Principal {
    return this.principal!;
  }

  setOptions(changes: Record<string, unknown>): Record<string, boolean> {
    for (const name of SESSION_OPTIONS) {
      const value = changes[name];
      if (value === undefined) continue;
      if (typeof value !== 'boolean') throw invalid(`core_set_options.options.${name}`, 'Input should be a valid boolean');
      this.options[name] = value;
    }
    return { ...this.options };
  }

  async loginEx(data: Record<string, unknown>): Promise<unknown> {
    const attr = 'auth_login_ex.login_data';
    const reply = await this.loginByMechanism(data, attr);
    // `login_options: {user_info: false}` asks for a SUCCESS without the user_info payload.
    const loginOptions = data.login_options as { user_info?: unknown } | undefined;
    if (reply.response_type === 'SUCCESS' && loginOptions?.user_info === false) reply.user_info = null;
    return reply;
  }

  private loginByMechanism(data: Record<string, unknown>, attr: string): Promise<Record<string, unknown>> {
    switch (data.mechanism) {
      case 'PASSWORD_PLAIN':
        return this.passwordLogin(stringField(data, 'username', attr), stringField(data, 'password', attr));
      case 'API_KEY_PLAIN':
        return this.keyLogin(stringField(data, 'api_key', attr), stringField(data, 'username', attr));
      case 'OTP_TOKEN':
        return this.otpLogin(stringField(data, 'otp_token', attr));
      default:
        throw invalid(`${attr}.mechanism`, "Input should be 'API_KEY_PLAIN', 'PASSWORD_PLAIN' or 'OTP_TOKEN'");
    }
  }

  async legacyPasswordLogin(username: string, password: string, otp: unknown): Promise<boolean> {
    const user = this.ctx.state.checkPassword(username, password);
    const ok = user !== null && (user.otp === undefined || user.otp === otp);
    return this.settle('auth.login', username, ok ? user : null, 'PASSWORD');
  }

  async legacyKeyLogin(key: string): Promise<boolean> {
    const check = this.ctx.state.checkKey(key, undefined, this.secureTransport);
    const principal = check.outcome === 'SUCCESS' ? check.principal : null;
    return this.settle('auth.login_with_api_key', principal?.username, principal, 'API_KEY');
  }

  logout(): boolean {
    this.principal = null;
    return true;
  }

  me(): unknown {
    return userInfo(this.caller, this.credential);
  }

  private async passwordLogin(username: string, password: string): Promise<Record<string, unknown>> {
    const user = this.ctx.state.checkPassword(username, password);
    if (user?.otp !== undefined) {
      this.otpChallenge = { user, triesLeft: OTP_TRIES };
      this.record('PASSWORD_PLAIN', username, 'OTP_REQUIRED');
      return { response_type: 'OTP_REQUIRED', username };
    }
    return this.loginResult('PASSWORD_PLAIN', username, user, 'PASSWORD');
  }

  private async keyLogin(key: string, username: string): Promise<Record<string, unknown>> {
    const check = this.ctx.state.checkKey(key, username, this.secureTransport);
    if (check.outcome === 'EXPIRED') {
      this.record('API_KEY_PLAIN', username, 'EXPIRED');
      return { response_type: 'EXPIRED' };
    }
    return this.loginResult('API_KEY_PLAIN', username, check.outcome === 'SUCCESS' ? check.principal : null, 'API_KEY');
  }

  private async otpLogin(token: string): Promise<Record<string, unknown>> {
    const challenge = this.otpChallenge;
    if (!challenge) throw new SimCallError(EINVAL, 'No pending OTP challenge');
    const { user } = challenge;
    if (token === user.otp) {
      this.otpChallenge = null;
      return this.loginResult('OTP_TOKEN', user.username, user, 'PASSWORD', 'LEVEL_2');
    }
    challenge.triesLeft -= 1;
    if (challenge.triesLeft <= 0) {
      this.otpChallenge = null;
      return this.loginResult('OTP_TOKEN', user.username, null, 'PASSWORD');
    }
    this.record('OTP_TOKEN', user.username, 'OTP_REQUIRED');
    await this.ctx.failDelay();
    return { response_type: 'OTP_REQUIRED', username: user.username };
  }

  private async loginResult(
    mechanism: string,
    username: string,
    principal: Principal | null,
    credential: Credential,
    authenticator = 'LEVEL_1',
  ): Promise<Record<string, unknown>> {
    if (!(await this.settle(mechanism, username, principal, credential))) return { response_type: 'AUTH_ERR' };
    return { response_type: 'SUCCESS', user_info: userInfo(principal!, credential), authenticator };
  }

  /** Signs the session in, or records the failure and makes the caller wait like PAM does. */
  private async settle(mechanism: string, username: string | undefined, principal: Principal | null, credential: Credential): Promise<boolean> {
    this.record(mechanism, username, principal ? 'SUCCESS' : 'AUTH_ERR');
    if (!principal) {
      await this.ctx.failDelay();
      return false;
    }
    this.principal = principal;
    this.credential = credential;
    this.otpChallenge = null;
    return true;
  }

  private record(mechanism: string, username: string | undefined, result: string): void {
    this.ctx.state.recordLogin({ mechanism, username, ok: result === 'SUCCESS', result, transport: 'jsonrpc' });
  }

  private async receive(raw: Buffer): Promise<void> {
    if (this.ctx.fault === 'hang') return;
    if (!this.principal && raw.byteLength > ANONYMOUS_MAX_MESSAGE) {
      this.ws.close(MESSAGE_TOO_BIG, 'Anonymous connection max message length is 8 kB');
      return;
    }
    let id: Id = null;
    let reply: Record<string, unknown>;
    try {
      const request = parseRequest(raw);
      id = request.id;
      const result = await this.dispatch(request.method, request.params);
      if (request.notification) return;
      reply = { jsonrpc: '2.0', id, result };
    } catch (err) {
      if (isAbort(err)) return;
      if (err instanceof ProtocolError && id === null) id = err.id;
      reply = { jsonrpc: '2.0', id, error: errorBody(err) };
    }
    try {
      await answer(
        this.ctx,
        () => this.ws.send(JSON.stringify(reply)),
        () => this.ws.send(GARBAGE),
      );
    } catch (err) {
      if (!isAbort(err)) throw err;
    }
  }

  private async dispatch(name: string, params: unknown): Promise<unknown> {
    const method = Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
    if (!method) throw new ProtocolError(-32601, 'Method not found');
    if (!this.principal && !method.anonymous) throw new SimCallError(ENOTAUTHENTICATED, 'Not authenticated');
    if (!Array.isArray(params ?? [])) throw new ProtocolError(-32602, 'Invalid params');
    const list = (params ?? []) as Params;
    if (!this.principal && method.login && !this.ctx.withinRateLimit(name, this.clientIp)) {
      const data = list[0] as { mechanism?: unknown } | undefined;
      this.record(name === 'auth.login_ex' ? String(data?.mechanism) : name, undefined, 'RATE_LIMITED');
      await this.ctx.sleep(this.ctx.rateLimitDelayMs);
      throw new SimCallError(EBUSY, 'Rate Limit Exceeded');
    }
    return method.run(this, list);
  }
}

function parseRequest(raw: Buffer): { id: Id; method: string; params: unknown; notification: boolean } {
  let msg: unknown;
  try {
    msg = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ProtocolError(-32700, 'Parse error');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new ProtocolError(-32600, 'Invalid Request');
  const m = msg as Record<string, unknown>;
  const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : null;
  if (m.jsonrpc !== '2.0' || typeof m.method !== 'string') throw new ProtocolError(-32600, 'Invalid Request', id);
  return { id, method: m.method, params: m.params, notification: !('id' in m) };
}
