import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { OTP_USER, UsageError, parseSimArgs } from '../../src/sim/cli-options.js';
import { runSimCli } from '../../src/sim/cli.js';
import { runCommand } from '../../src/sim/control.js';
import { LIMITED_USER, startSimulator } from '../../src/sim/simulator.js';
import { RpcClient, login, request } from './raw-client.js';

const MAIN = path.resolve('dist/src/sim/main.js');

describe('parseSimArgs', () => {
  it('defaults to three systems with the real fail delay and rate limit left to the simulator', () => {
    expect(parseSimArgs([])).toEqual({ systems: 3 });
  });

  it('cycles versions over the systems and adds the 2FA user where asked', () => {
    const o = parseSimArgs(['--systems', '4', '--versions', '25.10,24.10,25.04', '--otp-system', '1,3']);
    expect(o.overrides).toEqual({
      0: { version: '25.10' },
      1: { version: '24.10', users: [OTP_USER] },
      2: { version: '25.04' },
      3: { version: '25.10', users: [OTP_USER] },
    });
  });

  it('reads health data and the demo scenario', () => {
    expect(parseSimArgs(['--alerts', '10', '--pools', '2', '--scenario', 'demo'])).toEqual({
      systems: 3,
      populate: { alerts: 10, pools: 2 },
      scenario: 'demo',
    });
    expect(parseSimArgs(['--pools', '0']).populate).toEqual({ pools: 0 });
  });

  it('reads delays and limits', () => {
    expect(parseSimArgs(['--fail-delay-ms', '10,20', '--rate-limit', '0', '--slow-ms', '5'])).toEqual({
      systems: 3,
      failDelayMs: [10, 20],
      rateLimitPerMinute: 0,
      slowMs: 5,
    });
    expect(parseSimArgs(['--fail-delay-ms', '0']).failDelayMs).toEqual([0, 0]);
  });

  it.each([
    [['--systems', '0']],
    [['--systems', 'many']],
    [['--versions', '23.10']],
    [['--otp-system', '3']],
    [['--fail-delay-ms', '1,2,3']],
    [['--rate-limit', '-1']],
    [['--alerts', 'many']],
    [['--scenario', 'chaos']],
    [['--bogus']],
  ])('refuses %j', (argv) => {
    expect(() => parseSimArgs(argv)).toThrow(UsageError);
  });
});

function io() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stop = new AbortController();
  const out = createInterface({ input: stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await out.next()).value as string) as Record<string, any>;
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdin, stdout, stderr, stop: stop.signal, abort: () => stop.abort(), next, err: () => err };
}

describe('runSimCli', () => {
  it('prints one ready line, answers commands in order, and stops when stdin ends', async () => {
    const t = io();
    const done = runSimCli(['--systems', '2', '--fail-delay-ms', '0', '--otp-system', '1'], t);
    const ready = await t.next();
    expect(ready.event).toBe('ready');
    expect(ready.systems).toHaveLength(2);
    expect(ready.systems[1]).toMatchObject({ index: 1, version: '25.10', hostname: 'truenas-2' });
    expect(ready.systems[1].users).toEqual([{ username: 'truenas_admin', password: 'truenas-demo' }, OTP_USER, LIMITED_USER]);
    expect(LIMITED_USER).toEqual({ username: 'pool_operator', password: 'truenas-demo', roles: ['POOL_READ', 'API_KEY_WRITE'] });
    t.stdin.write('{"cmd":"rotate","index":0,"id":"r1"}\n{"cmd":"keys","index":1}\nnot json\n{"cmd":"fault","index":0,"fault":"melt"}\n');
    const rotated = await t.next();
    expect(rotated).toMatchObject({ ok: true, id: 'r1', cmd: 'rotate', index: 0 });
    expect(rotated.fingerprint).not.toBe(ready.systems[0].fingerprint);
    expect(await t.next()).toEqual({ ok: true, cmd: 'keys', index: 1, keys: [] });
    expect((await t.next()).ok).toBe(false);
    expect(await t.next()).toMatchObject({ ok: false, cmd: 'fault', index: 0 });
    t.stdin.end();
    expect(await done).toBe(0);
    await expect(request(`${ready.systems[0].url}/api/versions`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('stops when asked to', async () => {
    const t = io();
    const done = runSimCli(['--systems', '1'], t);
    await t.next();
    t.abort();
    expect(await done).toBe(0);
  });

  it('exits 2 with a message on bad usage, without a ready line', async () => {
    const t = io();
    expect(await runSimCli(['--systems', 'lots'], t)).toBe(2);
    expect(t.err()).toMatch(/--systems: expected an integer/);
    expect(t.stdout.read()).toBeNull();
  });
});

describe('runCommand', () => {
  it('drives health data, keys and call counts, and refuses bad arguments', async () => {
    const sim = await startSimulator({ systems: 2, failDelayMs: [0, 0], rateLimitPerMinute: 0, overrides: { 1: { version: '25.04' } } });
    const run = async (command: Record<string, unknown>) => runCommand(sim, JSON.stringify(command));
    try {
      const set = await run({ cmd: 'alerts', index: 0, alerts: [{ level: 'CRITICAL', formatted: 'Boom' }] });
      expect(set).toMatchObject({ ok: true, cmd: 'alerts', index: 0, uuids: [expect.any(String)] });
      const added = await run({ cmd: 'add-alert', index: 0, alert: { klass: 'ScrubPaused', args: ['tank'] } });
      expect(await run({ cmd: 'dismiss', index: 0, uuid: added.uuid })).toMatchObject({ ok: true });
      expect(await run({ cmd: 'add-pool', index: 0, name: 'backup' })).toMatchObject({ ok: true });
      expect(await run({ cmd: 'pool', index: 0, name: 'tank', status: 'DEGRADED' })).toMatchObject({ ok: true });
      expect(await run({ cmd: 'scan', index: 0, name: 'backup', scan: { function: 'SCRUB', state: 'SCANNING', percentage: 12 } })).toMatchObject({ ok: true });
      expect(await run({ cmd: 'update', index: 0, version: '25.10.3' })).toMatchObject({ ok: true });
      expect(await run({ cmd: 'update', index: 1, rebootRequired: true })).toMatchObject({ ok: true });

      const c = await RpcClient.connect(sim.systems[0]!.url);
      await login(c);
      expect((await c.call('alert.list')).result.map((a: { level: string; dismissed: boolean }) => [a.level, a.dismissed])).toEqual([
        ['CRITICAL', false],
        ['WARNING', true],
      ]);
      const pools = (await c.call('pool.query')).result;
      expect(pools.map((p: { name: string; status: string; scan: { state: string } }) => [p.name, p.status, p.scan.state])).toEqual([
        ['tank', 'DEGRADED', 'FINISHED'],
        ['backup', 'ONLINE', 'SCANNING'],
      ]);
      expect((await c.call('update.status')).result.status.new_version.version).toBe('25.10.3');
      const key = (await c.call('api_key.create', [{ name: 'tnc-cmd', username: 'truenas_admin' }])).result;
      expect(await run({ cmd: 'expire', index: 0 })).toMatchObject({ ok: true });
      expect((await run({ cmd: 'keys', index: 0 })).keys).toEqual([expect.objectContaining({ id: key.id, expiresAt: expect.any(Number) })]);
      const k = await RpcClient.connect(sim.systems[0]!.url);
      expect((await k.call('auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: 'truenas_admin', api_key: key.key }])).result.response_type).toBe('EXPIRED');
      expect((await run({ cmd: 'calls', index: 0 })).calls).toMatchObject({ 'alert.list': 1, 'pool.query': 1, 'update.status': 1, 'auth.login_ex': 2 });
      expect(await run({ cmd: 'populate', index: 1, alerts: 3, pools: 2 })).toMatchObject({ ok: true });
      expect(await run({ cmd: 'hostile', index: 1 })).toMatchObject({ ok: true, hostname: expect.stringContaining('\u001b') });
      c.close();
      k.close();

      expect(await run({ cmd: 'pool', index: 0, name: 'nope', status: 'ONLINE' })).toMatchObject({ ok: false, error: 'no pool nope' });
      expect(await run({ cmd: 'alerts', index: 0 })).toMatchObject({ ok: false, error: 'alerts must be a list' });
      expect(await run({ cmd: 'update', index: 0, version: 3 })).toMatchObject({ ok: false });
      expect(await run({ cmd: 'melt', index: 0 })).toMatchObject({ ok: false, error: 'unknown command "melt"' });
    } finally {
      await sim.close();
    }
  });
});

describe('node dist/src/sim/main.js', () => {
  let child: ChildProcessWithoutNullStreams | undefined;

  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  async function start(): Promise<{ proc: ChildProcessWithoutNullStreams; next: () => Promise<Record<string, any>> }> {
    expect(existsSync(MAIN), 'dist is built by test/global-setup.ts').toBe(true);
    const proc = spawn(process.execPath, [MAIN, '--systems', '2', '--versions', '25.10,24.10', '--fail-delay-ms', '0'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child = proc;
    const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    return { proc, next: async () => JSON.parse((await lines.next()).value as string) as Record<string, any> };
  }

  it('serves the systems of its ready line, obeys a command, and exits 0 on SIGTERM', async () => {
    const { proc, next } = await start();
    const ready = await next();
    expect(ready.systems.map((s: { version: string }) => s.version)).toEqual(['25.10', '24.10']);
    const res = await request(`${ready.systems[0].url}/api/versions`);
    expect(res.fingerprint).toBe(ready.systems[0].fingerprint);
    proc.stdin.write(`${JSON.stringify({ cmd: 'fault', index: 0, fault: 'down' })}\n`);
    expect(await next()).toEqual({ ok: true, cmd: 'fault', index: 0, fault: 'down' });
    await expect(request(`${ready.systems[0].url}/api/versions`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    proc.kill('SIGTERM');
    const [code] = await once(proc, 'exit');
    expect(code).toBe(0);
  });

  it('exits 0 when its stdin ends (the parent went away)', async () => {
    const { proc, next } = await start();
    await next();
    proc.stdin.end();
    const [code] = await once(proc, 'exit');
    expect(code).toBe(0);
  });
});
