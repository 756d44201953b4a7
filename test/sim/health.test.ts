import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE } from '../../src/sim/hostile.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { RpcClient, basic, login, request } from './raw-client.js';

let sim: Simulator;
const clients: RpcClient[] = [];
const SYS = { v2510: 0, v2410: 1, v2504: 2, v26: 3, scratch: 4 } as const;
const admin = basic('truenas_admin', 'truenas-demo');

/** Field names of the release's models (api/v25_10_0/alert.py `Alert`, pool.py `PoolEntry`). */
const ALERT_FIELDS = ['args', 'datetime', 'dismissed', 'formatted', 'id', 'key', 'klass', 'last_occurrence', 'level', 'mail', 'node', 'one_shot', 'source', 'text', 'uuid'];
const POOL_FIELDS = [
  'allocated',
  'allocated_str',
  'autotrim',
  'dedup_table_quota',
  'dedup_table_size',
  'expand',
  'fragmentation',
  'free',
  'free_str',
  'freeing',
  'freeing_str',
  'guid',
  'healthy',
  'id',
  'name',
  'path',
  'scan',
  'size',
  'size_str',
  'status',
  'status_code',
  'status_detail',
  'topology',
  'warning',
];
const SCAN_FIELDS = ['bytes_issued', 'bytes_processed', 'bytes_to_process', 'end_time', 'errors', 'function', 'pause', 'percentage', 'start_time', 'state', 'total_secs_left'];

async function session(index: number): Promise<RpcClient> {
  const c = await RpcClient.connect(sim.systems[index]!.url);
  clients.push(c);
  expect((await login(c)).result.response_type).toBe('SUCCESS');
  return c;
}

async function call(index: number, method: string, params: unknown[] = []): Promise<any> {
  const reply = await (await session(index)).call(method, params);
  expect(reply.error).toBeUndefined();
  return reply.result;
}

beforeAll(async () => {
  sim = await startSimulator({
    systems: 5,
    failDelayMs: [0, 0],
    rateLimitPerMinute: 0,
    overrides: { [SYS.v2410]: { version: '24.10' }, [SYS.v2504]: { version: '25.04' }, [SYS.v26]: { version: '26' } },
  });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

afterAll(async () => {
  await sim.close();
});

describe('defaults', () => {
  it('start every system with one healthy pool `tank` whose last scrub finished, no alerts and no update', async () => {
    expect(await call(SYS.v2510, 'alert.list')).toEqual([]);
    const [pool, ...rest] = await call(SYS.v2510, 'pool.query');
    expect(rest).toEqual([]);
    expect(Object.keys(pool).sort()).toEqual(POOL_FIELDS);
    expect(pool).toMatchObject({ id: 1, name: 'tank', path: '/mnt/tank', status: 'ONLINE', healthy: true, warning: false, status_code: 'OK', status_detail: null, expand: null });
    expect(pool.guid).toMatch(/^\d+$/);
    expect(Object.keys(pool.scan).sort()).toEqual(SCAN_FIELDS);
    expect(pool.scan).toMatchObject({ function: 'SCRUB', state: 'FINISHED', percentage: 100, errors: 0, total_secs_left: null, pause: null });
    expect(pool.scan.end_time.$date).toBeGreaterThan(pool.scan.start_time.$date);
    expect(Object.keys(pool.topology).sort()).toEqual(['cache', 'data', 'dedup', 'log', 'spare', 'special']);
    const [mirror] = pool.topology.data;
    expect(mirror).toMatchObject({ type: 'MIRROR', status: 'ONLINE', path: null, stats: { read_errors: 0, write_errors: 0, checksum_errors: 0 } });
    expect(mirror.children).toHaveLength(2);
    expect(mirror.children[0]).toMatchObject({ type: 'DISK', status: 'ONLINE', children: [], stats: { read_errors: 0, write_errors: 0, checksum_errors: 0 } });
    expect((await call(SYS.v2510, 'update.status')).status.new_version).toBeNull();
  });

  it('shape pools per release: 24.10 has no dedup_table fields, 26 adds all_sed', async () => {
    const legacy = (await request(`${sim.systems[SYS.v2410]!.url}/api/v2.0/pool`, { headers: admin })).json() as Record<string, unknown>[];
    expect(legacy[0]).not.toHaveProperty('dedup_table_size');
    expect(legacy[0]).toMatchObject({ name: 'tank', status: 'ONLINE' });
    expect((await call(SYS.v26, 'pool.query'))[0]).toMatchObject({ all_sed: false });
  });
});

describe('alerts', () => {
  it('lists alerts with the middleware fields, most severe first, dismissed ones included', async () => {
    const [warning, critical, info] = sim.setAlerts(SYS.v2510, [
      { klass: 'ZpoolCapacityWarning', args: { volume: 'tank', capacity: 91 } },
      { level: 'CRITICAL', formatted: 'Line one\nline two', klass: 'Custom' },
      { level: 'INFO', formatted: 'Just so you know', dismissed: true },
    ]);
    const alerts = await call(SYS.v2510, 'alert.list');
    expect(alerts.map((a: { uuid: string }) => a.uuid)).toEqual([critical, warning, info]);
    for (const a of alerts) expect(Object.keys(a).sort()).toEqual(ALERT_FIELDS);
    expect(alerts[1]).toMatchObject({
      uuid: warning,
      id: warning,
      klass: 'ZpoolCapacityWarning',
      source: 'ZpoolCapacityWarning',
      level: 'WARNING',
      node: 'Controller A',
      text: "Space usage for pool '%(volume)s' is %(capacity)d%%.",
      formatted: "Space usage for pool 'tank' is 91%.",
      args: { volume: 'tank', capacity: 91 },
      key: '{"capacity": 91, "volume": "tank"}',
      dismissed: false,
      mail: null,
      one_shot: false,
    });
    expect(alerts[1].datetime.$date).toBeTypeOf('number');
    expect(alerts[1].last_occurrence).toEqual(alerts[1].datetime);
    expect(alerts[0]).toMatchObject({ level: 'CRITICAL', formatted: 'Line one\nline two', text: 'Line one\nline two', args: null, key: 'null' });
    expect(alerts[2]).toMatchObject({ dismissed: true, level: 'INFO' });
    sim.dismissAlert(SYS.v2510, critical!);
    expect((await call(SYS.v2510, 'alert.list'))[0]).toMatchObject({ uuid: critical, dismissed: true });
    expect(() => sim.setAlerts(SYS.v2510, [{ level: 'SEVERE' as never }])).toThrow(/level must be one of/);
    sim.setAlerts(SYS.v2510, []);
  });

  it('serves alert/list over REST on 24.10', async () => {
    const uuid = sim.addAlert(SYS.v2410, { klass: 'ScrubPaused', args: ['tank'] });
    const alerts = (await request(`${sim.systems[SYS.v2410]!.url}/api/v2.0/alert/list`, { headers: admin })).json() as Record<string, unknown>[];
    expect(alerts).toEqual([expect.objectContaining({ uuid, formatted: "Scrub for pool 'tank' is paused for more than 8 hours.", level: 'WARNING' })]);
  });
});

describe('pools', () => {
  it('degrade, go offline, scrub and resilver on command', async () => {
    sim.addPool(SYS.scratch, 'backup');
    sim.setPoolStatus(SYS.scratch, 'tank', 'DEGRADED');
    const [tank, backup] = await call(SYS.scratch, 'pool.query');
    expect(backup).toMatchObject({ id: 2, name: 'backup', status: 'ONLINE', healthy: true });
    expect(tank).toMatchObject({
      status: 'DEGRADED',
      healthy: false,
      warning: false,
      status_code: 'FAULTED_DEV_R',
      status_detail: expect.stringContaining('Sufficient replicas exist'),
    });
    const [mirror] = tank.topology.data;
    expect(mirror.status).toBe('DEGRADED');
    expect(mirror.children.map((d: { status: string }) => d.status)).toEqual(['ONLINE', 'FAULTED']);
    expect(mirror.children[1].stats).toMatchObject({ read_errors: 3, checksum_errors: 3 });

    sim.setScan(SYS.scratch, 'tank', { function: 'RESILVER', state: 'SCANNING', percentage: 42.5 });
    const scanning = (await call(SYS.scratch, 'pool.query', [[['name', '=', 'tank']], { get: true }])).scan;
    expect(scanning).toMatchObject({ function: 'RESILVER', state: 'SCANNING', percentage: 42.5, end_time: null });
    expect(scanning.total_secs_left).toBeGreaterThan(0);
    expect(scanning.bytes_issued).toBeLessThan(scanning.bytes_processed);
    sim.setScan(SYS.scratch, 'tank', { function: 'RESILVER', state: 'FINISHED' });
    const done = (await call(SYS.scratch, 'pool.get_instance', [1])).scan;
    expect(done).toMatchObject({ state: 'FINISHED', percentage: 100, total_secs_left: null, start_time: scanning.start_time });
    expect(done.end_time.$date).toBeTypeOf('number');

    sim.setPoolStatus(SYS.scratch, 'backup', 'OFFLINE');
    const offline = await call(SYS.scratch, 'pool.get_instance', [2]);
    expect(offline).toMatchObject({ status: 'OFFLINE', healthy: false, topology: null, scan: null, size: null, status_code: null });
    expect((await (await session(SYS.scratch)).call('pool.get_instance', [9])).error?.data.extra).toEqual([[null, 'Pool 9 does not exist', 2]]);
    expect(() => sim.setPoolStatus(SYS.scratch, 'tank', 'MELTED' as never)).toThrow(/status must be one of/);
    expect(() => sim.setScan(SYS.scratch, 'nope', { function: 'SCRUB', state: 'SCANNING' })).toThrow(/no pool nope/);
  });

  it('filter by nested fields and select like filter_list', async () => {
    const rows = await call(SYS.v2504, 'pool.query', [[['topology.data.*.status', '=', 'ONLINE']], { select: ['name', 'status'] }]);
    expect(rows).toEqual([{ name: 'tank', status: 'ONLINE' }]);
  });
});

describe('update state', () => {
  it('25.10 and 26: update.status with a new version, or a reboot pending as an ERROR code', async () => {
    sim.offerUpdate(SYS.v2510, { version: '25.10.3' });
    const status = await call(SYS.v2510, 'update.status');
    expect(status).toMatchObject({
      code: 'NORMAL',
      error: null,
      update_download_progress: null,
      status: {
        current_version: { train: 'TrueNAS-SCALE-Goldeye', profile: 'GENERAL', matches_profile: true },
        new_version: { version: '25.10.3', release_notes_url: 'https://www.truenas.com/docs/scale/25.10/gettingstarted/scalereleasenotes/#25103' },
      },
    });
    expect(Object.keys(status.status.new_version).sort()).toEqual(['manifest', 'release_notes', 'release_notes_url', 'version']);
    expect(Object.keys(status.status.new_version.manifest).sort()).toEqual(['changelog', 'checksum', 'date', 'filename', 'filesize', 'profile', 'train', 'version']);
    const rest = (await request(`${sim.systems[SYS.v2510]!.url}/api/v2.0/update/status`, { headers: admin })).json();
    expect(rest).toMatchObject({ status: { new_version: { version: '25.10.3' } } });
    sim.offerUpdate(SYS.v26, { rebootRequired: true });
    expect(await call(SYS.v26, 'update.status')).toEqual({
      code: 'ERROR',
      error: { errname: 'EREBOOTREQUIRED', reason: 'System update was already applied, system reboot is required.' },
      status: null,
      update_download_progress: null,
    });
    sim.offerUpdate(SYS.v2510, null);
  });

  it('24.10 and 25.04: update.check_available AVAILABLE with the changes, or REBOOT_REQUIRED', async () => {
    sim.offerUpdate(SYS.v2410, { version: '25.04.2.6' });
    const legacy = (await request(`${sim.systems[SYS.v2410]!.url}/api/v2.0/update/check_available`, { method: 'POST', headers: admin })).json();
    expect(legacy).toEqual({
      status: 'AVAILABLE',
      changes: [{ operation: 'upgrade', old: { name: 'TrueNAS', version: '24.10.2.4' }, new: { name: 'TrueNAS', version: '25.04.2.6' } }],
      notice: null,
      notes: null,
      release_notes_url: 'https://www.truenas.com/docs/scale/25.04/gettingstarted/scalereleasenotes/#250426',
      changelog: 'Changes in 25.04.2.6',
      version: '25.04.2.6',
      filename: 'TrueNAS-SCALE-25.04.2.6.update',
      filesize: expect.any(Number),
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    sim.offerUpdate(SYS.v2504, { rebootRequired: true });
    expect(await call(SYS.v2504, 'update.check_available')).toEqual({ status: 'REBOOT_REQUIRED' });
    expect((await (await session(SYS.v2504)).call('update.check_available', [{ train: 'TrueNAS-SCALE-Nope' }])).error).toMatchObject({
      code: -32001,
      data: { error: 2, errname: 'ENOENT', reason: '[ENOENT] Invalid train name.' },
    });
  });

  it('counts the calls of each method per system', async () => {
    const before = sim.callCounts(SYS.v2504)['update.check_available'] ?? 0;
    const c = await session(SYS.v2504);
    await c.call('update.check_available');
    await c.call('update.check_available');
    await request(`${sim.systems[SYS.v2504]!.url}/api/v2.0/update/check_available`, { method: 'POST', headers: admin });
    expect(sim.callCounts(SYS.v2504)['update.check_available']).toBe(before + 3);
    expect(sim.callCounts(SYS.v2504)['update.status']).toBeUndefined();
  });
});

describe('bulk and hostile data', () => {
  it('populates N alerts and M pools per system, from the options or later', async () => {
    const loaded = await startSimulator({ systems: 2, failDelayMs: [0, 0], populate: { alerts: 10, pools: 2 } });
    try {
      const c = await RpcClient.connect(loaded.systems[1]!.url);
      await login(c);
      const alerts = (await c.call('alert.list')).result;
      expect(alerts).toHaveLength(10);
      expect(new Set(alerts.map((a: { key: string; klass: string }) => `${a.klass} ${a.key}`)).size).toBe(10);
      expect((await c.call('pool.query')).result.map((p: { name: string }) => p.name)).toEqual(['tank', 'pool-2']);
      loaded.populate(1, { alerts: 0, pools: 3 });
      expect((await c.call('alert.list')).result).toEqual([]);
      expect((await c.call('pool.query', [[], { count: true }])).result).toBe(3);
      c.close();
    } finally {
      await loaded.close();
    }
  });

  it('sends hostile strings raw: escapes, bidi overrides, newlines and long Unicode texts', async () => {
    sim.makeHostile(SYS.scratch);
    expect(sim.systems[SYS.scratch]!.hostname).toBe(HOSTILE.hostname);
    const info = await call(SYS.scratch, 'system.info');
    expect(info.hostname).toBe(HOSTILE.hostname);
    expect(info.model).toBe(HOSTILE.model);
    expect(info.hostname).toContain('\u001b]0;');
    expect(info.hostname).toContain('\u202e');
    const alert = (await call(SYS.scratch, 'alert.list')).find((a: { formatted: string }) => a.formatted === HOSTILE.alert);
    expect(alert.formatted).toContain('\n');
    expect(alert.formatted.length).toBeGreaterThan(5000);
    expect((await call(SYS.scratch, 'pool.query'))[0]).toMatchObject({ name: HOSTILE.pool, path: `/mnt/${HOSTILE.pool}` });
  });

  it('--scenario demo: a degraded pool with its critical alert on system 0, an update on system 1', async () => {
    const demo = await startSimulator({ systems: 3, failDelayMs: [0, 0], scenario: 'demo', overrides: { 2: { version: '24.10' } } });
    try {
      const c0 = await RpcClient.connect(demo.systems[0]!.url);
      await login(c0);
      const pool = (await c0.call('pool.query')).result[0];
      expect(pool).toMatchObject({ status: 'DEGRADED', healthy: false });
      const [alert] = (await c0.call('alert.list')).result;
      expect(alert).toMatchObject({ klass: 'VolumeStatus', level: 'CRITICAL', dismissed: false });
      expect(alert.formatted).toMatch(/^Pool tank state is DEGRADED: One or more devices are faulted .*<br>The following devices are not healthy:<ul><li>Disk \d+ is FAULTED<\/li><\/ul>$/);
      const c1 = await RpcClient.connect(demo.systems[1]!.url);
      await login(c1);
      expect((await c1.call('update.status')).result.status.new_version.version).toBe('25.10.3');
      expect((await c1.call('alert.list')).result).toEqual([]);
      c0.close();
      c1.close();
    } finally {
      await demo.close();
    }
  });
});
