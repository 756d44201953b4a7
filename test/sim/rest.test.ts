import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { RpcClient, basic, bearer, request } from './raw-client.js';

let sim: Simulator;
const admin = basic('truenas_admin', 'truenas-demo');
const url = (index: number, path: string) => `${sim.systems[index]!.url}/api/v2.0${path}`;

beforeAll(async () => {
  sim = await startSimulator({
    systems: 3,
    failDelayMs: [0, 0],
    overrides: {
      0: { users: [{ username: 'otp_admin', password: 'truenas-demo', otp: '123456' }] },
      1: { version: '24.10' },
      2: { version: '26' },
    },
  });
});

afterAll(async () => {
  await sim.close();
});

describe('REST v2.0 on 25.10', () => {
  it('answers Basic and Bearer callers and mints keys', async () => {
    const me = await request(url(0, '/auth/me'), { headers: admin });
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ pw_name: 'truenas_admin', privilege: { roles: { $set: ['FULL_ADMIN'] } } });

    const created = await request(url(0, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-rest', username: 'truenas_admin' } });
    expect(created.status).toBe(200);
    const key = created.json() as { id: number; key: string; username: string };
    expect(key).toMatchObject({ name: 'tnc-rest', username: 'truenas_admin', revoked: false });
    expect(key.key).toMatch(/^\d+-[A-Za-z0-9]{64}$/);

    const info = await request(url(0, '/system/info'), { headers: bearer(key.key) });
    expect(info.status).toBe(200);
    expect(info.json()).toMatchObject({ hostname: 'truenas-1', version: '25.10.1' });
    const one = await request(url(0, `/api_key/id/${key.id}`), { headers: bearer(key.key) });
    expect(one.json()).toMatchObject({ id: key.id, name: 'tnc-rest' });
    expect((one.json() as Record<string, unknown>).key).toBeUndefined();
    const list = await request(url(0, '/api_key'), { headers: admin });
    expect((list.json() as { id: number }[]).map((k) => k.id)).toContain(key.id);
    expect(sim.logins(0).at(-1)).toMatchObject({ mechanism: 'PASSWORD_PLAIN', ok: true, transport: 'rest' });
  });

  it('refuses bad credentials with 401 and the real messages', async () => {
    expect(await request(url(0, '/system/info'), { headers: basic('truenas_admin', 'wrong') })).toMatchObject({
      status: 401,
      body: JSON.stringify({ message: 'Bad username or password' }),
    });
    // Basic is refused for an account with 2FA, even with the right password.
    expect((await request(url(0, '/system/info'), { headers: basic('otp_admin', 'truenas-demo') })).status).toBe(401);
    expect((await request(url(0, '/system/info'))).status).toBe(401);
    const created = (await request(url(0, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-401' } })).json() as { key: string };
    const forged = `${created.key.split('-')[0]}-${'A'.repeat(64)}`;
    expect(await request(url(0, '/system/info'), { headers: bearer(forged) })).toMatchObject({
      status: 401,
      body: JSON.stringify({ message: 'Invalid API key' }),
    });
  });

  it('answers 422 for validation errors and 404 for unknown ids', async () => {
    await request(url(0, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-twice' } });
    const dup = await request(url(0, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-twice' } });
    expect(dup.status).toBe(422);
    expect(dup.json()).toEqual({ 'api_key_create.name': [{ message: 'name must be unique', errno: 22 }] });
    const missing = await request(url(0, '/api_key/id/9999'), { headers: admin });
    expect(missing).toMatchObject({ status: 404, body: JSON.stringify({ message: '' }) });
    expect((await request(url(0, '/no/such/thing'), { headers: admin })).status).toBe(404);
  });

  it('resets and deletes keys; a deleted key gets a 500 like on real servers', async () => {
    const created = (await request(url(0, '/api_key'), { method: 'POST', headers: admin, body: { name: 'tnc-gone' } })).json() as {
      id: number;
      key: string;
    };
    const reset = await request(url(0, `/api_key/id/${created.id}`), { method: 'PUT', headers: admin, body: { reset: true } });
    const fresh = (reset.json() as { key: string }).key;
    expect(fresh).not.toBe(created.key);
    expect((await request(url(0, '/auth/me'), { headers: bearer(created.key) })).status).toBe(401);
    expect((await request(url(0, '/auth/me'), { headers: bearer(fresh) })).status).toBe(200);
    const del = await request(url(0, `/api_key/id/${created.id}`), { method: 'DELETE', headers: admin });
    expect(del).toMatchObject({ status: 200, body: 'true' });
    expect((await request(url(0, '/auth/me'), { headers: bearer(fresh) })).status).toBe(500);
    expect((await request(url(0, `/api_key/id/${created.id}`), { method: 'DELETE', headers: admin })).status).toBe(404);
  });
});

describe('REST on 24.10 (no JSON-RPC)', () => {
  it('has no /api/versions and no /api/current', async () => {
    expect((await request(`${sim.systems[1]!.url}/api/versions`)).status).toBe(404);
    await expect(RpcClient.connect(sim.systems[1]!.url)).rejects.toThrow(/404/);
  });

  it('mints {name, allowlist} keys that act as root', async () => {
    const created = await request(url(1, '/api_key'), {
      method: 'POST',
      headers: admin,
      body: { name: 'tnc-legacy', allowlist: [{ method: '*', resource: '*' }] },
    });
    const key = created.json() as Record<string, unknown>;
    expect(Object.keys(key).sort()).toEqual(['allowlist', 'created_at', 'id', 'key', 'name']);
    const me = await request(url(1, '/auth/me'), { headers: bearer(key.key as string) });
    expect(me.json()).toMatchObject({ pw_name: 'root', pw_uid: 0 });
    const info = (await request(url(1, '/system/info'), { headers: bearer(key.key as string) })).json() as { version: string };
    expect(info.version).toBe('TrueNAS-SCALE-24.10.2.4');
    expect(sim.apiKeys(1)).toEqual([{ id: key.id, name: 'tnc-legacy', username: 'root', revoked: false, revokedReason: null }]);
  });
});

describe('26 (no REST)', () => {
  it('answers 404 on every REST path but lists its API versions', async () => {
    expect((await request(url(2, '/system/info'), { headers: admin })).status).toBe(404);
    expect((await request(`${sim.systems[2]!.url}/api/versions`)).json()).toContain('v26.0.0');
  });
});
