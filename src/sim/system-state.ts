// One simulated system's middleware state: users, API keys, health data and the logs of sign-in
// attempts and method calls. API key validation follows plugins/api_key.py of each release.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { ALLOW_METHODS, type AllowEntry } from './allowlist.js';
import { AlertStore } from './alerts.js';
import { EACCES, EINVAL, SimCallError, SimValidationError, instanceNotFound, invalid, matchNotFound, type ValidationEntry } from './errors.js';
import { PoolStore } from './pools.js';
import { RELEASES, apiBefore } from './release.js';
import { scramMaterialFor, scramWireFields, type IssuedScramMaterial, type ScramKeyLookup } from './scram-server.js';
import type { SimApiKey, SimLoginRecord, SimUpdateOffer, SimUser, SimVersion } from './types.js';

export interface Principal {
  /** The user's database id (`user_identifier` of its keys). */
  id: number;
  uid: number;
  username: string;
  otp?: string;
  /** Roles of the account's privileges, as assigned (before `roles_for_role` expansion). */
  roles: readonly string[];
}

export interface UserRecord extends Principal {
  password: string;
}

/** 24.10 keys belong to no user; their allowlist decides what they may do. */
export const ROOT: Principal = { id: 1, uid: 0, username: 'root', roles: ['FULL_ADMIN'] };

export interface KeyRecord {
  id: number;
  name: string;
  owner: Principal | null;
  salt: Buffer;
  hash: Buffer;
  createdAt: number;
  expiresAt: number | null;
  revoked: boolean;
  revokedReason: string | null;
  /** 24.10 only. */
  allowlist: AllowEntry[] | null;
  /** 26: what SCRAM logins are checked against, made when the key string is issued. */
  scram?: IssuedScramMaterial;
}

/** Who asks for a key change: the middleware lets only full admins and API_KEY_WRITE holders touch other users' keys. */
export interface KeyActor {
  username: string;
  mayManageOthers: boolean;
}

export type KeyCheck =
  | { outcome: 'SUCCESS'; principal: Principal; key: KeyRecord }
  | { outcome: 'AUTH_ERR'; unknownId: boolean }
  | { outcome: 'EXPIRED' };

export const INSECURE_TRANSPORT_REASON = 'Attempt to use over an insecure transport';
/** Login records kept per system: enough for any test, bounded for long benchmark runs. */
export const LOGIN_LOG_LIMIT = 1000;
const DEFAULT_MODEL = 'AMD Ryzen Embedded V1500B';
/** `get_instance` names a missing key after the service class (ApiKeyService). */
const KEY_VERBOSE_NAME = 'ApiKey';
/** What a caller without the right to see secrets gets in `Secret` fields. */
const SECRET_VALUE = '********';
const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function keySecret(): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += KEY_CHARS[randomInt(KEY_CHARS.length)];
  return s;
}

function hashKey(salt: Buffer, key: string): Buffer {
  return createHash('sha256').update(salt).update(key).digest();
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Pydantic's checks on one model: the fields it knows, their presence and basic types. */
class ModelCheck {
  readonly errors: ValidationEntry[] = [];

  constructor(
    private readonly prefix: string,
    private readonly data: Record<string, unknown>,
    fields: readonly string[],
  ) {
    for (const key of Object.keys(data)) if (!fields.includes(key)) this.add(key, 'Extra inputs are not permitted');
  }

  add(field: string, message: string): void {
    this.errors.push([`${this.prefix}.${field}`, message, EINVAL]);
  }

  string(field: string, required: boolean, max?: number): string | undefined {
    const v = this.data[field];
    if (v === undefined) {
      if (required) this.add(field, 'Field required');
      return undefined;
    }
    if (typeof v !== 'string') this.add(field, 'Input should be a valid string');
    else if (v.length < 1) this.add(field, 'String should have at least 1 character');
    else if (max !== undefined && v.length > max) this.add(field, `String should have at most ${max} characters`);
    else return v;
    return undefined;
  }

  /** A datetime arrives as `{"$date": ms}` (the middleware's JSON decoder); null is "never". */
  date(field: string): number | null | undefined {
    const v = this.data[field];
    if (v === undefined || v === null) return v;
    if (isObject(v) && typeof v.$date === 'number') return v.$date;
    this.add(field, 'Input should be a valid datetime');
    return undefined;
  }

  bool(field: string): boolean | undefined {
    const v = this.data[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.add(field, 'Input should be a valid boolean');
    return v === true;
  }

  /** 24.10 `allowlist: list[AllowListItem]`. */
  allowlist(field: string, required: boolean): AllowEntry[] | undefined {
    const v = this.data[field];
    if (v === undefined) {
      if (required) this.add(field, 'Field required');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(field, 'Input should be a valid list');
      return undefined;
    }
    const before = this.errors.length;
    const entries = v.map((item: unknown, i) => {
      const at = `${field}.${i}`;
      if (!isObject(item)) {
        this.add(at, 'Input should be a valid dictionary or instance of AllowListItem');
        return null;
      }
      for (const key of Object.keys(item)) if (key !== 'method' && key !== 'resource') this.add(`${at}.${key}`, 'Extra inputs are not permitted');
      if (item.method === undefined) this.add(`${at}.method`, 'Field required');
      else if (!(ALLOW_METHODS as readonly unknown[]).includes(item.method)) {
        this.add(`${at}.method`, "Input should be 'GET', 'POST', 'PUT', 'DELETE', 'CALL', 'SUBSCRIBE' or '*'");
      }
      if (item.resource === undefined) this.add(`${at}.resource`, 'Field required');
      else if (typeof item.resource !== 'string') this.add(`${at}.resource`, 'Input should be a valid string');
      else if (item.resource.length < 1) this.add(`${at}.resource`, 'String should have at least 1 character');
      return { method: item.method as string, resource: item.resource as string };
    });
    return this.errors.length === before ? (entries as AllowEntry[]) : undefined;
  }

  check(): void {
    if (this.errors.length > 0) throw new SimValidationError(this.errors);
  }
}

/** A pydantic model argument: a dictionary, else the validation error TrueNAS answers. */
export function dictionary(value: unknown, prefix: string, model: string): Record<string, unknown> {
  if (value === undefined) throw invalid(prefix, 'Field required');
  if (!isObject(value)) throw invalid(prefix, `Input should be a valid dictionary or instance of ${model}`);
  return value;
}

/** A stored SCRAM key as `api_key.query` lists it: ClientKey never, the rest masked unless `exposeSecrets`. */
function scramEntryFields(wire: Record<string, string | number>, exposeSecrets: boolean): Record<string, string | number> {
  const { iterations, salt, stored_key, server_key } = wire;
  return exposeSecrets ? { iterations, salt, stored_key, server_key } : { iterations, salt: SECRET_VALUE, stored_key: SECRET_VALUE, server_key: SECRET_VALUE };
}

export class SystemState {
  readonly users: UserRecord[];
  hostname: string;
  model = DEFAULT_MODEL;
  readonly alerts = new AlertStore();
  readonly pools = new PoolStore();
  update: SimUpdateOffer = null;
  /** 26: whether SCRAM key logins are offered (a test switches it off to play a downgrade). */
  scramOffered = true;
  /**
   * PBKDF2 rounds of new keys' SCRAM material. The middleware uses 500,000; the simulator
   * makes keys with the fewest a client accepts (50,000), so tests and the demo stay quick.
   */
  scramIterations = 50_000;
  private readonly keys = new Map<number, KeyRecord>();
  private nextKeyId = 1;
  private readonly loginLog: SimLoginRecord[] = [];
  private readonly calls = new Map<string, number>();

  constructor(
    readonly index: number,
    readonly version: SimVersion,
    hostname: string,
    users: SimUser[],
    /** When the simulated machine booted (for uptime). */
    readonly bootedAt: number,
  ) {
    this.hostname = hostname;
    this.users = users.map((u, i) => ({
      username: u.username,
      password: u.password,
      ...(u.otp === undefined ? {} : { otp: u.otp }),
      roles: u.roles ?? ['FULL_ADMIN'],
      id: 70 + i,
      uid: i === 0 ? 950 : 3000 + i,
    }));
    this.pools.add('tank');
  }

  /** The global 2FA switch: on when any account has a second factor (which only then applies). */
  get twoFactorEnabled(): boolean {
    return this.users.some((u) => u.otp !== undefined);
  }

  user(username: string): UserRecord | undefined {
    return this.users.find((u) => u.username === username);
  }

  checkPassword(username: string, password: string): UserRecord | null {
    const user = this.user(username);
    return user && user.password === password ? user : null;
  }

  /**
   * Authenticates a key string like pam_tdb: a revoked key is unknown, one past its expiry is
   * EXPIRED. `username` is checked when given (API_KEY_PLAIN); a correct key over an insecure
   * transport is revoked on the spot, as the middleware does.
   */
  checkKey(key: string, username: string | undefined, secureTransport: boolean, now = Date.now()): KeyCheck {
    const match = /^(\d+)-(.+)$/.exec(key);
    const record = match ? this.keys.get(Number(match[1])) : undefined;
    if (!match || !record) return { outcome: 'AUTH_ERR', unknownId: Boolean(match) };
    const hash = hashKey(record.salt, match[2]!);
    if (!timingSafeEqual(hash, record.hash) || record.revoked) return { outcome: 'AUTH_ERR', unknownId: false };
    const principal = record.owner ?? ROOT;
    if (username !== undefined && username !== principal.username) return { outcome: 'AUTH_ERR', unknownId: false };
    if (record.expiresAt !== null && record.expiresAt <= now) return { outcome: 'EXPIRED' };
    if (!secureTransport) {
      record.revoked = true;
      record.revokedReason = INSECURE_TRANSPORT_REASON;
      return { outcome: 'EXPIRED' };
    }
    return { outcome: 'SUCCESS', principal, key: record };
  }

  /** `api_key.create`, validated like the release does (24.10: `{name, allowlist}`; later `{name, username, expires_at}`). */
  createKey(data: unknown, actor: KeyActor | null, now = Date.now()): { entry: KeyRecord; key: string } {
    const prefix = 'api_key_create';
    const body = dictionary(data, prefix, 'ApiKeyCreate');
    if (!RELEASES[this.version].userKeys) {
      const model = new ModelCheck(prefix, body, ['name', 'allowlist']);
      const name = model.string('name', true, 200);
      const allowlist = model.allowlist('allowlist', true);
      model.check();
      this.checkUniqueLegacy(prefix, name!);
      return this.insert({ name: name!, owner: null, expiresAt: null, allowlist: allowlist! }, now);
    }
    const model = new ModelCheck(prefix, body, ['name', 'username', 'expires_at']);
    const name = model.string('name', true, 200);
    const username = model.string('username', true);
    const expiresAt = model.date('expires_at') ?? null;
    model.check();
    this.checkActor(actor, username!);
    const errors: ValidationEntry[] = [];
    this.validate(prefix, name!, expiresAt, errors, now);
    const owner = this.user(username!);
    const limit = RELEASES[this.version].keyLimit;
    if (!owner) errors.push([prefix, 'User does not exist.', EINVAL]);
    else if (owner.roles.length === 0) errors.push([prefix, 'User lacks privilege role membership.', EINVAL]);
    if (owner && limit !== null && this.keysOf(owner).length >= limit) {
      errors.push([`${prefix}.username`, `User already meets or exceeds maximum per-user API key limit of ${limit}`, EINVAL]);
    }
    if (errors.length > 0) throw new SimValidationError(errors);
    return this.insert({ name: name!, owner: owner!, expiresAt, allowlist: null }, now);
  }

  /** `api_key.update`: a new name, expiry (25.04+) or allowlist (24.10), and/or `reset` (a new key string). */
  updateKey(id: number, data: unknown, actor: KeyActor | null, now = Date.now()): { entry: KeyRecord; key?: string } {
    const prefix = 'api_key_update';
    const legacy = !RELEASES[this.version].userKeys;
    // 24.10 looks the key up with get_instance (InstanceNotFound), later releases with a `get` query.
    const entry = this.keys.get(id);
    if (!entry) throw legacy ? instanceNotFound(KEY_VERBOSE_NAME, id) : matchNotFound();
    const body = dictionary(data, prefix, 'ApiKeyUpdate');
    const model = new ModelCheck(prefix, body, legacy ? ['name', 'allowlist', 'reset'] : ['name', 'expires_at', 'reset']);
    const name = model.string('name', false, 200);
    const allowlist = legacy ? model.allowlist('allowlist', false) : undefined;
    const expiresAt = legacy ? undefined : model.date('expires_at');
    const reset = model.bool('reset');
    model.check();
    if (legacy) {
      if (name !== undefined) this.checkUniqueLegacy(prefix, name, id);
    } else {
      this.checkActor(actor, (entry.owner ?? ROOT).username);
      const errors: ValidationEntry[] = [];
      this.validate(prefix, name ?? entry.name, expiresAt === undefined ? entry.expiresAt : expiresAt, errors, now, id);
      if (errors.length > 0) throw new SimValidationError(errors);
    }
    if (name !== undefined) entry.name = name;
    if (allowlist !== undefined) entry.allowlist = allowlist;
    if (expiresAt !== undefined) entry.expiresAt = expiresAt;
    // A reset lifts a revocation but, as in the middleware, leaves the old revoked_reason behind.
    return reset ? { entry, key: this.issueSecret(entry) } : { entry };
  }

  deleteKey(id: number, actor: KeyActor | null): void {
    const entry = this.key(id);
    if (RELEASES[this.version].userKeys) this.checkActor(actor, (entry.owner ?? ROOT).username);
    this.keys.delete(id);
  }

  /** `get_instance`: an unknown id is an `InstanceNotFound` validation error. */
  key(id: number): KeyRecord {
    const entry = this.findKey(id);
    if (!entry) throw instanceNotFound(KEY_VERBOSE_NAME, id);
    return entry;
  }

  findKey(id: number): KeyRecord | undefined {
    return this.keys.get(id);
  }

  keyRecords(): KeyRecord[] {
    return [...this.keys.values()];
  }

  keysOf(principal: Principal): KeyRecord[] {
    return this.keyRecords().filter((k) => (k.owner ?? ROOT).username === principal.username);
  }

  revokeAll(reason = 'Revoked by administrator'): void {
    for (const key of this.keys.values()) {
      key.revoked = true;
      key.revokedReason = reason;
    }
  }

  /** Sets every key's `expires_at` (24.10 keys cannot expire). */
  expireAll(at: number): void {
    if (!RELEASES[this.version].userKeys) throw new Error('TrueNAS 24.10 API keys have no expiry');
    for (const key of this.keys.values()) key.expiresAt = at;
  }

  summaries(): SimApiKey[] {
    return this.keyRecords().map((k) => ({
      id: k.id,
      name: k.name,
      username: (k.owner ?? ROOT).username,
      revoked: k.revoked,
      revokedReason: k.revokedReason,
      ...(k.expiresAt === null ? {} : { expiresAt: k.expiresAt }),
    }));
  }

  recordLogin(record: Omit<SimLoginRecord, 'at'>): void {
    this.loginLog.push({ ...record, at: Date.now() });
    if (this.loginLog.length > LOGIN_LOG_LIMIT) this.loginLog.shift();
  }

  logins(): SimLoginRecord[] {
    return [...this.loginLog];
  }

  countCall(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.calls);
  }

  /**
   * A key entry as the release serializes it (never with the key string), datetimes as `Date`.
   * Endpoints older than v25.10 have no `revoked_reason`; `keyhash` is a `Secret`.
   */
  entryShape(k: KeyRecord, apiVersion: string, exposeSecrets: boolean): Record<string, unknown> {
    if (!RELEASES[this.version].userKeys) {
      return { id: k.id, name: k.name, created_at: new Date(k.createdAt), allowlist: k.allowlist };
    }
    const owner = k.owner ?? ROOT;
    const entry: Record<string, unknown> = {
      id: k.id,
      name: k.name,
      username: owner.username,
      user_identifier: owner.id,
      ...(k.scram
        ? scramEntryFields(scramWireFields(k.scram), exposeSecrets)
        : { keyhash: exposeSecrets ? `$sha256$${k.salt.toString('base64')}$${k.hash.toString('base64')}` : SECRET_VALUE }),
      created_at: new Date(k.createdAt),
      expires_at: k.expiresAt === null ? null : new Date(k.expiresAt),
      local: true,
      revoked: k.revoked,
      revoked_reason: k.revokedReason,
    };
    if (apiBefore(apiVersion, 'v25.10.0')) delete entry.revoked_reason;
    return entry;
  }

  /**
   * The entry as returned by create/reset: with the key string, the only time it is shown. A
   * created entry carries `user_identifier` as the string the middleware stored it as.
   */
  issuedShape(issued: { entry: KeyRecord; key?: string }, apiVersion: string, exposeSecrets: boolean, created = false): Record<string, unknown> {
    const shape = this.entryShape(issued.entry, apiVersion, exposeSecrets);
    if (created && 'user_identifier' in shape) shape.user_identifier = String(shape.user_identifier);
    if (issued.key === undefined) return shape;
    // 26 hands the precomputed ClientKey out with the key string, once.
    const scram = issued.entry.scram;
    return { ...shape, key: issued.key, ...(scram ? { client_key: scramWireFields(scram).client_key } : {}) };
  }

  private insert(fields: Pick<KeyRecord, 'name' | 'owner' | 'expiresAt' | 'allowlist'>, now: number): { entry: KeyRecord; key: string } {
    const entry: KeyRecord = {
      id: this.nextKeyId++,
      ...fields,
      salt: Buffer.alloc(0),
      hash: Buffer.alloc(0),
      createdAt: now,
      revoked: false,
      revokedReason: null,
    };
    this.keys.set(entry.id, entry);
    return { entry, key: this.issueSecret(entry) };
  }

  /** `api_key_privilege_check`. */
  private checkActor(actor: KeyActor | null, username: string): void {
    if (actor && !actor.mayManageOthers && actor.username !== username) {
      throw new SimCallError(EACCES, `${actor.username}: authenticated user lacks privileges to create or modify API keys of other users.`);
    }
  }

  /** 25.04+ `_validate`: errors are reported on the schema name itself. */
  private validate(prefix: string, name: string, expiresAt: number | null, errors: ValidationEntry[], now: number, selfId?: number): void {
    if (this.nameTaken(name, selfId)) errors.push([prefix, 'name must be unique', EINVAL]);
    if (expiresAt !== null && now > expiresAt) errors.push([prefix, 'Expiration date is in the past', EINVAL]);
  }

  /** 24.10 `_ensure_unique`. */
  private checkUniqueLegacy(prefix: string, name: string, selfId?: number): void {
    if (this.nameTaken(name, selfId)) {
      throw invalid(`${prefix}.name`, 'Object with this name already exists');
    }
  }

  private nameTaken(name: string, selfId: number | undefined): boolean {
    return this.keyRecords().some((k) => k.name === name && k.id !== selfId);
  }

  private issueSecret(entry: KeyRecord): string {
    const secret = keySecret();
    entry.salt = randomBytes(16);
    entry.hash = hashKey(entry.salt, secret);
    entry.revoked = false;
    delete entry.scram;
    return `${entry.id}-${secret}`;
  }

  /** 26 keeps SCRAM material for every key string it issues (utils/crypto.py generate_api_key_auth_data). */
  async withScram<T extends { entry: KeyRecord; key?: string }>(issued: T): Promise<T> {
    if (!RELEASES[this.version].scram || issued.key === undefined) return issued;
    const secret = issued.key.slice(issued.key.indexOf('-') + 1);
    issued.entry.scram = await scramMaterialFor(secret, this.scramIterations);
    return issued;
  }

  /** What a SCRAM login by `<username>:<key id>` may use, as pam_truenas sees the user's keys. */
  scramLookup(username: string, keyId: number, now = Date.now()): ScramKeyLookup {
    const record = this.keys.get(keyId);
    if (!record?.scram || (record.owner ?? ROOT).username !== username) return { status: 'unknown' };
    if (record.revoked) return { status: 'revoked' };
    if (record.expiresAt !== null && record.expiresAt <= now) return { status: 'expired' };
    return { status: 'active', material: record.scram };
  }
}
