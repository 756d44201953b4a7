// One JSON-RPC 2.0 WebSocket session of a simulated TrueNAS 25.04+ system, as the middleware's
// api/base/server/ws_handler/rpc.py handles it: message limits, request validation, method lookup
// per API version, authentication and role checks (main.py `authorize_method_call`), then the call.
import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { GARBAGE, answer, isAbort, type SimContext } from './context.js';
import {
  EBUSY,
  EFAULT,
  EINVAL,
  ENOMETHOD,
  ENOTAUTHENTICATED,
  SimCallError,
  SimException,
  SimValidationError,
  errname,
  invalid,
  notAuthorized,
} from './errors.js';
import {
  checkArity,
  checkResultModel,
  grantedRoles,
  isFullAdmin,
  lookupMethod,
  methodsOf,
  type Access,
  type Caller,
} from './methods.js';
import { RELEASES, apiBefore } from './release.js';
import { rolesAllow } from './roles.js';
import { ScramServerSession, scramLoginReply } from './scram-server.js';
import { ROOT, dictionary, isObject, type Principal, type UserRecord } from './system-state.js';
import type { SimVersion } from './types.js';
import { type Credential } from './user-info.js';

/** Real servers close an anonymous connection that sends a bigger message… */
const ANONYMOUS_MAX_MESSAGE = 8 * 1024;
/** …and an authenticated one past 64 kB. */
const AUTHENTICATED_MAX_MESSAGE = 64 * 1024;
/** What `ws` itself accepts, so that our own limits decide (the middleware's EXTENDED size). */
export const WS_MAX_PAYLOAD = 2 * 1024 * 1024;
const CLOSE_INVALID_TEXT = 1007;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_MESSAGE_TOO_BIG = 1009;
/** Wrong 2FA codes allowed after the first (MAX_OTP_ATTEMPTS). */
const OTP_RETRIES = 3;
/** The mechanisms of AA_LEVEL1 the simulator implements, in the middleware's order (no TOKEN_PLAIN). */
const MECHANISMS = ['API_KEY_PLAIN', 'PASSWORD_PLAIN'] as const;
/** The tags `auth.login_ex` accepts (AuthLoginExArgs); TOKEN_PLAIN tokens are never valid here; SCRAM from 26. */
const LOGIN_TAGS = ['API_KEY_PLAIN', 'PASSWORD_PLAIN', 'TOKEN_PLAIN', 'OTP_TOKEN', 'SCRAM'] as const;
type LoginTag = (typeof LOGIN_TAGS)[number];
const LOGIN_FIELDS: Record<LoginTag, readonly string[]> = {
  API_KEY_PLAIN: ['username', 'api_key'],
  PASSWORD_PLAIN: ['username', 'password'],
  TOKEN_PLAIN: ['token'],
  OTP_TOKEN: ['otp_token'],
  SCRAM: ['scram_type', 'rfc_str'],
};

type Id = unknown;
type Params = unknown[];
type LoginReply = Record<string, unknown>;

interface ErrorBody {
  code: number;
  message: string;
  data?: Record<string, unknown>;
}

/** A JSON-RPC level error. */
class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Methods that work on the session itself. */
interface SessionMethod {
  params: readonly string[];
  access: Access;
  run(session: RpcSession, args: Params): unknown;
}

const ANONYMOUS: Access = { kind: 'anonymous', rateLimited: true };
const SIGNED_IN: Access = { kind: 'authenticated' };

function sessionMethods(version: SimVersion): Record<string, SessionMethod> {
  return {
    'core.ping': { params: [], access: RELEASES[version].anonymousPing ? ANONYMOUS : SIGNED_IN, run: () => 'pong' },
    'core.set_options': { params: ['options'], access: { kind: 'anonymous', rateLimited: false }, run: (s, a) => s.setOptions(a[0]) },
    'core.subscribe': { params: ['event'], access: SIGNED_IN, run: (s, a) => s.subscribe(a[0]) },
    'core.unsubscribe': { params: ['id_'], access: SIGNED_IN, run: (s, a) => s.unsubscribe(a[0]) },
    'auth.login_ex': { params: ['login_data'], access: ANONYMOUS, run: (s, a) => s.loginEx(a[0]) },
    'auth.login': { params: ['username', 'password', 'otp_token'], access: ANONYMOUS, run: (s, a) => s.legacyPasswordLogin(a) },
    'auth.login_with_api_key': { params: ['api_key'], access: ANONYMOUS, run: (s, a) => s.legacyKeyLogin(a[0]) },
    'auth.logout': { params: [], access: SIGNED_IN, run: (s) => s.logout() },
    'auth.mechanism_choices': { params: [], access: ANONYMOUS, run: (s) => s.mechanismChoices() },
  };
}

const SESSION_TABLES = Object.fromEntries(Object.keys(RELEASES).map((v) => [v, sessionMethods(v as SimVersion)])) as Record<
  SimVersion,
  Record<string, SessionMethod>
>;

/** Events a session may subscribe to (`None`: no authorization needed, as for core.get_jobs). */
function eventRoles(version: SimVersion, name: string): readonly string[] | null | undefined {
  const events: Record<string, readonly string[] | null> = {
    'core.get_jobs': null,
    'alert.list': ['ALERT_LIST_READ'],
    'api_key.query': ['API_KEY_READ'],
    'pool.query': ['POOL_READ'],
  };
  if (RELEASES[version].updateMethod === 'update.status') events['update.status'] = ['SYSTEM_UPDATE_READ'];
  return Object.hasOwn(events, name) ? events[name] : undefined;
}

function stringArg(value: unknown, attr: string): string {
  if (value === undefined) throw invalid(attr, 'Field required');
  if (typeof value !== 'string') throw invalid(attr, 'Input should be a valid string');
  return value;
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
      data: { error: EINVAL, errname: 'EINVAL', reason: err.reason, trace: null, extra: err.entries },
    };
  }
  if (err instanceof SimCallError) {
    return {
      code: -32001,
      message: 'Method call error',
      data: { error: err.errno, errname: errname(err.errno), reason: err.reason, trace: null, extra: null },
    };
  }
  const reason = err instanceof SimException ? err.reason : String(err);
  return { code: -32001, message: 'Method call error', data: { error: EINVAL, errname: 'EINVAL', reason, trace: null, extra: null } };
}

/** `validate_message`: the checks and texts of the middleware, in its order. */
function validateRequest(m: Record<string, unknown>): string | null {
  if (!('jsonrpc' in m)) return "Missing 'jsonrpc' member";
  if (m.jsonrpc !== '2.0') return "'jsonrpc' member must be of type string and must be exactly '2.0'";
  if ('id' in m && !(m.id === null || typeof m.id === 'string' || (typeof m.id === 'number' && Number.isInteger(m.id)))) {
    return "'id' member must be of type null, string or number";
  }
  if (!('method' in m)) return "Missing 'method' member";
  if (typeof m.method !== 'string' || m.method === '') return "'method' member must be of type string";
  if ('params' in m && !Array.isArray(m.params)) return "'params' member must be of type array";
  return null;
}

export class RpcSession {
  private caller: Caller | null = null;
  private readonly options = { legacy_jobs: true, private_methods: false, py_exceptions: false };
  private otpChallenge: { user: UserRecord; failures: number } | null = null;
  private readonly subscriptions = new Map<string, string>();
  /** The SCRAM exchange of this connection (26), bound to the certificate it was made over. */
  private readonly scram: ScramServerSession;

  constructor(
    readonly ctx: SimContext,
    private readonly ws: WebSocket,
    private readonly clientIp: string,
    /** TLS or loopback: where an API key may be used without being revoked. */
    private readonly secureTransport: boolean,
    /** The endpoint's API version (`/api/current` is the newest). */
    private readonly apiVersion: string,
    /** tls-server-end-point of the certificate this connection presented; null when not TLS. */
    channelBinding: Uint8Array | null,
  ) {
    this.scram = new ScramServerSession({ lookup: (username, keyId) => ctx.state.scramLookup(username, keyId), channelBinding });
    ws.on('message', (data, isBinary) => void this.receive(rawText(data), isBinary));
  }

  private get version(): SimVersion {
    return this.ctx.state.version;
  }

  /** `core.set_options`: endpoints before v25.10 know only `py_exceptions` and answer null. */
  setOptions(raw: unknown): unknown {
    const options = dictionary(raw, 'options', 'CoreOptions');
    const legacy = apiBefore(this.apiVersion, 'v25.10.0');
    const known = legacy ? (['py_exceptions'] as const) : (['legacy_jobs', 'private_methods', 'py_exceptions'] as const);
    for (const name of known) {
      if (options[name] !== undefined && typeof options[name] !== 'boolean') throw invalid(`options.${name}`, 'Input should be a valid boolean');
    }
    for (const name of known) if (typeof options[name] === 'boolean') this.options[name] = options[name];
    return legacy ? null : { ...this.options };
  }

  subscribe(event: unknown): string {
    const name = stringArg(event, 'event');
    const required = eventRoles(this.version, name.split(':')[0]!);
    const caller = this.caller!;
    const allowed = required === null || (required === undefined ? isFullAdmin(caller) : rolesAllow(grantedRoles(caller, this.version), required));
    if (!allowed) throw notAuthorized();
    // Subscriptions are kept but never emit: the simulator has no jobs and sends no events.
    const id = randomUUID();
    this.subscriptions.set(id, name);
    return id;
  }

  unsubscribe(id: unknown): null {
    this.subscriptions.delete(stringArg(id, 'id_'));
    return null;
  }

  mechanismChoices(): string[] {
    // 25.x dereferences the credential of an anonymous session (fixed in 26).
    if (!this.caller && this.version !== '26') throw new SimException("'NoneType' object has no attribute 'may_create_auth_token'");
    return this.scramOffered ? ['SCRAM', ...MECHANISMS] : [...MECHANISMS];
  }

  private get scramOffered(): boolean {
    return RELEASES[this.version].scram && this.ctx.state.scramOffered;
  }

  async loginEx(raw: unknown): Promise<LoginReply> {
    const data = this.loginData(raw);
    // Any other mechanism abandons a pending second-factor challenge.
    if (data.mechanism !== 'OTP_TOKEN') this.otpChallenge = null;
    const reply = await this.loginByMechanism(data);
    const options = data.login_options as { user_info?: boolean } | undefined;
    if (reply.response_type === 'SUCCESS' && options?.user_info === false) reply.user_info = null;
    return reply;
  }

  /** `AuthLoginExArgs`: a union tagged by `mechanism`; errors name the tag in their location. */
  private loginData(raw: unknown): Record<string, unknown> & { mechanism: LoginTag } {
    const attr = 'login_data';
    if (raw === undefined) throw invalid(attr, 'Field required');
    if (!isObject(raw)) throw invalid(attr, 'Input should be a valid dictionary or object to extract fields from');
    if (!('mechanism' in raw)) throw invalid(`${attr}.mechanism`, 'Field required');
    const tag = raw.mechanism;
    const tags = LOGIN_TAGS.filter((t) => t !== 'SCRAM' || this.scramOffered);
    if (typeof tag !== 'string' || !(tags as readonly string[]).includes(tag)) {
      throw invalid(
        attr,
        `Input tag '${String(tag)}' found using 'mechanism' does not match any of the expected tags: ${tags.map((t) => `'${t}'`).join(', ')}`,
      );
    }
    const fields = LOGIN_FIELDS[tag as LoginTag];
    const at = `${attr}.${tag}`;
    const errors: [string, string, number][] = [];
    for (const key of Object.keys(raw)) {
      if (key !== 'mechanism' && key !== 'login_options' && !fields.includes(key)) errors.push([`${at}.${key}`, 'Extra inputs are not permitted', EINVAL]);
    }
    for (const field of fields) {
      if (raw[field] === undefined) errors.push([`${at}.${field}`, 'Field required', EINVAL]);
      else if (typeof raw[field] !== 'string') errors.push([`${at}.${field}`, 'Input should be a valid string', EINVAL]);
    }
    const options = raw.login_options;
    if (options !== undefined) {
      if (!isObject(options)) errors.push([`${at}.login_options`, 'Input should be a valid dictionary or instance of AuthCommonOptions', EINVAL]);
      else if (options.user_info !== undefined && typeof options.user_info !== 'boolean') {
        errors.push([`${at}.login_options.user_info`, 'Input should be a valid boolean', EINVAL]);
      }
    }
    if (errors.length > 0) throw new SimValidationError(errors);
    return raw as Record<string, unknown> & { mechanism: LoginTag };
  }

  private async loginByMechanism(data: Record<string, unknown> & { mechanism: LoginTag }): Promise<LoginReply> {
    switch (data.mechanism) {
      case 'SCRAM':
        return this.scramLogin(data.scram_type as string, data.rfc_str as string);
      case 'PASSWORD_PLAIN':
        return this.passwordLogin(data.username as string, data.password as string);
      case 'API_KEY_PLAIN':
        return this.keyLogin(data.api_key as string, data.username as string);
      case 'OTP_TOKEN':
        return this.otpLogin(data.otp_token as string);
      default:
        // No token was ever issued by `auth.generate_token` here, so none is valid.
        return this.loginResult('TOKEN_PLAIN', undefined, null, 'PASSWORD');
    }
  }

  async legacyPasswordLogin(args: Params): Promise<boolean> {
    const username = stringArg(args[0], 'username');
    const password = stringArg(args[1], 'password');
    const otp = args[2] ?? null;
    if (otp !== null && typeof otp !== 'string') throw invalid('otp_token', 'Input should be a valid string');
    this.otpChallenge = null;
    const first = await this.passwordLogin(username, password, 'auth.login');
    if (first.response_type !== 'OTP_REQUIRED') return first.response_type === 'SUCCESS';
    if (otp === null) return false;
    return (await this.otpLogin(otp)).response_type === 'SUCCESS';
  }

  async legacyKeyLogin(raw: unknown): Promise<boolean> {
    const key = stringArg(raw, 'api_key');
    const id = /^(\d+)-/.exec(key)?.[1];
    const owner = id === undefined ? undefined : this.ctx.state.findKey(Number(id));
    this.otpChallenge = null;
    const reply = owner
      ? await this.keyLogin(key, (owner.owner ?? ROOT).username, 'auth.login_with_api_key')
      : await this.loginResult('auth.login_with_api_key', undefined, null, 'API_KEY');
    return reply.response_type === 'SUCCESS';
  }

  logout(): boolean {
    this.caller = null;
    this.subscriptions.clear();
    return true;
  }

  private async passwordLogin(username: string, password: string, mechanism = 'PASSWORD_PLAIN'): Promise<LoginReply> {
    const user = this.ctx.state.checkPassword(username, password);
    if (user?.otp !== undefined && this.ctx.state.twoFactorEnabled) {
      this.otpChallenge = { user, failures: 0 };
      this.record(mechanism, username, 'OTP_REQUIRED');
      return { response_type: 'OTP_REQUIRED', username };
    }
    return this.loginResult(mechanism, username, user, 'PASSWORD');
  }

  private async keyLogin(key: string, username: string, mechanism = 'API_KEY_PLAIN'): Promise<LoginReply> {
    const check = this.ctx.state.checkKey(key, username, this.secureTransport);
    if (check.outcome === 'EXPIRED') {
      this.record(mechanism, username, 'EXPIRED');
      return { response_type: 'EXPIRED' };
    }
    return this.loginResult(mechanism, username, check.outcome === 'SUCCESS' ? check.principal : null, 'API_KEY');
  }

  /**
   * `auth.login_ex` SCRAM (plugins/auth.py at 26.0): the first message answers with the
   * server-first, the final one signs the session in before answering with the server
   * signature. Every refusal is AUTH_ERR after PAM's fail delay.
   */
  private async scramLogin(scramType: string, rfcStr: string): Promise<LoginReply> {
    const step =
      scramType === 'CLIENT_FIRST_MESSAGE'
        ? this.scram.clientFirst(rfcStr)
        : scramType === 'CLIENT_FINAL_MESSAGE'
          ? this.scram.clientFinal(rfcStr)
          : null;
    if (step === null) throw invalid('login_data.SCRAM.scram_type', "Input should be 'CLIENT_FIRST_MESSAGE' or 'CLIENT_FINAL_MESSAGE'");
    if (step.kind === 'NOT_IN_PROGRESS') throw new SimCallError(EFAULT, 'SCRAM authentication is not in progress');
    if (step.kind === 'SERVER_FIRST_RESPONSE') return scramLoginReply(step);
    if (step.kind === 'AUTH_ERR') {
      await this.loginResult('SCRAM', undefined, null, 'API_KEY');
      return scramLoginReply(step);
    }
    const key = this.ctx.state.findKey(step.keyId);
    const reply = await this.loginResult('SCRAM', step.username, key ? (key.owner ?? ROOT) : null, 'API_KEY');
    return reply.response_type === 'SUCCESS' ? scramLoginReply(step, reply.user_info) : reply;
  }

  private async otpLogin(token: string): Promise<LoginReply> {
    const challenge = this.otpChallenge;
    if (!challenge) throw new SimCallError(EINVAL, 'OTP_TOKEN: no authentication in progress');
    const { user } = challenge;
    this.otpChallenge = null;
    if (token === user.otp) return this.loginResult('OTP_TOKEN', user.username, user, 'PASSWORD');
    await this.ctx.failDelay();
    if (challenge.failures < OTP_RETRIES) {
      this.otpChallenge = { user, failures: challenge.failures + 1 };
      this.record('OTP_TOKEN', user.username, 'OTP_REQUIRED');
      return { response_type: 'OTP_REQUIRED', username: user.username };
    }
    this.record('OTP_TOKEN', user.username, 'AUTH_ERR');
    return { response_type: 'AUTH_ERR' };
  }

  /** Signs the session in, or records the failure and makes the caller wait like PAM does. */
  private async loginResult(
    mechanism: string,
    username: string | undefined,
    principal: Principal | null,
    credential: Credential,
  ): Promise<LoginReply> {
    this.record(mechanism, username, principal ? 'SUCCESS' : 'AUTH_ERR');
    if (!principal) {
      await this.ctx.failDelay();
      return { response_type: 'AUTH_ERR' };
    }
    this.caller = { principal, credential };
    const me = lookupMethod(methodsOf(this.version), 'auth.me')!;
    const userInfo = me.run({ state: this.ctx.state, caller: this.caller, apiVersion: this.apiVersion }, []);
    // The server's assurance level, which stays LEVEL_1 after a second factor too.
    return { response_type: 'SUCCESS', user_info: userInfo, authenticator: 'LEVEL_1' };
  }

  private record(mechanism: string, username: string | undefined, result: string): void {
    this.ctx.state.recordLogin({ mechanism, username, ok: result === 'SUCCESS', result, transport: 'jsonrpc' });
  }

  private async receive(raw: Buffer, isBinary: boolean): Promise<void> {
    if (this.ctx.fault === 'hang') return;
    if (isBinary) {
      this.ws.close(CLOSE_UNSUPPORTED_DATA, 'Invalid websocket message type: <WSMsgType.BINARY: 2>');
      return;
    }
    const text = raw.toString('utf8');
    if (!this.caller && text.length > ANONYMOUS_MAX_MESSAGE) {
      this.ws.close(CLOSE_INVALID_TEXT, 'Anonymous connection max message length is 8 kB');
      return;
    }
    let reply: Record<string, unknown> | null;
    try {
      reply = await this.handle(text);
    } catch (err) {
      if (isAbort(err)) return;
      throw err;
    }
    if (reply === null) return;
    const frame = JSON.stringify(reply);
    try {
      await answer(
        this.ctx,
        () => this.ws.send(frame),
        () => this.ws.send(GARBAGE),
      );
    } catch (err) {
      if (!isAbort(err)) throw err;
    }
  }

  /** One message → the reply to send, or null (a notification, an id-less bad request, a closed socket). */
  private async handle(text: string): Promise<Record<string, unknown> | null> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      return { jsonrpc: '2.0', error: { code: -32700, message: (err as Error).message }, id: null };
    }
    if (!isObject(message)) {
      const why = Array.isArray(message) ? 'Batch messages are not supported at this time' : 'Invalid Message Format';
      return { jsonrpc: '2.0', error: { code: -32700, message: why }, id: null };
    }
    if (text.length > AUTHENTICATED_MAX_MESSAGE) {
      this.ws.close(CLOSE_MESSAGE_TOO_BIG, 'Max message length is 64 kB');
      return null;
    }
    const hasId = 'id' in message;
    const id: Id = message.id;
    const invalidRequest = validateRequest(message);
    if (invalidRequest !== null) return hasId ? { jsonrpc: '2.0', error: { code: -32600, message: invalidRequest }, id } : null;
    try {
      const result = await this.dispatch(message.method as string, (message.params as Params | undefined) ?? []);
      return hasId ? { jsonrpc: '2.0', result, id } : null;
    } catch (err) {
      if (isAbort(err)) throw err;
      return hasId ? { jsonrpc: '2.0', error: errorBody(err), id } : null;
    }
  }

  private async dispatch(name: string, params: Params): Promise<unknown> {
    const session = lookupMethod(SESSION_TABLES[this.version], name);
    if (session) {
      this.ctx.state.countCall(name);
      await this.authorize(name, session.access, params);
      checkArity(session, params);
      return session.run(this, params);
    }
    const spec = lookupMethod(methodsOf(this.version), name);
    if (!spec) throw new ProtocolError(-32601, 'Method does not exist');
    this.ctx.state.countCall(name);
    if (spec.since !== undefined && apiBefore(this.apiVersion, spec.since)) {
      // A versioned endpoint older than the method's models: LegacyAPIMethod knows no signature for it.
      const dot = name.lastIndexOf('.');
      throw new SimCallError(ENOMETHOD, `Method '${name.slice(dot + 1)}' not found in '${name.slice(0, dot)}'`);
    }
    await this.authorize(name, spec.access, params);
    checkArity(spec, params);
    const result = await spec.run({ state: this.ctx.state, caller: this.caller!, apiVersion: this.apiVersion }, params);
    checkResultModel(spec, this.version, this.apiVersion);
    return result;
  }

  /** `authorize_method_call`. */
  private async authorize(name: string, access: Access, params: Params): Promise<void> {
    if (access.kind === 'anonymous') {
      if (this.caller || !access.rateLimited || this.ctx.withinRateLimit(name, this.clientIp)) return;
      if (name.startsWith('auth.login')) {
        const data = params[0] as { mechanism?: unknown } | undefined;
        this.record(name === 'auth.login_ex' ? String(data?.mechanism) : name, undefined, 'RATE_LIMITED');
      }
      await this.ctx.sleep(this.ctx.rateLimitDelayMs);
      throw new SimCallError(EBUSY, 'Rate Limit Exceeded');
    }
    if (!this.caller) throw new SimCallError(ENOTAUTHENTICATED, 'Not authenticated');
    if (access.kind === 'roles' && !rolesAllow(grantedRoles(this.caller, this.version), access.roles)) throw notAuthorized();
  }
}

