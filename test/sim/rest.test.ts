import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITED_USER, startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { RpcClient, basic, bearer, login, request, type HttpResult } from './raw-client.js';

let sim: Simulator;
const admin = basic('truenas_admin', 'truenas-demo');
const SYS = { v2510: 0, v2410: 1, v26: 2, otp2410: 3, otp2510: 4, v2504: 5 } as const;
const url = (index: number, path: string) => `${sim.systems[index]!.url}/api/v2.0${path}`;
const OTP_USER = { username: 'otp_admin', password: 'truenas-demo', otp: '123456' };

async function mint(index: number, body: Record<string, unknown>): Promise<{ id: number; key: string }> {
  const created = await request(url(index, '/api_key'), { method: 'POST', headers: admin, body });
  expect(created.status).toBe(200);
  return created.json() as { id: number; key: string };
}

/** A 403 as restful.py sends it: the status and nothing else. */
function expectForbidden(res: HttpResult): void {
  expect(res.status).toBe(403);
  expect(res.body).toBe('');
}

beforeAll(async () => {
  sim = await startSimulator({
    systems: 6,
    failDelayMs: [0, 0],
    overrides: {
      [SYS.v2410]: { version: '24.10' },
      [SYS.v26]: { version: '26' },
      [SYS.otp2410]: { version: '24.10', users: [OTP_USER] },
      [SYS.otp2510]: { users: [OTP_USER] },
      [SYS.v2504]: { version: '25.04' },
    },
  });
});

afterAll(async () => {
  await sim.close();
});

describe('REST v2.0 on 25.10', () => {
  it('answers Basic and Bearer callers and mints keys', async () => {
    const me = await request(url(SYS.v2510, '/auth/me'), { headers: admin });
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ pw_name: 'truenas_admin', privilege: { allowlist: [{ method: '*', resource: '*' }] } });

    const key = await mint(SYS.v2510, { name: 'tnc-rest', username: 'truenas_admin' });
    expect(key).toMatchObject({ name: 'tnc-rest', username: 'truenas_admin', revoked: false });
    expect(key.key).toMatch(/^\d+-[A-Za-z0-9]{64}$/);

    const info = await request(url(SYS.v2510, '/system/info'), { headers: bearer(key.key) });
    expect(info.status).toBe(200);
    expect(info.json()).toMatchObject({ hostname: 'truenas-1', version: '25.10.2' });
    const one = await request(url(SYS.v2510, `/api_key/id/${key.id}`), { headers: bearer(key.key) });
    expect(one.json()).toMatchObject({ id: key.id, name: 'tnc-rest' });
    expect((one.json() as Record<string, unknown>).key).toBeUndefined();
    const list = await request(url(SYS.v2510, '/api_key'), { headers: admin });
    expect((list.json() as { id: number }[]).map((k) => k.id)).toContain(key.id);
    expect(sim.logins(SYS.v2510).at(-1)).toMatchObject({ mechanism: 'PASSWORD_PLAIN', ok: true, transport: 'rest' });
  });

  it('refuses bad credentials with 401 and aiohttp plain-text bodies', async () => {
    expect(await request(url(SYS.v2510, '/system/info'), { headers: basic('truenas_admin', 'wrong') })).toMatchObject({
      status: 401,
      body: 'Bad username or password',
    });
    expect(await request(url(SYS.v2510, '/system/info'))).toMatchObject({ status: 401, body: '401: Unauthorized' });
    const created = await mint(SYS.v2510, { name: 'tnc-401', username: 'truenas_admin' });
    const forged = `${created.key.split('-')[0]}-${'A'.repeat(64)}`;
    expect(await request(url(SYS.v2510, '/system/info'), { headers: bearer(forged) })).toMatchObject({ status: 401, body: 'Invalid API key' });
    sim.expireKeys(SYS.v2510);
    expect(await request(url(SYS.v2510, '/system/info'), { headers: bearer(created.key) })).toMatchObject({ status: 401, body: 'Invalid API key' });
  });

  it('refuses Basic auth for every account while 2FA is on', async () => {
    for (const username of ['truenas_admin', 'otp_admin']) {
      expect(await request(url(SYS.otp2510, '/system/info'), { headers: basic(username, 'truenas-demo') })).toMatchObject({
        status: 401,
        body: 'HTTP Basic Auth is unavailable when OTP is enabled',
      });
    }
  });

  it('answers only FULL_ADMIN callers: the limited user gets 403 with an empty body, Basic or Bearer', async () => {
    expectForbidden(await request(url(SYS.v2510, '/pool'), { headers: basic(LIMITED_USER.username, LIMITED_USER.password) }));
    const key = await mint(SYS.v2510, { name: 'tnc-limited-rest', username: LIMITED_USER.username });
    expectForbidden(await request(url(SYS.v2510, '/auth/me'), { headers: bearer(key.key) }));
    // The same key works over JSON-RPC for what its roles grant.
    const c = await RpcClient.connect(sim.systems[SYS.v2510]!.url);
    const reply = await c.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: LIMITED_USER.username, api_key: key.key }]);
    expect(reply.result.response_type).toBe('SUCCESS');
    expect((await c.call('pool.query')).result).toHaveLength(1);
    c.close();
  });

  it('answers 422 for validation and call errors, 404 for unknown ids and paths, 405 for the wrong verb', async () => {
    await mint(SYS.v2510, { name: 'tnc-twice', username: 'truenas_admin' });
    const dup = await request(url(SYS.v2510, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-twice', username: 'truenas_admin' } });
    expect(dup.status).toBe(422);
    expect(dup.json()).toEqual({ api_key_create: [{ message: 'name must be unique', errno: 22 }] });
    expect((await request(url(SYS.v2510, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-x' } })).json()).toEqual({
      'api_key_create.username': [{ message: 'Field required', errno: 22 }],
    });
    const deleteMissing = await request(url(SYS.v2510, '/api_key/id/9999'), { method: 'DELETE', headers: admin });
    expect(deleteMissing.status).toBe(422);
    expect(deleteMissing.json()).toEqual({ null: [{ message: 'ApiKey 9999 does not exist', errno: 2 }] });
    expect(await request(url(SYS.v2510, '/api_key/id/9999'), { headers: admin })).toMatchObject({ status: 404, body: JSON.stringify({ message: '' }) });
    expect((await request(url(SYS.v2510, '/api_key/id/9999'), { method: 'PUT', headers: admin, body: { reset: true } })).status).toBe(404);
    expect(await request(url(SYS.v2510, '/no/such/thing'), { headers: admin })).toMatchObject({ status: 404, body: '404: Not Found' });
    expect((await request(url(SYS.v2510, '/system/info'), { method: 'POST', headers: admin })).status).toBe(405);
    expect((await request(url(SYS.v2510, '/update/check_available'), { method: 'POST', headers: admin })).status).toBe(404);
    const notJson = await request(url(SYS.v2510, '/api_key'), { method: 'POST', headers: admin, raw: '{name' });
    expect(notJson.status).toBe(400);
    expect(notJson.json()).toMatchObject({ message: expect.stringMatching(/^json parse error: /), errno: 22 });
    const noBody = await request(url(SYS.v2510, '/api_key'), { method: 'POST', headers: admin });
    expect(noBody.json()).toEqual({ api_key_create: [{ message: 'Field required', errno: 22 }] });
  });

  it('resets and deletes keys; a deleted key gets a 500 like on real servers', async () => {
    const created = await mint(SYS.v2510, { name: 'tnc-gone', username: 'truenas_admin' });
    const reset = await request(url(SYS.v2510, `/api_key/id/${created.id}`), { method: 'PUT', headers: admin, body: { reset: true } });
    const fresh = (reset.json() as { key: string }).key;
    expect(fresh).not.toBe(created.key);
    expect((await request(url(SYS.v2510, '/auth/me'), { headers: bearer(created.key) })).status).toBe(401);
    expect((await request(url(SYS.v2510, '/auth/me'), { headers: bearer(fresh) })).status).toBe(200);
    const del = await request(url(SYS.v2510, `/api_key/id/${created.id}`), { method: 'DELETE', headers: admin });
    expect(del).toMatchObject({ status: 200, body: 'true' });
    expect((await request(url(SYS.v2510, '/auth/me'), { headers: bearer(fresh) })).status).toBe(500);
  });

  it('serves the health routes and query parameters as filters', async () => {
    expect((await request(url(SYS.v2510, '/alert/list'), { headers: admin })).json()).toEqual([]);
    const pools = (await request(url(SYS.v2510, '/pool?name=tank'), { headers: admin })).json() as { name: string; id: number }[];
    expect(pools.map((p) => p.name)).toEqual(['tank']);
    expect((await request(url(SYS.v2510, '/pool?name=other'), { headers: admin })).json()).toEqual([]);
    expect((await request(url(SYS.v2510, `/pool/id/${pools[0]!.id}`), { headers: admin })).json()).toMatchObject({ name: 'tank', status: 'ONLINE' });
    expect((await request(url(SYS.v2510, '/update/status'), { headers: admin })).json()).toMatchObject({ code: 'NORMAL', status: { new_version: null } });
    expect((await request(url(SYS.v2510, '/api_key?sort=name'), { headers: admin })).json()).toEqual({
      'options.sort': [{ message: 'Extra inputs are not permitted', errno: 22 }],
    });
  });
});

describe('REST on 24.10 (no JSON-RPC)', () => {
  it('has no /api/versions and no /api/current', async () => {
    expect((await request(`${sim.systems[SYS.v2410]!.url}/api/versions`)).status).toBe(404);
    await expect(RpcClient.connect(sim.systems[SYS.v2410]!.url)).rejects.toThrow(/404/);
  });

  it('keeps the allowlist a key was created with: an empty one authenticates and then authorizes nothing', async () => {
    const before = sim.logins(SYS.v2410).length;
    const key = await mint(SYS.v2410, { name: 'tnc-empty', allowlist: [] });
    expect(key).toMatchObject({ allowlist: [] });
    for (const [method, path] of [
      ['GET', '/system/info'],
      ['GET', '/auth/me'],
      ['GET', '/api_key'],
      ['DELETE', `/api_key/id/${key.id}`],
    ]) {
      expectForbidden(await request(url(SYS.v2410, path!), { method, headers: bearer(key.key) }));
    }
    expect(sim.logins(SYS.v2410).slice(before).filter((l) => l.mechanism === 'API_KEY_PLAIN')).toEqual(
      Array.from({ length: 4 }, () => expect.objectContaining({ ok: true, result: 'SUCCESS', transport: 'rest' })),
    );
    expect(sim.apiKeys(SYS.v2410).map((k) => k.name)).toContain('tnc-empty');
  });

  it('authorizes by verb and resource, with wildcards', async () => {
    const info = await mint(SYS.v2410, { name: 'tnc-info', allowlist: [{ method: 'GET', resource: '/system/info' }] });
    expect((await request(url(SYS.v2410, '/system/info'), { headers: bearer(info.key) })).status).toBe(200);
    expectForbidden(await request(url(SYS.v2410, '/system/info/'), { headers: bearer(info.key) }));
    expectForbidden(await request(url(SYS.v2410, '/alert/list'), { headers: bearer(info.key) }));
    expectForbidden(await request(url(SYS.v2410, '/api_key'), { method: 'POST', headers: bearer(info.key), body: { name: 'x', allowlist: [] } }));
    const pools = await mint(SYS.v2410, { name: 'tnc-pools', allowlist: [{ method: 'GET', resource: '/pool*' }] });
    expect((await request(url(SYS.v2410, '/pool/id/1'), { headers: bearer(pools.key) })).status).toBe(200);
    expectForbidden(await request(url(SYS.v2410, '/update/check_available'), { method: 'POST', headers: bearer(pools.key) }));
  });

  it('gives a {"*","*"} key everything but auth.me, which a key session cannot call', async () => {
    const key = await mint(SYS.v2410, { name: 'tnc-full', allowlist: [{ method: '*', resource: '*' }] });
    expect(Object.keys(key).sort()).toEqual(['allowlist', 'created_at', 'id', 'key', 'name']);
    const me = await request(url(SYS.v2410, '/auth/me'), { headers: bearer(key.key) });
    expect(me.status).toBe(422);
    expect(me.json()).toEqual({ message: 'You are logged in using API_KEY', errno: 14 });
    const info = (await request(url(SYS.v2410, '/system/info'), { headers: bearer(key.key) })).json() as { version: string };
    expect(info.version).toBe('TrueNAS-SCALE-24.10.2.4');
    expect((await request(url(SYS.v2410, '/update/check_available'), { method: 'POST', headers: bearer(key.key) })).json()).toEqual({
      status: 'UNAVAILABLE',
    });
    expect(sim.apiKeys(SYS.v2410).find((k) => k.name === 'tnc-full')).toEqual({ id: expect.any(Number), name: 'tnc-full', username: 'root', revoked: false, revokedReason: null });
  });

  it('validates creates as the 24.10 schema, and an unknown key id is just an invalid key', async () => {
    const missing = await request(url(SYS.v2410, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-none' } });
    expect(missing.status).toBe(422);
    expect(missing.json()).toEqual({ 'api_key_create.allowlist': [{ message: 'Field required', errno: 22 }] });
    const withUser = await request(url(SYS.v2410, '/api_key'), {
      method: 'POST',
      headers: admin,
      body: { name: 'tnc-user', username: 'truenas_admin', allowlist: [] },
    });
    expect(withUser.json()).toEqual({ 'api_key_create.username': [{ message: 'Extra inputs are not permitted', errno: 22 }] });
    const key = await mint(SYS.v2410, { name: 'tnc-deleted', allowlist: [{ method: '*', resource: '*' }] });
    expect((await request(url(SYS.v2410, `/api_key/id/${key.id}`), { method: 'DELETE', headers: admin })).status).toBe(200);
    expect(await request(url(SYS.v2410, '/system/info'), { headers: bearer(key.key) })).toMatchObject({ status: 401, body: 'Invalid API key' });
  });

  it('refuses Basic auth for every account when 2FA is on (--otp-system on 24.10)', async () => {
    for (const username of ['truenas_admin', 'otp_admin', 'pool_operator']) {
      const res = await request(url(SYS.otp2410, '/system/info'), { headers: basic(username, 'truenas-demo') });
      expect(res).toMatchObject({ status: 401, body: 'HTTP Basic Auth is unavailable when OTP is enabled' });
    }
    expect((await request(url(SYS.otp2410, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-x', allowlist: [] } })).status).toBe(401);
  });
});

describe('25.04 (JSON-RPC and REST)', () => {
  it('serves REST with update/check_available and JSON-RPC with update.check_available', async () => {
    const res = await request(url(SYS.v2504, '/update/check_available'), { method: 'POST', headers: admin });
    expect(res.json()).toEqual({ status: 'UNAVAILABLE' });
    expect((await request(url(SYS.v2504, '/update/status'), { headers: admin })).status).toBe(404);
    const c = await RpcClient.connect(sim.systems[SYS.v2504]!.url);
    await login(c);
    expect((await c.call('update.check_available')).result).toEqual({ status: 'UNAVAILABLE' });
    c.close();
  });
});

describe('26 (no REST)', () => {
  it('answers 404 on every REST path but lists its API versions', async () => {
    expect(await request(url(SYS.v26, '/system/info'), { headers: admin })).toMatchObject({ status: 404, body: '404: Not Found' });
    expect((await request(`${sim.systems[SYS.v26]!.url}/api/versions`)).json()).toContain('v26.0.0');
  });
});
