import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { RpcClient, login, request } from './raw-client.js';

let sim: Simulator;
const versions = (i: number) => request(`${sim.systems[i]!.url}/api/versions`);

beforeAll(async () => {
  // slowMs is long enough that a healthy system always answers first, even on a busy machine.
  sim = await startSimulator({ systems: 2, failDelayMs: [0, 0], slowMs: 1500 });
});

afterAll(async () => {
  await sim.close();
});

describe('faults', () => {
  it('down refuses connections, drops open ones, and comes back on the same port', async () => {
    const c = await RpcClient.connect(sim.systems[0]!.url);
    const dropped = c.closed();
    await sim.setFault(0, 'down');
    await dropped;
    await expect(versions(0)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await sim.setFault(0, 'none');
    const back = await versions(0);
    expect(back.status).toBe(200);
    expect(new URL(sim.systems[0]!.url).port).toBe(String(sim.systems[0]!.port));
  });

  it('hang accepts TCP but never sends a byte, and stops answering open sessions', async () => {
    const open = await RpcClient.connect(sim.systems[0]!.url);
    await sim.setFault(0, 'hang');
    const handshake = tls.connect({ host: '127.0.0.1', port: sim.systems[0]!.port, rejectUnauthorized: false });
    let secured = false;
    handshake.on('secureConnect', () => (secured = true));
    handshake.on('error', () => {});
    await new Promise<void>((resolve) => handshake.once('connect', () => resolve()));
    const unanswered = open.call('core.set_options', [{}]);
    let answered = false;
    void unanswered.then(() => (answered = true));
    // A full round trip to another system, and another ping after it, give the hung one time to misbehave.
    expect((await versions(1)).status).toBe(200);
    const other = await RpcClient.connect(sim.systems[1]!.url);
    expect((await other.call('core.set_options', [{}])).result).toHaveProperty('legacy_jobs');
    expect(handshake.bytesRead).toBe(0);
    expect(secured).toBe(false);
    expect(answered).toBe(false);
    handshake.destroy();
    open.close();
    other.close();
    await sim.setFault(0, 'none');
  });

  it('slow answers late but correctly', async () => {
    await sim.setFault(0, 'slow');
    const order: number[] = [];
    const slow = versions(0).then((r) => (order.push(0), r));
    const fast = versions(1).then((r) => (order.push(1), r));
    const [s] = await Promise.all([slow, fast]);
    expect(order).toEqual([1, 0]);
    expect((s.json() as string[]).at(-1)).toBe('v25.10.2');
    await sim.setFault(0, 'none');
  });

  it('garbage answers HTTP and JSON-RPC with bytes that are not JSON', async () => {
    const c = await RpcClient.connect(sim.systems[0]!.url);
    await sim.setFault(0, 'garbage');
    const res = await versions(0);
    expect(() => res.json()).toThrow(SyntaxError);
    const frame = c.nextFrame();
    c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'core.ping' }));
    const text = await frame;
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    c.close();
    await sim.setFault(0, 'none');
  });

  it('rotateCertificate serves a new certificate with a new fingerprint', async () => {
    const before = sim.systems[0]!.fingerprint;
    expect((await versions(0)).fingerprint).toBe(before);
    await sim.rotateCertificate(0);
    const after = sim.systems[0]!.fingerprint;
    expect(after).not.toBe(before);
    expect((await versions(0)).fingerprint).toBe(after);
  });
});

describe('login throttling', () => {
  it('rate-limits unauthenticated logins per method and client, with EBUSY', async () => {
    const limited = await startSimulator({ systems: 1, failDelayMs: [0, 0], rateLimitPerMinute: 3 });
    try {
      const a = await RpcClient.connect(limited.systems[0]!.url);
      for (let i = 0; i < 3; i++) expect((await login(a, 'truenas_admin', 'wrong')).result.response_type).toBe('AUTH_ERR');
      // Another connection from the same address shares the budget, and a right password does not help.
      const b = await RpcClient.connect(limited.systems[0]!.url);
      const refused = await login(b);
      expect(refused.error).toMatchObject({ code: -32001, data: { error: 16, errname: 'EBUSY' } });
      expect(refused.error?.data.reason).toContain('Rate Limit Exceeded');
      expect((await b.call('auth.login_with_api_key', ['1-x'])).result).toBe(false);
      // core.set_options is exempt from the limit, as on real servers.
      expect((await b.call('core.set_options', [{}])).result).toHaveProperty('legacy_jobs');
      expect(limited.logins(0).at(-2)).toMatchObject({ mechanism: 'PASSWORD_PLAIN', ok: false, result: 'RATE_LIMITED' });
      a.close();
      b.close();
    } finally {
      await limited.close();
    }
  });

  it('holds a failed login for the fail delay while other calls go on', async () => {
    const delayed = await startSimulator({ systems: 1, failDelayMs: [600_000, 600_000], rateLimitPerMinute: 0 });
    try {
      const a = await RpcClient.connect(delayed.systems[0]!.url);
      let settled = false;
      void login(a, 'truenas_admin', 'wrong').then(() => (settled = true));
      expect((await a.call('core.set_options', [{}])).result).toHaveProperty('legacy_jobs');
      const b = await RpcClient.connect(delayed.systems[0]!.url);
      expect((await login(b)).result.response_type).toBe('SUCCESS');
      expect(delayed.logins(0).map((l) => l.ok)).toEqual([false, true]);
      expect(settled).toBe(false);
      a.close();
      b.close();
    } finally {
      await delayed.close();
    }
  });
});
