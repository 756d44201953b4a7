// The middleware methods both transports serve (JSON-RPC calls them by name, REST through its
// routes), with the roles each one requires (`roles=[...]` on the method, or the CRUD service's
// `role_prefix`) and the API version its models appeared in.
import { Allowlist, FULL_ADMIN_ENTRY, type AllowEntry } from './allowlist.js';
import { EFAULT, ENOENT, SimCallError, SimException, instanceNotFound, invalid } from './errors.js';
import { filterList } from './filters.js';
import { poolRow } from './pools.js';
import { toWire } from './python.js';
import { RELEASES, apiBefore } from './release.js';
import { FULL_ADMIN, expandRoles, rolesAllow } from './roles.js';
import { systemInfo } from './system-info.js';
import type { KeyActor, KeyRecord, Principal, SystemState } from './system-state.js';
import type { SimVersion } from './types.js';
import { checkAvailable, updateStatus } from './updates.js';
import { userInfo, type Credential } from './user-info.js';

/** A signed-in caller. */
export interface Caller {
  principal: Principal;
  credential: Credential;
  /** The 24.10 key a REST request came with: its allowlist, not the principal, decides. */
  legacyKey?: KeyRecord;
}

export interface CallContext {
  state: SystemState;
  caller: Caller;
  /** The API version of the endpoint (REST and /api/current: the release's newest). */
  apiVersion: string;
}

export type Access =
  /** `authentication_required=False`; rate-limited before login unless `rate_limit=False`. */
  | { kind: 'anonymous'; rateLimited: boolean }
  /** `authorization_required=False`: any signed-in user session. */
  | { kind: 'authenticated' }
  | { kind: 'roles'; roles: readonly string[] };

export interface MethodSpec {
  /** Argument names, in order (validation errors name them). */
  params: readonly string[];
  access: Access;
  /** First API version with the method's argument model: older versioned endpoints answer ENOMETHOD. */
  since?: string;
  /** A result model that first appeared in `since`: older endpoints of releases that have it cannot serialize the result. */
  resultModel?: { name: string; since: string };
  run(ctx: CallContext, args: unknown[]): unknown;
}

export function roles(...names: string[]): Access {
  return { kind: 'roles', roles: names };
}

export function isFullAdmin(caller: Caller): boolean {
  if (caller.legacyKey) return new Allowlist(caller.legacyKey.allowlist ?? []).fullAdmin;
  return caller.principal.roles.includes(FULL_ADMIN);
}

export function grantedRoles(caller: Caller, version: SimVersion): Set<string> {
  return expandRoles(caller.principal.roles, version);
}

/** What the caller may do over REST: a 24.10 key's allowlist; for users only FULL_ADMIN has HTTP-verb entries. */
export function restAllowlist(caller: Caller): Allowlist {
  if (caller.legacyKey) return new Allowlist(caller.legacyKey.allowlist ?? []);
  return new Allowlist(isFullAdmin(caller) ? [FULL_ADMIN_ENTRY] : []);
}

/** `dump_result`: a user session sees `Secret` fields only as full admin or with the service's WRITE role. */
function exposeSecrets(ctx: CallContext, rolePrefix: string): boolean {
  if (ctx.caller.legacyKey) return true;
  return isFullAdmin(ctx.caller) || grantedRoles(ctx.caller, ctx.state.version).has(`${rolePrefix}_WRITE`);
}

function keyActor(ctx: CallContext): KeyActor | null {
  if (ctx.caller.legacyKey) return null;
  return {
    username: ctx.caller.principal.username,
    mayManageOthers: isFullAdmin(ctx.caller) || grantedRoles(ctx.caller, ctx.state.version).has('API_KEY_WRITE'),
  };
}

function intArg(args: unknown[], i: number, name: string): number {
  const v = args[i];
  if (v === undefined) throw invalid(name, 'Field required');
  if (!Number.isInteger(v)) throw invalid(name, 'Input should be a valid integer');
  return v as number;
}

/** The rows of a listing filtered like `filter_list`, datetimes encoded for the wire. */
function query(rows: Record<string, unknown>[], args: unknown[]): unknown {
  return toWire(filterList(rows, args[0], args[1]));
}

/** `get_instance(id, options)`: the one row with that id, or InstanceNotFound. */
function getInstance(rows: Record<string, unknown>[], args: unknown[], verboseName: string): unknown {
  const id = args[0];
  if (id === undefined) throw invalid('id', 'Field required');
  const found = filterList(rows, [['id', '=', id]], args[1]) as Record<string, unknown>[] | number;
  if (Array.isArray(found) && found.length === 0) throw instanceNotFound(verboseName, id);
  return toWire(Array.isArray(found) ? found[0] : found);
}

function keyRows(ctx: CallContext, keys: KeyRecord[]): Record<string, unknown>[] {
  const expose = exposeSecrets(ctx, 'API_KEY');
  return keys.map((k) => ctx.state.entryShape(k, ctx.apiVersion, expose));
}

/** The composed privilege allowlist of an account: FULL_ADMIN is `*`, other roles list the methods they grant. */
function privilegeAllowlist(principal: Principal, version: SimVersion): AllowEntry[] {
  if (principal.roles.includes(FULL_ADMIN)) return [FULL_ADMIN_ENTRY];
  const granted = expandRoles(principal.roles, version);
  return Object.entries(methodsOf(version))
    .filter(([, m]) => m.access.kind === 'roles' && rolesAllow(granted, m.access.roles))
    .map(([name]) => ({ method: 'CALL', resource: name }));
}

const KEY_WRITE = roles('READONLY_ADMIN', 'API_KEY_WRITE');

const COMMON: Record<string, MethodSpec> = {
  'auth.me': {
    params: [],
    access: { kind: 'authenticated' },
    run(ctx) {
      // A 24.10 key is no user session: auth.me refuses it.
      if (ctx.caller.legacyKey) throw new SimCallError(EFAULT, 'You are logged in using API_KEY');
      const { principal, credential } = ctx.caller;
      return userInfo(principal, credential, ctx.state.version, privilegeAllowlist(principal, ctx.state.version));
    },
  },
  'system.info': { params: [], access: roles('READONLY_ADMIN'), run: (ctx) => systemInfo(ctx.state) },
  'api_key.create': {
    params: ['api_key_create'],
    access: KEY_WRITE,
    async run(ctx, args) {
      const issued = await ctx.state.withScram(ctx.state.createKey(args[0], keyActor(ctx)));
      return toWire(ctx.state.issuedShape(issued, ctx.apiVersion, exposeSecrets(ctx, 'API_KEY'), true));
    },
  },
  'api_key.update': {
    params: ['id', 'api_key_update'],
    access: KEY_WRITE,
    async run(ctx, args) {
      const id = intArg(args, 0, 'id');
      if (args[1] === undefined) throw invalid('api_key_update', 'Field required');
      const issued = await ctx.state.withScram(ctx.state.updateKey(id, args[1], keyActor(ctx)));
      return toWire(ctx.state.issuedShape(issued, ctx.apiVersion, exposeSecrets(ctx, 'API_KEY')));
    },
  },
  'api_key.delete': {
    params: ['id'],
    access: KEY_WRITE,
    run(ctx, args) {
      ctx.state.deleteKey(intArg(args, 0, 'id'), keyActor(ctx));
      return true;
    },
  },
  'api_key.get_instance': {
    params: ['id', 'options'],
    access: roles('API_KEY_READ'),
    run: (ctx, args) => getInstance(keyRows(ctx, ctx.state.keyRecords()), args, 'ApiKey'),
  },
  'api_key.query': {
    params: ['filters', 'options'],
    access: roles('API_KEY_READ'),
    run: (ctx, args) => query(keyRows(ctx, ctx.state.keyRecords()), args),
  },
  'alert.list': { params: [], access: roles('ALERT_LIST_READ'), run: (ctx) => ctx.state.alerts.list() },
  'pool.query': {
    params: ['filters', 'options'],
    access: roles('POOL_READ'),
    resultModel: { name: 'PoolQueryResult', since: 'v25.10.0' },
    run: (ctx, args) => query(poolRows(ctx), args),
  },
  'pool.get_instance': {
    params: ['id', 'options'],
    access: roles('POOL_READ'),
    resultModel: { name: 'PoolGetInstanceResult', since: 'v25.10.0' },
    run: (ctx, args) => getInstance(poolRows(ctx), args, 'Pool'),
  },
};

function poolRows(ctx: CallContext): Record<string, unknown>[] {
  const now = Date.now();
  return ctx.state.pools.list().map((p) => poolRow(p, ctx.state.version, now));
}

const MY_KEYS: MethodSpec = {
  params: [],
  access: roles('READONLY_ADMIN', 'API_KEY_READ'),
  run: (ctx) => toWire(keyRows(ctx, ctx.state.keysOf(ctx.caller.principal))),
};

const CHECK_AVAILABLE: MethodSpec = {
  params: ['update-check-available'],
  access: roles('SYSTEM_UPDATE_READ'),
  run(ctx, args) {
    const attrs = args[0];
    if (attrs !== undefined && attrs !== null) {
      if (typeof attrs !== 'object' || Array.isArray(attrs)) throw invalid('update-check-available', 'Not a dictionary');
      const train = (attrs as { train?: unknown }).train;
      if (train !== undefined && train !== RELEASES[ctx.state.version].train) throw new SimCallError(ENOENT, 'Invalid train name.');
    }
    return checkAvailable(ctx.state.version, ctx.state.update);
  },
};

const UPDATE_STATUS: MethodSpec = {
  params: [],
  access: roles('SYSTEM_UPDATE_READ'),
  since: 'v25.10.0',
  run: (ctx) => updateStatus(ctx.state.version, ctx.state.update),
};

const TABLES: Record<SimVersion, Record<string, MethodSpec>> = {
  '24.10': { ...COMMON, 'update.check_available': CHECK_AVAILABLE },
  '25.04': { ...COMMON, 'api_key.my_keys': MY_KEYS, 'update.check_available': CHECK_AVAILABLE },
  '25.10': { ...COMMON, 'api_key.my_keys': MY_KEYS, 'update.status': UPDATE_STATUS },
  '26': { ...COMMON, 'api_key.my_keys': MY_KEYS, 'update.status': UPDATE_STATUS },
};

export function methodsOf(version: SimVersion): Record<string, MethodSpec> {
  return TABLES[version];
}

export function lookupMethod<T>(table: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** `accept_params`: more arguments than the model has fields is a validation error on no attribute. */
export function checkArity(spec: Pick<MethodSpec, 'params'>, args: unknown[]): void {
  if (args.length > spec.params.length) {
    throw invalid('', `Too many arguments (expected ${spec.params.length}, found ${args.length})`);
  }
}

/**
 * `LegacyAPIMethod`: a result whose model an older versioned endpoint lacks cannot be sent; the
 * error names the newest API version without it (the first step of the downgrade that fails).
 */
export function checkResultModel(spec: MethodSpec, version: SimVersion, apiVersion: string): void {
  const model = spec.resultModel;
  const versions = RELEASES[version].apiVersions;
  if (!model || !versions || apiBefore(versions.at(-1)!, model.since) || !apiBefore(apiVersion, model.since)) return;
  const missingIn = versions.filter((v) => apiBefore(v, model.since)).at(-1)!;
  throw new SimException(`API version '${missingIn}' does not contain model '${model.name}'`);
}
