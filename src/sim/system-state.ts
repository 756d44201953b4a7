// One simulated system's middleware state: users, API keys and the log of sign-in attempts.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { EINVAL, SimValidationError, notFound, type ValidationEntry } from './errors.js';
import type { SimApiKey, SimLoginRecord, SimUser, SimVersion } from './types.js';

export interface Principal {
  /** The user's database id (`user_identifier` of its keys). */
  id: number;
  uid: number;
  username: string;
  otp?: string;
}

export interface UserRecord extends Principal {
  password: string;
}

/** 24.10 keys belong to no user and act as root. */
export const ROOT: Principal = { id: 1, uid: 0, username: 'root' };

interface AllowEntry {
  method: string;
  resource: string;
}

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
  allowlist: AllowEntry[];
}

export interface KeyCreateRequest {
  name: unknown;
  username?: unknown;
  expiresAt?: unknown;
  allowlist?: unknown;
}

export type KeyCheck =
  | { outcome: 'SUCCESS'; principal: Principal }
  | { outcome: 'AUTH_ERR'; unknownId: boolean }
  | { outcome: 'EXPIRED' };

export const INSECURE_TRANSPORT_REASON = 'Attempt to use over an insecure transport';
export const PER_USER_KEY_LIMIT = 10;
/** Login records kept per system: enough for any test, bounded for long benchmark runs. */
export const LOGIN_LOG_LIMIT = 1000;
const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const FULL_ALLOWLIST: AllowEntry[] = [{ method: '*', resource: '*' }];

function keySecret(): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += KEY_CHARS[randomInt(KEY_CHARS.length)];
  return s;
}

function hashKey(salt: Buffer, key: string): Buffer {
  return createHash('sha256').update(salt).update(key).digest();
}

function dateOrNull(value: unknown, attr: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && typeof (value as { $date?: unknown }).$date === 'number') {
    return (value as { $date: number }).$date;
  }
  throw new SimValidationError([[attr, 'Input should be a valid datetime', EINVAL]]);
}

export class SystemState {
  readonly users: UserRecord[];
  private readonly keys = new Map<number, KeyRecord>();
  private nextKeyId = 1;
  private readonly loginLog: SimLoginRecord[] = [];

  constructor(
    readonly index: number,
    readonly version: SimVersion,
    readonly hostname: string,
    users: SimUser[],
    /** When the simulated machine booted (for uptime). */
    readonly bootedAt: number,
  ) {
    this.users = users.map((u, i) => ({ ...u, id: 70 + i, uid: i === 0 ? 950 : 3000 + i }));
  }

  user(username: string): UserRecord | undefined {
    return this.users.find((u) => u.username === username);
  }

  checkPassword(username: string, password: string): UserRecord | null {
    const user = this.user(username);
    return user && user.password === password ? user : null;
  }

  /**
   * Authenticates a key string. `username` is checked when given (API_KEY_PLAIN); a correct key
   * over an insecure transport is revoked on the spot, as the real middleware does.
   */
  checkKey(key: string, username: string | undefined, secureTransport: boolean, now = Date.now()): KeyCheck {
    const match = /^(\d+)-(.+)$/.exec(key);
    const record = match ? this.keys.get(Number(match[1])) : undefined;
    if (!match || !record) return { outcome: 'AUTH_ERR', unknownId: Boolean(match) };
    const hash = hashKey(record.salt, match[2]!);
    if (!timingSafeEqual(hash, record.hash) || record.revoked) return { outcome: 'AUTH_ERR', unknownId: false };
    const principal = record.owner ?? ROOT;
    if (username !== undefined && username !== principal.username) return { outcome: 'AUTH_ERR', unknownId: false };
    if (!secureTransport) {
      record.revoked = true;
      record.revokedReason = INSECURE_TRANSPORT_REASON;
      return { outcome: 'EXPIRED' };
    }
    if (record.expiresAt !== null && record.expiresAt <= now) return { outcome: 'EXPIRED' };
    return { outcome: 'SUCCESS', principal };
  }

  /** Validates like `api_key.create`; `prefix` names the schema in error attributes. */
  createKey(request: KeyCreateRequest, caller: Principal, prefix: string, now = Date.now()): { entry: KeyRecord; key: string } {
    const legacy = this.version === '24.10';
    const errors: ValidationEntry[] = [];
    const name = this.validName(request.name, `${prefix}.name`, errors);
    let owner: Principal | null = null;
    if (!legacy) {
      const username = request.username ?? caller.username;
      owner = typeof username === 'string' ? (this.user(username) ?? null) : null;
      if (!owner) {
        errors.push([`${prefix}.username`, 'User does not exist', EINVAL]);
      } else if (this.version === '25.10' && this.keysOf(owner).length >= PER_USER_KEY_LIMIT) {
        errors.push([
          `${prefix}.username`,
          `User already meets or exceeds maximum per-user API key limit of ${PER_USER_KEY_LIMIT}`,
          EINVAL,
        ]);
      }
    }
    const expiresAt = dateOrNull(request.expiresAt, `${prefix}.expires_at`);
    if (expiresAt !== null && expiresAt <= now) errors.push([`${prefix}.expires_at`, 'Expiration date is in the past', EINVAL]);
    if (errors.length > 0) throw new SimValidationError(errors);
    const entry: KeyRecord = {
      id: this.nextKeyId++,
      name: name!,
      owner,
      salt: Buffer.alloc(0),
      hash: Buffer.alloc(0),
      createdAt: now,
      expiresAt,
      revoked: false,
      revokedReason: null,
      allowlist: legacy && Array.isArray(request.allowlist) ? (request.allowlist as AllowEntry[]) : FULL_ALLOWLIST,
    };
    this.keys.set(entry.id, entry);
    return { entry, key: this.issueSecret(entry) };
  }

  /** `api_key.update`: a new name and/or `reset` (a new key string, which also lifts a revocation). */
  updateKey(id: number, changes: { name?: unknown; reset?: unknown }, prefix: string): { entry: KeyRecord; key?: string } {
    const entry = this.key(id);
    if (changes.name !== undefined) {
      const errors: ValidationEntry[] = [];
      const name = this.validName(changes.name, `${prefix}.name`, errors, id);
      if (errors.length > 0) throw new SimValidationError(errors);
      entry.name = name!;
    }
    return changes.reset === true ? { entry, key: this.issueSecret(entry) } : { entry };
  }

  deleteKey(id: number): void {
    this.key(id);
    this.keys.delete(id);
  }

  key(id: number): KeyRecord {
    const entry = this.keys.get(id);
    if (!entry) throw notFound(`API Key ${id}`);
    return entry;
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

  summaries(): SimApiKey[] {
    return this.keyRecords().map((k) => ({
      id: k.id,
      name: k.name,
      username: (k.owner ?? ROOT).username,
      revoked: k.revoked,
      revokedReason: k.revokedReason,
    }));
  }

  recordLogin(record: Omit<SimLoginRecord, 'at'>): void {
    this.loginLog.push({ ...record, at: Date.now() });
    if (this.loginLog.length > LOGIN_LOG_LIMIT) this.loginLog.shift();
  }

  logins(): SimLoginRecord[] {
    return [...this.loginLog];
  }

  /** The wire shape of a key entry for this version (never with the key string). */
  entryShape(k: KeyRecord): Record<string, unknown> {
    if (this.version === '24.10') {
      return { id: k.id, name: k.name, created_at: { $date: k.createdAt }, allowlist: k.allowlist };
    }
    const owner = k.owner ?? ROOT;
    return {
      id: k.id,
      name: k.name,
      username: owner.username,
      user_identifier: owner.id,
      keyhash: `$sha256$${k.salt.toString('base64')}$${k.hash.toString('base64')}`,
      created_at: { $date: k.createdAt },
      expires_at: k.expiresAt === null ? null : { $date: k.expiresAt },
      local: true,
      revoked: k.revoked,
      revoked_reason: k.revokedReason,
    };
  }

  /** The entry as returned by create/reset: with the key string, the only time it is shown. */
  issuedShape({ entry, key }: { entry: KeyRecord; key?: string }): Record<string, unknown> {
    return key === undefined ? this.entryShape(entry) : { ...this.entryShape(entry), key };
  }

  private issueSecret(entry: KeyRecord): string {
    const secret = keySecret();
    entry.salt = randomBytes(16);
    entry.hash = hashKey(entry.salt, secret);
    entry.revoked = false;
    entry.revokedReason = null;
    return `${entry.id}-${secret}`;
  }

  private validName(value: unknown, attr: string, errors: ValidationEntry[], selfId?: number): string | undefined {
    if (typeof value !== 'string') {
      errors.push([attr, 'Input should be a valid string', EINVAL]);
    } else if (value.length < 1) {
      errors.push([attr, 'String should have at least 1 character', EINVAL]);
    } else if (value.length > 200) {
      errors.push([attr, 'String should have at most 200 characters', EINVAL]);
    } else if (this.keyRecords().some((k) => k.name === value && k.id !== selfId)) {
      errors.push([attr, 'name must be unique', EINVAL]);
    } else {
      return value;
    }
    return undefined;
  }
}
