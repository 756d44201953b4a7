import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { RpcClient, login, request } from './raw-client.js';

let sim: Simulator;
const clients: RpcClient[] = [];

async function connect(index = 0, path?: string): Promise<RpcClient> {
  const c = await RpcClient.connect(sim.systems[index]!.url, path);
  clients.push(c);
  return c;
}

async function signedIn(index = 0): Promise<RpcClient> {
  const c = await connect(index);
  expect((await login(c)).result.response_type).toBe('SUCCESS');
  return c;
}

beforeAll(async () => {
  sim = await startSimulator({
    systems: 3,
    failDelayMs: [0, 0],
    rateLimitPerMinute: 0,
    overrides: {
      1: { users: [{ username: 'otp_admin', password: 'truenas-demo', otp: '123456' }] },
      2: { version: '26', hostname: 'nas-26' },
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
  it('lists API versions and serves each system with its own certificate', async () => {
    const res = await request(`${sim.systems[0]!.url}/api/versions`);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual(['v25.04.0', 'v25.10.0']);
    expect(res.fingerprint).toBe(sim.systems[0]!.fingerprint);
    expect(sim.systems[0]!.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(new Set(sim.systems.map((s) => s.fingerprint)).size).toBe(3);
    const c = await connect(0);
    expect(c.fingerprint).toBe(sim.systems[0]!.fingerprint);
  });

  it('speaks JSON-RPC on /api/current and on the versioned path', async () => {
    for (const path of ['/api/current', '/api/v25.10.0']) {
      const c = await connect(0, path);
      expect(await c.call('core.set_options', [{ legacy_jobs: false }])).toEqual({
        jsonrpc: '2.0',
        id: 1,
        result: { legacy_jobs: false, private_methods: false, py_exceptions: false },
      });
    }
    await expect(connect(0, '/api/v99')).rejects.toThrow(/404/);
  });

  it('refuses methods before login with ENOTAUTHENTICATED', async () => {
    const c = await connect();
    const reply = await c.call('system.info');
    expect(reply.error).toMatchObject({ code: -32001, message: 'Method call error', data: { error: 207, errname: 'ENOTAUTHENTICATED' } });
    // Even core.ping needs a session on real servers.
    expect((await c.call('core.ping')).error?.data.errname).toBe('ENOTAUTHENTICATED');
    await login(c);
    expect((await c.call('core.ping')).result).toBe('pong');
  });

  it('answers protocol errors with the JSON-RPC codes', async () => {
    const c = await connect();
    expect((await c.call('no.such_method')).error?.code).toBe(-32601);
    c.sendRaw('{not json');
    expect(JSON.parse(await c.nextFrame())).toMatchObject({ id: null, error: { code: -32700 } });
    c.sendRaw(JSON.stringify({ id: 7, method: 'core.ping' }));
    expect(JSON.parse(await c.nextFrame())).toMatchObject({ id: 7, error: { code: -32600 } });
    c.sendRaw(JSON.stringify([{ jsonrpc: '2.0', id: 8, method: 'core.ping' }]));
    expect(JSON.parse(await c.nextFrame())).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('closes an anonymous connection that sends more than 8 kB', async () => {
    const c = await connect();
    const closed = c.closed();
    c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'core.ping', params: ['x'.repeat(9000)] }));
    expect((await closed).code).toBe(1009);
    const authed = await signedIn();
    expect((await authed.call('core.ping', ['x'.repeat(9000)])).result).toBe('pong');
  });
});

describe('auth.login_ex', () => {
  it('signs in with a password and returns user_info', async () => {
    const c = await connect();
    const reply = await login(c);
    expect(reply.result).toMatchObject({
      response_type: 'SUCCESS',
      authenticator: 'LEVEL_1',
      user_info: { pw_name: 'truenas_admin', pw_uid: 950, privilege: { roles: { $set: ['FULL_ADMIN'] } } },
    });
    expect((await c.call('auth.me')).result.pw_name).toBe('truenas_admin');
    const bare = await c.call('auth.login_ex', [
      { mechanism: 'PASSWORD_PLAIN', username: 'truenas_admin', password: 'truenas-demo', login_options: { user_info: false } },
    ]);
    expect(bare.result).toEqual({ response_type: 'SUCCESS', user_info: null, authenticator: 'LEVEL_1' });
  });

  it('answers AUTH_ERR for a wrong password or unknown user and records every attempt', async () => {
    const c = await connect();
    const before = sim.logins(0).length;
    expect((await login(c, 'truenas_admin', 'nope')).result).toEqual({ response_type: 'AUTH_ERR' });
    expect((await login(c, 'nobody', 'truenas-demo')).result).toEqual({ response_type: 'AUTH_ERR' });
    expect((await c.call('system.info')).error?.data.errname).toBe('ENOTAUTHENTICATED');
    expect(sim.logins(0).slice(before).map((l) => [l.mechanism, l.username, l.ok])).toEqual([
      ['PASSWORD_PLAIN', 'truenas_admin', false],
      ['PASSWORD_PLAIN', 'nobody', false],
    ]);
  });

  it('rejects an unknown mechanism with -32602', async () => {
    const c = await connect();
    const reply = await c.call('auth.login_ex', [{ mechanism: 'SMOKE_SIGNALS' }]);
    expect(reply.error).toMatchObject({ code: -32602, data: { error: 22 } });
    expect((await c.call('auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: 'truenas_admin' }])).error?.code).toBe(-32602);
  });

  it('asks a 2FA account for its code and accepts it', async () => {
    const c = await connect(1);
    expect((await login(c, 'otp_admin')).result).toEqual({ response_type: 'OTP_REQUIRED', username: 'otp_admin' });
    expect((await c.call('system.info')).error?.data.errname).toBe('ENOTAUTHENTICATED');
    const reply = await c.call('auth.login_ex', [{ mechanism: 'OTP_TOKEN', otp_token: '123456' }]);
    expect(reply.result).toMatchObject({ response_type: 'SUCCESS', authenticator: 'LEVEL_2', user_info: { pw_name: 'otp_admin' } });
    expect(sim.systems[1]!.users.map((u) => u.username)).toEqual(['truenas_admin', 'otp_admin']);
  });

  it('allows three wrong 2FA codes, then AUTH_ERR', async () => {
    const c = await connect(1);
    await login(c, 'otp_admin');
    const otp = (code: string) => c.call('auth.login_ex', [{ mechanism: 'OTP_TOKEN', otp_token: code }]);
    expect((await otp('000000')).result.response_type).toBe('OTP_REQUIRED');
    expect((await otp('000001')).result.response_type).toBe('OTP_REQUIRED');
    expect((await otp('000002')).result.response_type).toBe('AUTH_ERR');
    expect((await otp('123456')).error?.code).toBe(-32001);
  });
});

describe('API keys', () => {
  it('creates a key that signs in with API_KEY_PLAIN and is stored only as a hash', async () => {
    const c = await signedIn();
    const created = (await c.call('api_key.create', [{ name: 'tnc-create', username: 'truenas_admin' }])).result;
    expect(created).toMatchObject({
      name: 'tnc-create',
      username: 'truenas_admin',
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
    expect(listed[0].key).toBeUndefined();

    const k = await connect();
    const ok = await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: created.key }]);
    expect(ok.result.response_type).toBe('SUCCESS');
    expect((await k.call('system.info')).result.hostname).toBe('truenas-1');
    const wrongUser = await connect();
    const bad = await wrongUser.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'root', api_key: created.key }]);
    expect(bad.result.response_type).toBe('AUTH_ERR');
    expect((await wrongUser.call('auth.login_with_api_key', [created.key])).result).toBe(true);
  });

  it('validates names: required, at most 200 characters, unique', async () => {
    const c = await signedIn();
    await c.call('api_key.create', [{ name: 'tnc-unique' }]);
    const dup = await c.call('api_key.create', [{ name: 'tnc-unique', username: 'truenas_admin' }]);
    expect(dup.error).toMatchObject({
      code: -32602,
      message: 'Invalid params',
      data: { error: 22, extra: [['api_key_create.name', 'name must be unique', 22]] },
    });
    expect((await c.call('api_key.create', [{ name: '' }])).error?.code).toBe(-32602);
    expect((await c.call('api_key.create', [{ name: 'x'.repeat(201) }])).error?.code).toBe(-32602);
    expect((await c.call('api_key.create', [{ name: 'tnc-ghost', username: 'ghost' }])).error?.data.extra[0][0]).toBe('api_key_create.username');
  });

  it('limits 25.10 to 10 keys per user, and 26 not at all', async () => {
    const c = await signedIn(1);
    for (let i = 0; i < 10; i++) expect((await c.call('api_key.create', [{ name: `tnc-limit-${i}` }])).error).toBeUndefined();
    const over = await c.call('api_key.create', [{ name: 'tnc-limit-10' }]);
    expect(over.error?.data.extra).toEqual([
      ['api_key_create.username', 'User already meets or exceeds maximum per-user API key limit of 10', 22],
    ]);
    const n26 = await signedIn(2);
    for (let i = 0; i < 11; i++) expect((await n26.call('api_key.create', [{ name: `tnc-limit-${i}` }])).error).toBeUndefined();
  });

  it('deletes, lists, resets and reports unknown ids', async () => {
    const c = await signedIn(2);
    const a = (await c.call('api_key.create', [{ name: 'tnc-a' }])).result;
    const b = (await c.call('api_key.create', [{ name: 'tnc-b' }])).result;
    expect((await c.call('api_key.delete', [a.id])).result).toBe(true);
    const gone = await c.call('api_key.delete', [a.id]);
    expect(gone.error).toMatchObject({ code: -32001, data: { error: 2, errname: 'ENOENT' } });
    const mine = (await c.call('api_key.my_keys')).result.map((k: { name: string }) => k.name);
    expect(mine).toContain('tnc-b');
    expect(mine).not.toContain('tnc-a');
    const reset = (await c.call('api_key.update', [b.id, { reset: true }])).result;
    expect(reset.key).not.toBe(b.key);
    const k = await connect(2);
    const old = await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: b.key }]);
    expect(old.result.response_type).toBe('AUTH_ERR');
    const fresh = await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: reset.key }]);
    expect(fresh.result.response_type).toBe('SUCCESS');
  });

  it('rejects every key after revokeKeys, until the key is reset', async () => {
    const c = await signedIn();
    const key = (await c.call('api_key.create', [{ name: 'tnc-revoked' }])).result;
    sim.revokeKeys(0);
    expect(sim.apiKeys(0).every((k) => k.revoked)).toBe(true);
    const k = await connect();
    const reply = await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: key.key }]);
    expect(reply.result.response_type).toBe('AUTH_ERR');
    expect((await c.call('api_key.get_instance', [key.id])).result).toMatchObject({ revoked: true });
  });
});

describe('system.info', () => {
  it('has every documented field with $date values and uptime text', async () => {
    const c = await signedIn(2);
    const info = (await c.call('system.info')).result;
    expect(info).toMatchObject({ version: '26.0.0-BETA.1', hostname: 'nas-26', cores: expect.any(Number), physmem: expect.any(Number) });
    for (const field of ['buildtime', 'boottime', 'datetime']) expect(info[field].$date).toBeTypeOf('number');
    expect(info.loadavg).toHaveLength(3);
    expect(info.uptime).toMatch(/^(\d+ days?, )?\d+:\d\d:\d\d(\.\d{6})?$/);
    expect(info.uptime_seconds).toBeGreaterThan(0);
    for (const field of ['model', 'physical_cores', 'system_product', 'system_serial', 'system_manufacturer', 'timezone', 'ecc_memory', 'license']) {
      expect(info).toHaveProperty(field);
    }
  });
});
