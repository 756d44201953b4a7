import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIMITED_USER, startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { RpcClient, login, request } from './raw-client.js';

let sim: Simulator;
const clients: RpcClient[] = [];
const SYS = { v2510: 0, otp: 1, v26: 2, v2504: 3, readonly: 4 } as const;

async function connect(index: number = SYS.v2510, path?: string): Promise<RpcClient> {
  const c = await RpcClient.connect(sim.systems[index]!.url, path);
  clients.push(c);
  return c;
}

async function signedIn(index: number = SYS.v2510, username = 'truenas_admin', path?: string): Promise<RpcClient> {
  const c = await connect(index, path);
  expect((await login(c, username)).result.response_type).toBe('SUCCESS');
  return c;
}

async function keyFor(index: number, username: string, name: string): Promise<string> {
  const admin = await signedIn(index);
  const created = await admin.call('api_key.create', [{ name, username }]);
  expect(created.error).toBeUndefined();
  return created.result.key as string;
}

async function keySession(index: number, username: string, key: string): Promise<RpcClient> {
  const c = await connect(index);
  expect((await c.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username, api_key: key }])).result.response_type).toBe('SUCCESS');
  return c;
}

const NOT_AUTHORIZED = {
  code: -32001,
  message: 'Method call error',
  data: { error: 13, errname: 'EACCES', reason: '[EACCES] Not authorized', trace: null, extra: null },
};

beforeAll(async () => {
  sim = await startSimulator({
    systems: 5,
    failDelayMs: [0, 0],
    rateLimitPerMinute: 0,
    overrides: {
      [SYS.otp]: { users: [{ username: 'otp_admin', password: 'truenas-demo', otp: '123456' }] },
      [SYS.v26]: { version: '26', hostname: 'nas-26' },
      [SYS.v2504]: { version: '25.04' },
      [SYS.readonly]: { users: [{ username: 'auditor', password: 'truenas-demo', roles: ['READONLY_ADMIN'] }] },
    },
  });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  await sim.close();
});

describe('transport', () => {
  it('lists the API versions each release ships and serves each system with its own certificate', async () => {
    const versions = async (i: number) => (await request(`${sim.systems[i]!.url}/api/versions`)).json();
    expect(await versions(SYS.v2510)).toEqual(['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0', 'v25.10.1', 'v25.10.2']);
    expect(await versions(SYS.v2504)).toEqual(['v25.04.0', 'v25.04.1', 'v25.04.2']);
    expect(((await versions(SYS.v26)) as string[]).at(-1)).toBe('v26.0.0');
    const res = await request(`${sim.systems[0]!.url}/api/versions`);
    expect(res.fingerprint).toBe(sim.systems[0]!.fingerprint);
    expect(sim.systems[0]!.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(new Set(sim.systems.map((s) => s.fingerprint)).size).toBe(sim.systems.length);
    expect((await connect()).fingerprint).toBe(sim.systems[0]!.fingerprint);
  });

  it('speaks JSON-RPC on /api/current and on every listed version, and on nothing else', async () => {
    for (const path of ['/api/current', '/api/v25.10.0', '/api/v25.04.0']) {
      const c = await connect(SYS.v2510, path);
      expect((await c.call('core.ping')).result).toBe('pong');
    }
    await expect(connect(SYS.v2510, '/api/v99')).rejects.toThrow(/404/);
    await expect(connect(SYS.v2504, '/api/v25.10.0')).rejects.toThrow(/404/);
  });

  it('answers core.set_options with the options from v25.10 on, with null before (and ignores legacy_jobs there)', async () => {
    const current = await connect();
    expect(await current.call('core.set_options', [{ legacy_jobs: false }])).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { legacy_jobs: false, private_methods: false, py_exceptions: false },
    });
    const old = await connect(SYS.v2510, '/api/v25.04.2');
    expect((await old.call('core.set_options', [{ legacy_jobs: false, py_exceptions: true }])).result).toBeNull();
    expect((await (await connect(SYS.v2504)).call('core.set_options', [{ legacy_jobs: false }])).result).toBeNull();
    expect((await current.call('core.set_options', [{ legacy_jobs: 'no' }])).error).toMatchObject({
      code: -32602,
      data: { extra: [['options.legacy_jobs', 'Input should be a valid boolean', 22]] },
    });
  });

  it('refuses methods before login with ENOTAUTHENTICATED; core.ping needs no login from 25.10 on', async () => {
    const c = await connect();
    expect((await c.call('system.info')).error).toEqual({
      code: -32001,
      message: 'Method call error',
      data: { error: 207, errname: 'ENOTAUTHENTICATED', reason: '[ENOTAUTHENTICATED] Not authenticated', trace: null, extra: null },
    });
    expect((await c.call('core.ping')).result).toBe('pong');
    expect((await (await connect(SYS.v26)).call('core.ping')).result).toBe('pong');
    const old = await connect(SYS.v2504);
    expect((await old.call('core.ping')).error?.data.errname).toBe('ENOTAUTHENTICATED');
    await login(old);
    expect((await old.call('core.ping')).result).toBe('pong');
  });

  it('lets the real api_client subscribe to core.get_jobs: ENOTAUTHENTICATED before login, an id after', async () => {
    const c = await connect();
    expect((await c.call('core.subscribe', ['core.get_jobs'])).error?.data.errname).toBe('ENOTAUTHENTICATED');
    expect((await c.call('core.unsubscribe', ['x'])).error?.data.errname).toBe('ENOTAUTHENTICATED');
    await login(c);
    const id = (await c.call('core.subscribe', ['core.get_jobs'])).result;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await c.call('core.unsubscribe', [id])).toMatchObject({ result: null });
    expect((await c.call('core.subscribe', [42])).error).toMatchObject({ code: -32602, data: { extra: [['event', 'Input should be a valid string', 22]] } });
  });

  it('answers protocol errors with the middleware codes and texts, and no reply without an id', async () => {
    const c = await connect();
    expect((await c.call('no.such_method')).error).toEqual({ code: -32601, message: 'Method does not exist' });
    c.sendRaw('{not json');
    expect(JSON.parse(await c.nextFrame())).toMatchObject({ id: null, error: { code: -32700 } });
    c.sendRaw(JSON.stringify([{ jsonrpc: '2.0', id: 8, method: 'core.ping' }]));
    expect(JSON.parse(await c.nextFrame())).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Batch messages are not supported at this time' } });
    c.sendRaw(JSON.stringify({ id: 7, method: 'core.ping' }));
    expect(JSON.parse(await c.nextFrame())).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32600, message: "Missing 'jsonrpc' member" } });
    c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'core.ping', params: {} }));
    expect(JSON.parse(await c.nextFrame())).toMatchObject({ id: 9, error: { code: -32600, message: "'params' member must be of type array" } });
    // A bad request without an id gets no answer at all: the next frame answers the next call.
    c.sendRaw(JSON.stringify({ method: 'core.ping' }));
    expect((await c.call('core.ping')).result).toBe('pong');
    await login(c);
    expect((await c.call('core.ping', [1])).error).toMatchObject({
      code: -32602,
      data: { extra: [['', 'Too many arguments (expected 0, found 1)', 22]] },
    });
  });

  it('closes an anonymous connection past 8 kB (1007) and a signed-in one past 64 kB (1009)', async () => {
    const c = await connect();
    const closed = c.closed();
    c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'core.ping', params: ['x'.repeat(9000)] }));
    expect(await closed).toEqual({ code: 1007, reason: 'Anonymous connection max message length is 8 kB' });
    const authed = await signedIn();
    expect((await authed.call('core.set_options', [{ padding: 'x'.repeat(9000) }])).result).toHaveProperty('legacy_jobs');
    const big = authed.closed();
    authed.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'core.ping', params: ['x'.repeat(70_000)] }));
    expect(await big).toEqual({ code: 1009, reason: 'Max message length is 64 kB' });
  });
});

describe('auth.login_ex', () => {
  it('signs in with a password and returns user_info with the composed privilege', async () => {
    const c = await connect();
    const reply = await login(c);
    expect(reply.result).toMatchObject({
      response_type: 'SUCCESS',
      authenticator: 'LEVEL_1',
      user_info: {
        pw_name: 'truenas_admin',
        pw_uid: 950,
        account_attributes: ['LOCAL', 'SYS_ADMIN'],
        privilege: { allowlist: [{ method: '*', resource: '*' }], web_shell: true, webui_access: true },
      },
    });
    // FULL_ADMIN expands to every role (from 25.04 on).
    expect(reply.result.user_info.privilege.roles.$set).toEqual(expect.arrayContaining(['FULL_ADMIN', 'READONLY_ADMIN', 'ALERT_LIST_READ', 'POOL_READ']));
    expect((await c.call('auth.me')).result.pw_name).toBe('truenas_admin');
    const bare = await c.call('auth.login_ex', [
      { mechanism: 'PASSWORD_PLAIN', username: 'truenas_admin', password: 'truenas-demo', login_options: { user_info: false } },
    ]);
    expect(bare.result).toEqual({ response_type: 'SUCCESS', user_info: null, authenticator: 'LEVEL_1' });
  });

  it('answers AUTH_ERR for a wrong password, an unknown user or a token, and records every attempt', async () => {
    const c = await connect();
    const before = sim.logins(0).length;
    expect((await login(c, 'truenas_admin', 'nope')).result).toEqual({ response_type: 'AUTH_ERR' });
    expect((await login(c, 'nobody', 'truenas-demo')).result).toEqual({ response_type: 'AUTH_ERR' });
    expect((await c.call('auth.login_ex', [{ mechanism: 'TOKEN_PLAIN', token: 'abc' }])).result).toEqual({ response_type: 'AUTH_ERR' });
    expect((await c.call('system.info')).error?.data.errname).toBe('ENOTAUTHENTICATED');
    expect(sim.logins(0).slice(before).map((l) => [l.mechanism, l.username, l.ok])).toEqual([
      ['PASSWORD_PLAIN', 'truenas_admin', false],
      ['PASSWORD_PLAIN', 'nobody', false],
      ['TOKEN_PLAIN', undefined, false],
    ]);
  });

  it('validates login_data as the tagged union of the middleware', async () => {
    const c = await connect();
    expect((await c.call('auth.login_ex', [{ mechanism: 'SMOKE_SIGNALS' }])).error).toMatchObject({
      code: -32602,
      message: 'Invalid params',
      data: {
        error: 22,
        errname: 'EINVAL',
        extra: [
          [
            'login_data',
            "Input tag 'SMOKE_SIGNALS' found using 'mechanism' does not match any of the expected tags: 'API_KEY_PLAIN', 'PASSWORD_PLAIN', 'TOKEN_PLAIN', 'OTP_TOKEN'",
            22,
          ],
        ],
      },
    });
    const missing = await c.call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: 'truenas_admin' }]);
    expect(missing.error?.data).toMatchObject({
      extra: [['login_data.PASSWORD_PLAIN.password', 'Field required', 22]],
      reason: '[EINVAL] login_data.PASSWORD_PLAIN.password: Field required\n',
    });
    expect((await c.call('auth.login_ex', [{}])).error?.data.extra).toEqual([['login_data.mechanism', 'Field required', 22]]);
  });

  it('lists the mechanisms it implements; 25.x fails the anonymous call like the middleware', async () => {
    const c = await connect();
    expect((await c.call('auth.mechanism_choices')).error).toMatchObject({
      code: -32001,
      data: { error: 22, errname: 'EINVAL', reason: "'NoneType' object has no attribute 'may_create_auth_token'" },
    });
    await login(c);
    expect((await c.call('auth.mechanism_choices')).result).toEqual(['API_KEY_PLAIN', 'PASSWORD_PLAIN']);
    expect((await (await connect(SYS.v26)).call('auth.mechanism_choices')).result).toEqual(['SCRAM', 'API_KEY_PLAIN', 'PASSWORD_PLAIN']);
  });

  it('asks a 2FA account for its code and accepts it (the server level stays LEVEL_1)', async () => {
    const c = await connect(SYS.otp);
    expect((await login(c, 'otp_admin')).result).toEqual({ response_type: 'OTP_REQUIRED', username: 'otp_admin' });
    expect((await c.call('system.info')).error?.data.errname).toBe('ENOTAUTHENTICATED');
    const reply = await c.call('auth.login_ex', [{ mechanism: 'OTP_TOKEN', otp_token: '123456' }]);
    expect(reply.result).toMatchObject({
      response_type: 'SUCCESS',
      authenticator: 'LEVEL_1',
      user_info: { pw_name: 'otp_admin', account_attributes: ['LOCAL', '2FA'], two_factor_config: { secret_configured: true } },
    });
    // The other accounts of a 2FA system have no second factor.
    expect((await login(await connect(SYS.otp))).result.response_type).toBe('SUCCESS');
    expect(sim.systems[SYS.otp]!.users.map((u) => u.username)).toEqual(['truenas_admin', 'otp_admin', 'pool_operator']);
  });

  it('allows three retries of a wrong 2FA code, then AUTH_ERR, then no login in progress', async () => {
    const c = await connect(SYS.otp);
    await login(c, 'otp_admin');
    const otp = (code: string) => c.call('auth.login_ex', [{ mechanism: 'OTP_TOKEN', otp_token: code }]);
    for (const code of ['000000', '000001', '000002']) expect((await otp(code)).result.response_type).toBe('OTP_REQUIRED');
    expect((await otp('000003')).result.response_type).toBe('AUTH_ERR');
    expect((await otp('123456')).error).toMatchObject({
      code: -32001,
      data: { error: 22, errname: 'EINVAL', reason: '[EINVAL] OTP_TOKEN: no authentication in progress' },
    });
  });
});

describe('roles', () => {
  it('lets the limited user sign in with a key and call what POOL_READ and API_KEY_WRITE grant, and nothing else', async () => {
    const key = await keyFor(SYS.v2510, LIMITED_USER.username, 'tnc-limited');
    const c = await connect();
    const reply = await c.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'pool_operator', api_key: key }]);
    expect(reply.result).toMatchObject({
      response_type: 'SUCCESS',
      user_info: {
        pw_name: 'pool_operator',
        account_attributes: ['LOCAL', 'API_KEY'],
        privilege: { roles: { $set: ['API_KEY_READ', 'API_KEY_WRITE', 'POOL_READ', 'POOL_SCRUB_READ'] }, web_shell: false, webui_access: false },
      },
    });
    expect(reply.result.user_info.privilege.allowlist).toContainEqual({ method: 'CALL', resource: 'pool.query' });
    expect((await c.call('pool.query')).result).toHaveLength(1);
    const mine = (await c.call('api_key.my_keys')).result;
    expect(mine.map((k: { name: string }) => k.name)).toEqual(['tnc-limited']);
    // API_KEY_WRITE sees the real hash.
    expect(mine[0].keyhash).not.toBe('********');
    expect((await c.call('auth.me')).result.pw_name).toBe('pool_operator');
    expect((await c.call('core.subscribe', ['core.get_jobs'])).result).toBeTypeOf('string');
    expect((await c.call('core.subscribe', ['pool.query'])).result).toBeTypeOf('string');
    for (const method of ['alert.list', 'system.info', 'update.status']) expect((await c.call(method)).error).toEqual(NOT_AUTHORIZED);
    expect((await c.call('core.subscribe', ['alert.list'])).error).toEqual(NOT_AUTHORIZED);
    // It may mint its own keys, and (holding API_KEY_WRITE) keys of others.
    expect((await c.call('api_key.create', [{ name: 'tnc-own', username: 'pool_operator' }])).error).toBeUndefined();
  });

  it('masks keyhash for a READONLY_ADMIN and keeps it from other users keys', async () => {
    const c = await signedIn(SYS.readonly, 'auditor');
    expect((await c.call('alert.list')).result).toEqual([]);
    expect((await c.call('system.info')).result.hostname).toBe('truenas-5');
    const own = await c.call('api_key.create', [{ name: 'tnc-auditor', username: 'auditor' }]);
    expect(own.result).toMatchObject({ username: 'auditor', keyhash: '********', user_identifier: '71' });
    expect((await c.call('api_key.query')).result[0].keyhash).toBe('********');
    expect((await c.call('api_key.create', [{ name: 'tnc-theirs', username: 'truenas_admin' }])).error).toMatchObject({
      code: -32001,
      data: { error: 13, errname: 'EACCES', reason: '[EACCES] auditor: authenticated user lacks privileges to create or modify API keys of other users.' },
    });
    expect((await c.call('core.subscribe', ['no.such.event'])).error).toEqual(NOT_AUTHORIZED);
  });
});

describe('API keys', () => {
  it('creates a key that signs in with API_KEY_PLAIN and is stored only as a hash', async () => {
    const c = await signedIn();
    const created = (await c.call('api_key.create', [{ name: 'tnc-create', username: 'truenas_admin' }])).result;
    expect(created).toMatchObject({
      name: 'tnc-create',
      username: 'truenas_admin',
      user_identifier: '70',
      expires_at: null,
      local: true,
      revoked: false,
      revoked_reason: null,
    });
    expect(created.key).toMatch(new RegExp(`^${created.id}-[A-Za-z0-9]{64}$`));
    expect(created.created_at.$date).toBeTypeOf('number');
    expect(created.keyhash).not.toContain(created.key.split('-')[1]);
    const listed = (await c.call('api_key.query', [[['id', '=', created.id]]])).result;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ user_identifier: 70 });
    expect(listed[0].key).toBeUndefined();

    const k = await keySession(SYS.v2510, 'truenas_admin', created.key);
    expect((await k.call('system.info')).result.hostname).toBe('truenas-1');
    const wrongUser = await connect();
    const bad = await wrongUser.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'root', api_key: created.key }]);
    expect(bad.result.response_type).toBe('AUTH_ERR');
    expect((await wrongUser.call('auth.login_with_api_key', [created.key])).result).toBe(true);
  });

  it('validates creates like the middleware: username required, service errors on the schema name', async () => {
    const c = await signedIn();
    expect((await c.call('api_key.create', [{ name: 'tnc-nouser' }])).error).toMatchObject({
      code: -32602,
      data: { extra: [['api_key_create.username', 'Field required', 22]] },
    });
    await c.call('api_key.create', [{ name: 'tnc-unique', username: 'truenas_admin' }]);
    const dup = await c.call('api_key.create', [{ name: 'tnc-unique', username: 'truenas_admin' }]);
    expect(dup.error).toEqual({
      code: -32602,
      message: 'Invalid params',
      data: { error: 22, errname: 'EINVAL', reason: '[EINVAL] api_key_create: name must be unique\n', trace: null, extra: [['api_key_create', 'name must be unique', 22]] },
    });
    expect((await c.call('api_key.create', [{ name: '', username: 'truenas_admin' }])).error?.data.extra).toEqual([
      ['api_key_create.name', 'String should have at least 1 character', 22],
    ]);
    expect((await c.call('api_key.create', [{ name: 'x'.repeat(201), username: 'truenas_admin' }])).error?.code).toBe(-32602);
    expect((await c.call('api_key.create', [{ name: 'tnc-ghost', username: 'ghost' }])).error?.data.extra).toEqual([['api_key_create', 'User does not exist.', 22]]);
  });

  it('limits 25.04 and 25.10 to 10 keys per user, and 26 not at all', async () => {
    for (const index of [SYS.otp, SYS.v2504]) {
      const c = await signedIn(index);
      for (let i = 0; i < 10; i++) expect((await c.call('api_key.create', [{ name: `tnc-limit-${i}`, username: 'truenas_admin' }])).error).toBeUndefined();
      const over = await c.call('api_key.create', [{ name: 'tnc-limit-10', username: 'truenas_admin' }]);
      expect(over.error?.data.extra).toEqual([['api_key_create.username', 'User already meets or exceeds maximum per-user API key limit of 10', 22]]);
    }
    const n26 = await signedIn(SYS.v26);
    for (let i = 0; i < 11; i++) expect((await n26.call('api_key.create', [{ name: `tnc-limit-${i}`, username: 'truenas_admin' }])).error).toBeUndefined();
  });

  it('deletes, lists, resets, and reports unknown ids like the middleware', async () => {
    const c = await signedIn(SYS.v26);
    const a = (await c.call('api_key.create', [{ name: 'tnc-a', username: 'truenas_admin' }])).result;
    const b = (await c.call('api_key.create', [{ name: 'tnc-b', username: 'truenas_admin' }])).result;
    expect((await c.call('api_key.delete', [a.id])).result).toBe(true);
    expect((await c.call('api_key.delete', [a.id])).error).toEqual({
      code: -32602,
      message: 'Invalid params',
      data: { error: 22, errname: 'EINVAL', reason: `[ENOENT] None: ApiKey ${a.id} does not exist\n`, trace: null, extra: [[null, `ApiKey ${a.id} does not exist`, 2]] },
    });
    expect((await c.call('api_key.update', [a.id, { reset: true }])).error).toMatchObject({ code: -32001, data: { error: 22, reason: 'MatchNotFound()' } });
    expect((await c.call('api_key.delete', ['1'])).error?.data.extra).toEqual([['id', 'Input should be a valid integer', 22]]);
    const mine = (await c.call('api_key.my_keys')).result.map((k: { name: string }) => k.name);
    expect(mine).toContain('tnc-b');
    expect(mine).not.toContain('tnc-a');
    const reset = (await c.call('api_key.update', [b.id, { reset: true }])).result;
    expect(reset.key).not.toBe(b.key);
    const k = await connect(SYS.v26);
    const old = await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: b.key }]);
    expect(old.result.response_type).toBe('AUTH_ERR');
    const fresh = await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: reset.key }]);
    expect(fresh.result.response_type).toBe('SUCCESS');
  });

  it('filters api_key.query like filter_list', async () => {
    const c = await signedIn(SYS.v2504);
    await c.call('api_key.create', [{ name: 'ui-created', username: 'pool_operator' }]);
    await c.call('api_key.create', [{ name: 'tnc-filtered', username: 'pool_operator' }]);
    const names = (await c.call('api_key.query', [[['name', '^', 'tnc-']]])).result.map((k: { name: string }) => k.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n: string) => n.startsWith('tnc-'))).toBe(true);
    expect((await c.call('api_key.query', [[['name', '=', 'ui-created']], { get: true, select: ['name'] }])).result).toEqual({ name: 'ui-created' });
    expect((await c.call('api_key.query', [[], { count: true }])).result).toBeGreaterThan(1);
    expect((await c.call('api_key.query', [[['name', 'like', 'x']]])).error).toMatchObject({
      code: -32602,
      data: { extra: [['filters', 'Value error, Invalid operation: like', 22]] },
    });
    expect((await c.call('api_key.query', [[['name', '=', 'none']], { get: true }])).error).toMatchObject({ code: -32001, data: { reason: 'MatchNotFound()' } });
    // 25.04 entries have no revoked_reason.
    expect((await c.call('api_key.query')).result[0]).not.toHaveProperty('revoked_reason');
  });

  it('answers EXPIRED for every key after expireKeys and shows expires_at as $date', async () => {
    const key = await keyFor(SYS.v26, 'truenas_admin', 'tnc-expire');
    const at = Date.now() - 1000;
    sim.expireKeys(SYS.v26, at);
    const k = await connect(SYS.v26);
    expect((await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: key }])).result).toEqual({
      response_type: 'EXPIRED',
    });
    const admin = await signedIn(SYS.v26);
    const entry = (await admin.call('api_key.query', [[['name', '=', 'tnc-expire']], { get: true }])).result;
    expect(entry).toMatchObject({ expires_at: { $date: at }, revoked: false });
    expect(sim.apiKeys(SYS.v26).every((k2) => k2.expiresAt === at)).toBe(true);
    expect(sim.logins(SYS.v26).some((l) => l.result === 'EXPIRED')).toBe(true);
  });

  it('rejects every key after revokeKeys, until the key is reset', async () => {
    const c = await signedIn();
    const key = (await c.call('api_key.create', [{ name: 'tnc-revoked', username: 'truenas_admin' }])).result;
    sim.revokeKeys(0);
    expect(sim.apiKeys(0).every((k) => k.revoked)).toBe(true);
    const k = await connect();
    const reply = await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: key.key }]);
    expect(reply.result.response_type).toBe('AUTH_ERR');
    expect((await c.call('api_key.get_instance', [key.id])).result).toMatchObject({ revoked: true, revoked_reason: 'Revoked by administrator' });
  });
});

describe('versioned endpoints', () => {
  it('on 25.10: an older endpoint has no update.status (ENOMETHOD, even before login) and cannot send pools', async () => {
    const c = await connect(SYS.v2510, '/api/v25.04.2');
    expect((await c.call('update.status')).error).toEqual({
      code: -32001,
      message: 'Method call error',
      data: { error: 201, errname: 'ENOMETHOD', reason: "[ENOMETHOD] Method 'status' not found in 'update'", trace: null, extra: null },
    });
    expect((await c.call('pool.query')).error?.data.errname).toBe('ENOTAUTHENTICATED');
    await login(c);
    for (const method of ['pool.query', 'pool.get_instance']) {
      const model = method === 'pool.query' ? 'PoolQueryResult' : 'PoolGetInstanceResult';
      expect((await c.call(method, method === 'pool.query' ? [] : [1])).error).toEqual({
        code: -32001,
        message: 'Method call error',
        data: { error: 22, errname: 'EINVAL', reason: `API version 'v25.04.2' does not contain model '${model}'`, trace: null, extra: null },
      });
    }
    expect((await c.call('alert.list')).result).toEqual([]);
    const on26 = await signedIn(SYS.v26, 'truenas_admin', '/api/v25.04.1');
    expect((await on26.call('update.status')).error?.data.errname).toBe('ENOMETHOD');
    expect((await on26.call('pool.query')).error?.data.reason).toBe("API version 'v25.04.2' does not contain model 'PoolQueryResult'");
    const on2510 = await signedIn(SYS.v26, 'truenas_admin', '/api/v25.10.0');
    expect((await on2510.call('pool.query')).result).toHaveLength(1);
  });

  it('has each release\'s update method only', async () => {
    const v2510 = await signedIn();
    expect((await v2510.call('update.check_available')).error).toEqual({ code: -32601, message: 'Method does not exist' });
    expect((await v2510.call('update.status')).result.code).toBe('NORMAL');
    const v2504 = await signedIn(SYS.v2504);
    expect((await v2504.call('update.status')).error?.code).toBe(-32601);
    expect((await v2504.call('update.check_available')).result).toEqual({ status: 'UNAVAILABLE' });
  });
});

describe('system.info', () => {
  it('has every documented field with $date values and uptime text, and each release its version', async () => {
    const c = await signedIn(SYS.v26);
    const info = (await c.call('system.info')).result;
    expect(info).toMatchObject({ version: '26.0.0-BETA.3', hostname: 'nas-26', cores: expect.any(Number), physmem: expect.any(Number) });
    for (const field of ['buildtime', 'boottime', 'datetime']) expect(info[field].$date).toBeTypeOf('number');
    expect(info.loadavg).toHaveLength(3);
    expect(info.uptime).toMatch(/^(\d+ days?, )?\d+:\d\d:\d\d(\.\d{6})?$/);
    expect(info.uptime_seconds).toBeGreaterThan(0);
    for (const field of ['model', 'physical_cores', 'system_product', 'system_serial', 'system_manufacturer', 'timezone', 'ecc_memory', 'license']) {
      expect(info).toHaveProperty(field);
    }
    expect((await (await signedIn(SYS.v2504)).call('system.info')).result.version).toBe('25.04.2.6');
    expect((await (await signedIn()).call('system.info')).result.version).toBe('25.10.2');
  });
});
