import { describe, expect, it } from 'vitest';
import { ClientError } from '../../src/client/errors.js';
import {
  MAX_ALERT_ITEMS,
  MAX_ALERT_TEXT_LENGTH,
  MAX_POOLS,
  ownKeyState,
  parseAlerts,
  parseCheckAvailable,
  parsePools,
  parseSystemDetails,
  parseUpdateStatus,
  releaseVersion,
  type AlertLevel,
} from '../../src/client/health.js';

/** OSC 52 clipboard write, OSC 0 title, CSI, 8-bit CSI/OSC/ST (C1), bidi override and isolate. */
const HOSTILE = '\u001b]52;c;ZWNobyBoaQ==\u0007\u001b]0;owned\u0007\u001b[2J\u009b31m\u009d0;t\u009c\u202eevil\u2066\u200f';
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Every string anywhere in `value` is free of control and bidi characters. */
function expectAllClean(value: unknown): void {
  const pending: unknown[] = [value];
  let strings = 0;
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      strings++;
      expect(next).not.toMatch(UNSAFE);
    } else if (next && typeof next === 'object') {
      pending.push(...Object.values(next));
    }
  }
  expect(strings).toBeGreaterThan(0);
}

function expectProtocolError(parse: () => unknown): void {
  let caught: unknown;
  try {
    parse();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ClientError);
  expect((caught as ClientError).reason).toBe('protocol error');
}

const NOT_LISTS: unknown[] = [{}, { result: [] }, null, undefined, 'alerts', 42, true];
const NOT_OBJECTS: unknown[] = [[], [{}], null, undefined, 'status', 42, false];

const T0 = Date.UTC(2026, 10, 20, 14, 5);

/** One alert as the middleware's AlertSerializer sends it (api/v25_10_0/alert.py `Alert`). */
function wireAlert(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uuid: 'a1b2c3',
    source: 'VolumeStatus',
    klass: 'VolumeStatus',
    args: { volume: 'tank', state: 'DEGRADED' },
    node: 'Controller A',
    key: '["tank"]',
    datetime: { $date: T0 },
    last_occurrence: { $date: T0 + 60_000 },
    dismissed: false,
    mail: null,
    text: 'Pool %(volume)s state is %(state)s: %(status)s%(devices)s',
    id: 'a1b2c3',
    level: 'CRITICAL',
    formatted: 'Pool tank state is DEGRADED: One or more devices are faulted.',
    one_shot: false,
    ...fields,
  };
}

/** Through the real wire parser, so `$date` arrives as Date objects as it does in the client. */
function fromWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('parseAlerts', () => {
  it('counts the alerts that are not dismissed by level and lists them worst and newest first', () => {
    const summary = parseAlerts(
      fromWire([
        wireAlert({ id: 'info', level: 'INFO', datetime: { $date: T0 + 5 } }),
        wireAlert({ id: 'old-warning', level: 'WARNING', datetime: { $date: T0 } }),
        wireAlert({ id: 'new-warning', level: 'WARNING', datetime: { $date: T0 + 1000 } }),
        wireAlert({ id: 'dismissed', level: 'EMERGENCY', dismissed: true }),
        wireAlert({ id: 'critical', level: 'CRITICAL' }),
        wireAlert({ id: 'alert', level: 'ALERT' }),
        wireAlert({ id: 'emergency', level: 'EMERGENCY' }),
        wireAlert({ id: 'error', level: 'ERROR' }),
        wireAlert({ id: 'notice', level: 'NOTICE' }),
      ]),
    );
    expect(summary.counts).toEqual({ critical: 3, error: 1, warning: 2, notice: 1, info: 1 });
    expect(summary.items.map((a) => a.id)).toEqual([
      'emergency',
      'alert',
      'critical',
      'error',
      'new-warning',
      'old-warning',
      'notice',
      'info',
    ]);
    expect(summary.items[0]).toEqual({
      id: 'emergency',
      level: 'EMERGENCY',
      text: 'Pool tank state is DEGRADED: One or more devices are faulted.',
      at: T0,
    });
  });

  it('reads times as sent ({$date}), as Date and as plain milliseconds', () => {
    const raw = [wireAlert({ id: 'raw' }), wireAlert({ id: 'ms', datetime: T0 })];
    const parsed = [...parseAlerts(raw).items, ...parseAlerts(fromWire(raw)).items];
    expect(parsed.map((a) => a.at)).toEqual([T0, T0, T0, T0]);
  });

  it('falls back to last_occurrence, and unreadable times are null and sort after known ones', () => {
    const summary = parseAlerts([
      wireAlert({ id: 'no-time', datetime: undefined, last_occurrence: 'yesterday' }),
      wireAlert({ id: 'last', datetime: null, last_occurrence: { $date: T0 } }),
      wireAlert({ id: 'negative', datetime: -5, last_occurrence: null }),
      wireAlert({ id: 'huge', datetime: { $date: 1e300 }, last_occurrence: null }),
      wireAlert({ id: 'nan-date', datetime: new Date(Number.NaN), last_occurrence: { $date: '1' } }),
    ]);
    const at = Object.fromEntries(summary.items.map((a) => [a.id, a.at]));
    expect(at).toEqual({ 'no-time': null, last: T0, negative: null, huge: null, 'nan-date': null });
    expect(summary.items[0]!.id).toBe('last');
  });

  it('keeps the server order among alerts of the same level and time', () => {
    const ids = ['c', 'a', 'b'];
    const summary = parseAlerts(ids.map((id) => wireAlert({ id, level: 'WARNING' })));
    expect(summary.items.map((a) => a.id)).toEqual(ids);
  });

  it('shows `formatted`, else `text`, as plain words: the web UI markup is dropped', () => {
    const devices =
      '<br>The following devices are not healthy:<ul><li>Disk WDC 1234 is FAULTED</li><li>Disk WDC 5678 is OFFLINE</li></ul>';
    const summary = parseAlerts([
      wireAlert({ id: 'html', formatted: `Pool tank state is DEGRADED: Devices are faulted.${devices}` }),
      wireAlert({ id: 'link', level: 'INFO', formatted: 'See the <a href="https://example.com" target="_blank">docs</a>.' }),
      wireAlert({ id: 'null', level: 'INFO', formatted: null, text: 'Template %(x)s' }),
      wireAlert({ id: 'none', level: 'INFO', formatted: 5, text: ['not', 'text'] }),
      wireAlert({ id: 'lt', level: 'INFO', formatted: 'usage < 80% and 3<4' }),
    ]);
    const text = Object.fromEntries(summary.items.map((a) => [a.id, a.text]));
    expect(text).toEqual({
      html: 'Pool tank state is DEGRADED: Devices are faulted. The following devices are not healthy: • Disk WDC 1234 is FAULTED • Disk WDC 5678 is OFFLINE',
      link: 'See the docs.',
      null: 'Template %(x)s',
      none: '',
      lt: 'usage < 80% and 3<4',
    });
  });

  it('takes an unknown or missing level as WARNING and reads levels in any case', () => {
    const levels: unknown[] = ['SEVERE', undefined, null, 7, 'warning'.repeat(100), 'critical', 'Info'];
    const summary = parseAlerts(levels.map((level, i) => wireAlert({ id: String(i), level })));
    expect(summary.counts).toEqual({ critical: 1, error: 0, warning: 5, notice: 0, info: 1 });
    const byId = Object.fromEntries(summary.items.map((a) => [a.id, a.level]));
    expect(byId).toEqual<Record<string, AlertLevel>>({
      0: 'WARNING',
      1: 'WARNING',
      2: 'WARNING',
      3: 'WARNING',
      4: 'WARNING',
      5: 'CRITICAL',
      6: 'INFO',
    });
  });

  it('skips items that are not alerts and defaults fields of the wrong type', () => {
    const summary = parseAlerts([
      null,
      42,
      'alert',
      [wireAlert()],
      {},
      { level: 'ERROR', id: 12, uuid: 'from-uuid', formatted: { html: true }, dismissed: 'yes' },
    ]);
    expect(summary.counts).toEqual({ critical: 0, error: 1, warning: 1, notice: 0, info: 0 });
    expect(summary.items).toEqual([
      { id: 'from-uuid', level: 'ERROR', text: '', at: null },
      { id: '', level: 'WARNING', text: '', at: null },
    ]);
  });

  it('refuses an answer that is not a list', () => {
    for (const answer of NOT_LISTS) expectProtocolError(() => parseAlerts(answer));
  });

  it('counts all of 10,000 alerts and keeps only the worst and newest of them', () => {
    const levels: AlertLevel[] = ['INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'];
    // A fixed pseudo-random spread of levels and times (a linear congruential sequence).
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const raw = Array.from({ length: 10_000 }, (_, i) =>
      wireAlert({ id: `a${i}`, level: levels[next() % levels.length], datetime: { $date: T0 + (next() % 1_000_000) } }),
    );
    const summary = parseAlerts(fromWire(raw));

    const expected = { critical: 0, error: 0, warning: 0, notice: 0, info: 0 };
    const bucket = { INFO: 'info', NOTICE: 'notice', WARNING: 'warning', ERROR: 'error' } as const;
    for (const a of raw) expected[bucket[a.level as keyof typeof bucket] ?? 'critical']++;
    expect(summary.counts).toEqual(expected);

    expect(summary.items).toHaveLength(MAX_ALERT_ITEMS);
    const rank = (a: Record<string, unknown>): number => levels.indexOf(a.level as AlertLevel);
    const time = (a: Record<string, unknown>): number => (a.datetime as { $date: number }).$date;
    const sorted = raw
      .map((a, index) => ({ a, index }))
      .sort((x, y) => rank(y.a) - rank(x.a) || time(y.a) - time(x.a) || x.index - y.index)
      .slice(0, MAX_ALERT_ITEMS)
      .map(({ a }) => a.id);
    expect(summary.items.map((a) => a.id)).toEqual(sorted);
  });

  it('caps a megabyte of alert text by code points and removes every escape from it', () => {
    const huge = `${HOSTILE}Disk failing ${'x'.repeat(1024 * 1024)}`;
    const [alert] = parseAlerts(fromWire([wireAlert({ formatted: huge })])).items;
    expect([...alert!.text].length).toBeLessThanOrEqual(MAX_ALERT_TEXT_LENGTH);
    expect(alert!.text.startsWith(']52;c;ZWNobyBoaQ==]0;owned[2J31m0;tevilDisk failing xxx')).toBe(true);
    expect(alert!.text.endsWith('…')).toBe(true);
    expect(alert!.text).not.toMatch(UNSAFE);
  });

  it('lets no escape sequence through any string field', () => {
    const summary = parseAlerts([
      wireAlert({ id: `id${HOSTILE}`, level: `CRITICAL${HOSTILE}`, formatted: `f${HOSTILE}` }),
      wireAlert({ id: 5, uuid: `u${HOSTILE}`, formatted: null, text: `t${HOSTILE}<b>${HOSTILE}</b>` }),
    ]);
    expect(summary.items.map((a) => [a.id, a.level])).toEqual([
      ['u]52;c;ZWNobyBoaQ==]0;owned[2J31m0;tevil', 'CRITICAL'],
      ['id]52;c;ZWNobyBoaQ==]0;owned[2J31m0;tevil', 'WARNING'],
    ]);
    expectAllClean(summary);
  });
});

/** One pool as `pool.query` sends it (api/v25_10_0/pool.py `PoolEntry`, py-libzfs scan and vdevs). */
function wirePool(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const disk = (name: string, errors: [number, number, number]): Record<string, unknown> => ({
    name,
    type: 'DISK',
    path: `/dev/${name}`,
    guid: '123',
    status: 'ONLINE',
    stats: { read_errors: errors[0], write_errors: errors[1], checksum_errors: errors[2], ops: [0, 1, 2, 0, 0, 0, 0] },
    children: [],
    device: name,
    disk: name,
  });
  return {
    id: 1,
    name: 'tank',
    guid: '1234567890',
    path: '/mnt/tank',
    status: 'ONLINE',
    scan: {
      function: 'SCRUB',
      state: 'FINISHED',
      start_time: { $date: T0 - 3_600_000 },
      end_time: { $date: T0 },
      percentage: 100,
      bytes_to_process: 1000,
      bytes_processed: 1000,
      bytes_issued: 1000,
      pause: null,
      errors: 0,
      total_secs_left: null,
    },
    expand: null,
    is_upgraded: true,
    healthy: true,
    warning: false,
    status_code: 'OK',
    status_detail: null,
    size: 3_958_241_859_993,
    allocated: 1_319_413_953_331,
    free: 2_638_827_906_662,
    fragmentation: '3',
    autotrim: { parsed: 'off', rawvalue: 'off', source: 'DEFAULT', value: 'off' },
    topology: {
      data: [
        {
          name: 'mirror-0',
          type: 'MIRROR',
          path: null,
          guid: '42',
          status: 'ONLINE',
          stats: { read_errors: 0, write_errors: 0, checksum_errors: 1 },
          children: [disk('sda1', [2, 0, 0]), disk('sdb1', [0, 3, 4])],
        },
      ],
      log: [],
      cache: [disk('nvme0n1p1', [0, 0, 5])],
      spare: [],
      special: [],
      dedup: [],
    },
    ...fields,
  };
}

describe('parsePools', () => {
  it('reads name, status, health, sizes, the last scan and the errors of every vdev', () => {
    const [pool] = parsePools(fromWire([wirePool()]));
    expect(pool).toEqual({
      name: 'tank',
      status: 'ONLINE',
      statusCode: 'OK',
      healthy: true,
      size: 3_958_241_859_993,
      allocated: 1_319_413_953_331,
      scan: { kind: 'SCRUB', state: 'FINISHED', percentage: 100, endTime: T0, errors: 0 },
      errors: 1 + 2 + 3 + 4 + 5,
    });
  });

  it('reads a running resilver and the raw {$date} form', () => {
    const [pool] = parsePools([
      wirePool({
        status: 'DEGRADED',
        healthy: false,
        status_code: 'RESILVERING',
        scan: { function: 'RESILVER', state: 'SCANNING', percentage: 7.25, end_time: null, errors: 0 },
      }),
      wirePool({ name: 'cold', scan: { ...(wirePool().scan as object), end_time: { $date: T0 } } }),
    ]);
    expect(pool!.scan).toEqual({ kind: 'RESILVER', state: 'SCANNING', percentage: 7.25, endTime: null, errors: 0 });
    expect(pool!.healthy).toBe(false);
    expect(parsePools([wirePool({ scan: { ...(wirePool().scan as object), end_time: T0 } })])[0]!.scan!.endTime).toBe(T0);
  });

  it('has no scan for a pool never scrubbed, or one of a kind or state it does not know', () => {
    const scans: unknown[] = [
      null,
      { function: null, state: 'NONE' },
      { function: 'SCRUB', state: 'NONE' },
      { function: 'ERRORSCRUB', state: 'SCANNING' },
      { function: 'SCRUB', state: 'PAUSED' },
      'SCANNING',
      [],
    ];
    const pools = parsePools(scans.map((scan, i) => wirePool({ name: `p${i}`, scan })));
    expect(pools.map((p) => p.scan)).toEqual(scans.map(() => null));
  });

  it('bounds scan numbers: percentages clamp at 100, nonsense is null', () => {
    const scan = (percentage: unknown, errors: unknown): unknown =>
      parsePools([wirePool({ scan: { function: 'SCRUB', state: 'SCANNING', percentage, errors } })])[0]!.scan;
    expect(scan(250, 3)).toMatchObject({ percentage: 100, errors: 3 });
    expect(scan(-1, -1)).toMatchObject({ percentage: null, errors: null });
    expect(scan('42', '3')).toMatchObject({ percentage: null, errors: null });
    expect(scan(Number.NaN, Number.POSITIVE_INFINITY)).toMatchObject({ percentage: null, errors: null });
  });

  it('skips items that are not pools or have no name, and defaults fields of the wrong type', () => {
    const pools = parsePools([
      null,
      7,
      'tank',
      [wirePool()],
      {},
      wirePool({ name: '' }),
      wirePool({ name: 42 }),
      { name: 'bare' },
      { name: 'online', status: 'ONLINE' },
      wirePool({ name: 'odd', status: ['ONLINE'], healthy: 'yes', size: '4 TiB', allocated: -1, topology: [] }),
    ]);
    expect(pools).toEqual([
      { name: 'bare', status: 'UNKNOWN', statusCode: null, healthy: false, size: null, allocated: null, scan: null, errors: null },
      { name: 'online', status: 'ONLINE', statusCode: null, healthy: true, size: null, allocated: null, scan: null, errors: null },
      {
        name: 'odd',
        status: 'UNKNOWN',
        statusCode: 'OK',
        healthy: false,
        size: null,
        allocated: null,
        scan: expect.objectContaining({ kind: 'SCRUB' }),
        errors: null,
      },
    ]);
  });

  it('takes sizes up to 2^64 bytes and nothing beyond or below', () => {
    const sizes: unknown[] = [0, 2 ** 64, 2 ** 64 * 2, -1, Number.NaN, 1e308, null];
    const pools = parsePools(sizes.map((size, i) => wirePool({ name: `p${i}`, size })));
    expect(pools.map((p) => p.size)).toEqual([0, 2 ** 64, null, null, null, null, null]);
  });

  it('counts errors only from numbers, and a topology with no vdevs has none', () => {
    const stats = (s: unknown): unknown => ({ data: [{ stats: s, children: null }] });
    const errors = (topology: unknown): number | null => parsePools([wirePool({ topology })])[0]!.errors;
    expect(errors({})).toBe(0);
    expect(errors(null)).toBeNull();
    expect(errors('mirror')).toBeNull();
    expect(errors(stats({ read_errors: '5', write_errors: -3, checksum_errors: 2.9 }))).toBe(2);
    expect(errors(stats(null))).toBe(0);
    expect(errors({ data: [null, 5, 'disk', { children: 'x' }], log: 'x', extra: [{ stats: { read_errors: 9 } }] })).toBe(0);
    expect(errors(stats({ read_errors: Number.MAX_SAFE_INTEGER, write_errors: Number.MAX_SAFE_INTEGER }))).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it('walks hostile nesting without overflowing the stack and only to a bounded depth', () => {
    // JSON.parse builds this without recursion; 100,000 levels would overflow a recursive walk.
    const depth = 100_000;
    const vdev = '{"stats":{"read_errors":1},"children":[';
    const text = `[{"name":"deep","status":"ONLINE","healthy":true,"topology":{"data":[${vdev.repeat(depth)}${']}'.repeat(depth)}]}}]`;
    const [pool] = parsePools(JSON.parse(text));
    // Real topologies nest four deep at most (mirror, replacing, spare, disk): all of that counts.
    expect(pool!.errors).toBeGreaterThanOrEqual(4);
    expect(pool!.errors).toBeLessThan(100);
  });

  it('visits a bounded number of vdevs in a huge flat topology', () => {
    const vdevs = Array.from({ length: 200_000 }, () => ({ stats: { checksum_errors: 1 }, children: [] }));
    const [pool] = parsePools([wirePool({ topology: { data: vdevs } })]);
    expect(pool!.errors).toBeGreaterThan(1000);
    expect(pool!.errors).toBeLessThan(vdevs.length);
  });

  it(`keeps at most ${MAX_POOLS} pools`, () => {
    const pools = parsePools(Array.from({ length: 500 }, (_, i) => wirePool({ name: `p${i}` })));
    expect(pools).toHaveLength(MAX_POOLS);
    expect(pools[MAX_POOLS - 1]!.name).toBe(`p${MAX_POOLS - 1}`);
  });

  it('lets no escape sequence through any string field and caps the words', () => {
    const pools = parsePools([
      wirePool({ name: `tank${HOSTILE}`, status: `DEG${HOSTILE}`, status_code: `CODE${HOSTILE}` }),
      wirePool({ name: 'n'.repeat(100_000), status: 'S'.repeat(100_000) }),
    ]);
    expect(pools[0]!.name).toBe('tank]52;c;ZWNobyBoaQ==]0;owned[2J31m0;tevil');
    expectAllClean(pools);
    expect([...pools[1]!.name].length).toBeLessThanOrEqual(200);
    expect(pools[1]!.status.length).toBeLessThanOrEqual(32);
  });

  it('refuses an answer that is not a list', () => {
    for (const answer of NOT_LISTS) expectProtocolError(() => parsePools(answer));
  });
});

describe('parseUpdateStatus (25.10 and 26)', () => {
  /** api/v25_10_0/update.py `UpdateStatus` as plugins/update_/status.py fills it. */
  const normal = (newVersion: unknown): Record<string, unknown> => ({
    code: 'NORMAL',
    error: null,
    status: {
      current_version: { train: 'TrueNAS-SCALE-Goldeye', profile: 'GENERAL', matches_profile: true },
      new_version: newVersion,
    },
    update_download_progress: null,
  });
  const error = (errname: unknown): Record<string, unknown> => ({
    code: 'ERROR',
    error: { errname, reason: 'whatever' },
    status: null,
    update_download_progress: null,
  });

  it('offers the new version, or nothing when new_version is null', () => {
    const offered = { version: '25.10.2', manifest: {}, release_notes: null, release_notes_url: 'https://x' };
    expect(parseUpdateStatus(fromWire(normal(offered)))).toEqual({ available: '25.10.2', rebootRequired: false });
    expect(parseUpdateStatus(normal({ ...offered, version: 'TrueNAS-26.0.0' }))).toEqual({
      available: '26.0.0',
      rebootRequired: false,
    });
    expect(parseUpdateStatus(normal(null))).toEqual({ available: null, rebootRequired: false });
  });

  it('reads a pending reboot as nothing to install', () => {
    const reboot = { available: null, rebootRequired: true };
    expect(parseUpdateStatus(error('EREBOOTREQUIRED'))).toEqual(reboot);
    expect(parseUpdateStatus({ code: 'REBOOT_REQUIRED' })).toEqual(reboot);
  });

  it('is not known after an error or from a broken status', () => {
    const unknown: unknown[] = [
      error('EHAUNAVAILABLE'),
      error('ENOPKG'),
      error(null),
      { code: 'ERROR', error: 'EREBOOTREQUIRED' },
      { code: 'NORMAL', status: null },
      { code: 'NORMAL', status: { current_version: {} } },
      normal('25.10.2'),
      normal({ version: 25 }),
      normal({ version: '' }),
      normal({ version: '\u001b\u0007\u202e' }),
      { code: 'SOMETHING' },
      {},
    ];
    expect(unknown.map(parseUpdateStatus)).toEqual(unknown.map(() => null));
  });

  it('cleans the version', () => {
    const update = parseUpdateStatus(normal({ version: `25.10.2${HOSTILE}` }));
    expect(update!.available).toBe('25.10.2]52;c;ZWNobyBoaQ==]0;owned[2J31m0;tevil');
    expectAllClean(update);
  });

  it('refuses an answer that is not an object', () => {
    for (const answer of NOT_OBJECTS) expectProtocolError(() => parseUpdateStatus(answer));
  });
});

describe('parseCheckAvailable (24.10 and 25.04)', () => {
  it('reads each status update.check_available answers', () => {
    // plugins/update_/trains.py get_scale_update at TS-25.04.2.6.
    const available = {
      status: 'AVAILABLE',
      changes: [{ operation: 'upgrade', old: { name: 'TrueNAS', version: '25.04.1' }, new: { name: 'TrueNAS', version: '25.04.2.6' } }],
      notice: null,
      notes: null,
      release_notes_url: 'https://x',
      changelog: '',
      version: '25.04.2.6',
      filename: 'TrueNAS-SCALE-25.04.2.6.update',
      filesize: 1,
      checksum: 'x',
    };
    expect(parseCheckAvailable(available)).toEqual({ available: '25.04.2.6', rebootRequired: false });
    expect(parseCheckAvailable({ ...available, version: 'TrueNAS-SCALE-24.10.2.4' })).toEqual({
      available: '24.10.2.4',
      rebootRequired: false,
    });
    expect(parseCheckAvailable({ status: 'UNAVAILABLE' })).toEqual({ available: null, rebootRequired: false });
    expect(parseCheckAvailable({ status: 'REBOOT_REQUIRED' })).toEqual({ available: null, rebootRequired: true });
  });

  it('is not known when HA is unavailable, the status is unknown or the version missing', () => {
    const unknown: unknown[] = [
      { status: 'HA_UNAVAILABLE' },
      { status: 'available', version: '25.04.2' },
      { status: 'AVAILABLE' },
      { status: 'AVAILABLE', version: 25.04 },
      { status: null },
      {},
    ];
    expect(unknown.map(parseCheckAvailable)).toEqual(unknown.map(() => null));
  });

  it('cleans the version', () => {
    const update = parseCheckAvailable({ status: 'AVAILABLE', version: `TrueNAS-SCALE-24.10.3${HOSTILE}` });
    expect(update!.available).toBe('24.10.3]52;c;ZWNobyBoaQ==]0;owned[2J31m0;tevil');
  });

  it('refuses an answer that is not an object', () => {
    for (const answer of NOT_OBJECTS) expectProtocolError(() => parseCheckAvailable(answer));
  });
});

describe('releaseVersion', () => {
  it.each([
    ['TrueNAS-SCALE-24.10.2.4', '24.10.2.4'],
    ['TrueNAS-SCALE-24.10.2', '24.10.2'],
    ['TrueNAS-25.04.2.6', '25.04.2.6'],
    ['25.10.1', '25.10.1'],
    ['26.0.0-BETA.1', '26.0.0-BETA.1'],
    ['TrueNAS-26.0.0-BETA.1', '26.0.0-BETA.1'],
    ['TrueNAS-SCALE-Fangtooth-25.04.0', '25.04.0'],
    ['FreeNAS-11.3-U5', '11.3-U5'],
    ['TrueNAS-SCALE-MASTER', 'TrueNAS-SCALE-MASTER'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(releaseVersion(input)).toBe(expected);
  });

  it('cleans, caps and ignores what is not a string', () => {
    expect(releaseVersion(`TrueNAS-SCALE-24.10${HOSTILE}`)).toBe('24.10]52;c;ZWNobyBoaQ==]0;owned[2J31m0;tevil');
    expect(releaseVersion(`\u001b[31mTrueNAS-25.10.1`)).toBe('[31mTrueNAS-25.10.1');
    expect([...releaseVersion('9'.repeat(10_000))].length).toBeLessThanOrEqual(200);
    expect(releaseVersion(25.1)).toBe('');
    expect(releaseVersion(null)).toBe('');
  });

  it('is the same applied twice', () => {
    for (const v of ['TrueNAS-SCALE-24.10.2.4', '25.10.1', `x-${HOSTILE}1`]) {
      expect(releaseVersion(releaseVersion(v))).toBe(releaseVersion(v));
    }
  });
});

describe('parseSystemDetails', () => {
  /** api/v25_10_0/system.py `SystemInfoResult`. */
  const info = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
    version: 'TrueNAS-SCALE-24.10.2.4',
    buildtime: { $date: T0 },
    hostname: 'nas1',
    physmem: 68_719_476_736,
    model: 'AMD Ryzen Embedded V1500B',
    cores: 8,
    physical_cores: 4,
    loadavg: [0.52, 0.48, 0.4],
    uptime: '3 days, 4:05:06.789000',
    uptime_seconds: 273_906.789,
    system_serial: 'A1',
    system_product: 'TRUENAS-MINI-3.0-X+',
    system_product_version: '1.0',
    license: null,
    boottime: { $date: T0 },
    datetime: { $date: T0 },
    timezone: 'Europe/Berlin',
    system_manufacturer: 'iXsystems',
    ecc_memory: true,
    ...fields,
  });

  it('reads the release number, host, model, uptime, load, memory and cores', () => {
    expect(parseSystemDetails(fromWire(info()))).toEqual({
      version: '24.10.2.4',
      hostname: 'nas1',
      model: 'AMD Ryzen Embedded V1500B',
      uptimeSeconds: 273_906.789,
      loadavg: [0.52, 0.48, 0.4],
      physmem: 68_719_476_736,
      cores: 8,
    });
    expect(parseSystemDetails(info({ version: '25.10.1' })).version).toBe('25.10.1');
  });

  it('is a protocol error without version or hostname strings', () => {
    const broken: unknown[] = [
      info({ version: undefined }),
      info({ hostname: null }),
      info({ version: 25.1 }),
      info({ hostname: ['nas'] }),
      [info()],
      null,
      'system.info',
    ];
    for (const answer of broken) expectProtocolError(() => parseSystemDetails(answer));
  });

  it('leaves optional fields of the wrong type or out of range unknown', () => {
    const cases: [Record<string, unknown>, Partial<Record<string, unknown>>][] = [
      [{ model: 5, uptime_seconds: '100', loadavg: 'high', physmem: -1, cores: 0 }, {}],
      [{ model: '', uptime_seconds: Number.NaN, loadavg: [1, 2], physmem: '64 GiB', cores: -4 }, {}],
      [{ model: null, uptime_seconds: -5, loadavg: [1, '2', 3], physmem: 1e300, cores: 1e12 }, {}],
      [{ model: undefined, uptime_seconds: 1e20, loadavg: { 0: 1, 1: 2, 2: 3 }, physmem: null, cores: '8' }, {}],
    ];
    for (const [fields] of cases) {
      expect(parseSystemDetails(info(fields))).toEqual({
        version: '24.10.2.4',
        hostname: 'nas1',
        model: null,
        uptimeSeconds: null,
        loadavg: null,
        physmem: null,
        cores: null,
      });
    }
    expect(parseSystemDetails(info({ loadavg: [1, 2, 3, 4], cores: 7.9 }))).toMatchObject({ loadavg: [1, 2, 3], cores: 7 });
  });

  it('lets no escape sequence through any string field', () => {
    const details = parseSystemDetails(
      info({ version: `TrueNAS-SCALE-24.10${HOSTILE}`, hostname: `nas${HOSTILE}`, model: `cpu${HOSTILE}` }),
    );
    expect(details.hostname).toBe('nas]52;c;ZWNobyBoaQ==]0;owned[2J31m0;tevil');
    expectAllClean(details);
  });
});

describe('ownKeyState', () => {
  const NOW = T0;
  /** api/v25_10_0/api_key.py `ApiKeyEntry`, as api_key.my_keys lists them. */
  const entry = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
    id: 12,
    name: 'tnc-0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b',
    username: 'truenas_admin',
    user_identifier: 950,
    keyhash: '********',
    created_at: { $date: T0 - 86_400_000 },
    expires_at: null,
    local: true,
    revoked: false,
    revoked_reason: null,
    ...fields,
  });

  it('is ok for our key, with its expiry in every wire form', () => {
    const later = T0 + 86_400_000;
    expect(ownKeyState(fromWire([entry({ id: 3 }), entry()]), 12, NOW)).toEqual({ state: 'ok', expiresAt: null });
    expect(ownKeyState(fromWire([entry({ expires_at: { $date: later } })]), 12, NOW)).toEqual({ state: 'ok', expiresAt: later });
    expect(ownKeyState([entry({ expires_at: { $date: later } })], 12, NOW).expiresAt).toBe(later);
    expect(ownKeyState([entry({ expires_at: later })], 12, NOW).expiresAt).toBe(later);
  });

  it('is expired once expires_at is reached', () => {
    expect(ownKeyState(fromWire([entry({ expires_at: { $date: NOW - 1 } })]), 12, NOW)).toEqual({
      state: 'expired',
      expiresAt: NOW - 1,
    });
    expect(ownKeyState([entry({ expires_at: NOW })], 12, NOW).state).toBe('expired');
    expect(ownKeyState([entry({ expires_at: NOW + 1 })], 12, NOW).state).toBe('ok');
  });

  it('is rejected when revoked, gone, or another key under our id', () => {
    const revoked = entry({ revoked: true, revoked_reason: 'Attempt to use over an insecure transport' });
    expect(ownKeyState([revoked], 12, NOW)).toEqual({ state: 'rejected', expiresAt: null });
    expect(ownKeyState([revoked], 12, NOW, entry().name as string).state).toBe('rejected');
    expect(ownKeyState([entry({ id: 13 })], 12, NOW)).toEqual({ state: 'rejected', expiresAt: null });
    expect(ownKeyState([], 12, NOW).state).toBe('rejected');
    expect(ownKeyState([entry({ id: '12' })], 12, NOW).state).toBe('rejected');
    expect(ownKeyState([entry({ name: 'tnc-other' })], 12, NOW, entry().name as string).state).toBe('rejected');
    expect(ownKeyState([entry()], 12, NOW, entry().name as string).state).toBe('ok');
  });

  it('skips items that are not keys and reads unreadable expiry as none', () => {
    expect(ownKeyState([null, 12, 'key', [entry()], entry({ expires_at: 'soon', revoked: 'yes' })], 12, NOW)).toEqual({
      state: 'ok',
      expiresAt: null,
    });
  });

  it('refuses an answer that is not a list', () => {
    for (const answer of NOT_LISTS) expectProtocolError(() => ownKeyState(answer, 12, NOW));
  });
});
