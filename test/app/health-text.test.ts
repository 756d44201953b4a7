import { describe, expect, it } from 'vitest';
import {
  alertCountsJson,
  alertsText,
  alertTimeText,
  bytesText,
  hasProblem,
  loadText,
  poolsJson,
  poolStatusText,
  poolsText,
  rowState,
  scanText,
  updateJson,
  updateText,
  uptimeText,
  usedText,
  type HealthFacts,
} from '../../src/app/health-text.js';
import { parseAlerts, parsePools, type AlertCounts, type AlertSummary, type Pool, type PoolScan } from '../../src/client/health.js';

const ZERO: AlertCounts = { critical: 0, error: 0, warning: 0, notice: 0, info: 0 };

function summary(counts: Partial<AlertCounts>): AlertSummary {
  return { counts: { ...ZERO, ...counts }, items: [] };
}

function pool(fields: Partial<Pool> = {}): Pool {
  return {
    name: 'tank',
    status: 'ONLINE',
    statusCode: 'OK',
    healthy: true,
    size: 4 * 2 ** 40,
    allocated: 2 ** 40,
    scan: null,
    errors: 0,
    ...fields,
  };
}

function scan(fields: Partial<PoolScan> = {}): PoolScan {
  return { kind: 'SCRUB', state: 'SCANNING', percentage: 42.6, endTime: null, errors: 0, ...fields };
}

const degraded = (name: string, fields: Partial<Pool> = {}): Pool =>
  pool({ name, status: 'DEGRADED', statusCode: 'MISSING_DEV_R', healthy: false, ...fields });

describe('alertsText', () => {
  it('lists the levels present, worst first, joined by ·', () => {
    expect(alertsText(summary({ critical: 1, warning: 2 }))).toBe('1 critical · 2 warning');
    expect(alertsText(summary({ info: 3, notice: 1, error: 4, warning: 2, critical: 5 }))).toBe(
      '5 critical · 4 error · 2 warning · 1 notice · 3 info',
    );
    expect(alertsText(summary({ info: 10_000 }))).toBe('10000 info');
  });

  it('is empty without alerts and — when not known', () => {
    expect(alertsText(summary({}))).toBe('');
    expect(alertsText(null)).toBe('—');
    expect(alertsText(undefined)).toBe('—');
  });

  it('counts ALERT and EMERGENCY as critical, from a real answer', () => {
    const alerts = parseAlerts(
      ['ALERT', 'EMERGENCY', 'CRITICAL', 'WARNING', 'WARNING', 'INFO'].map((level, i) => ({ id: String(i), level })),
    );
    expect(alertsText(alerts)).toBe('3 critical · 2 warning · 1 info');
  });
});

describe('poolsText', () => {
  it('is ok when every pool is healthy, none without pools, — when not known', () => {
    expect(poolsText([pool(), pool({ name: 'fast' })])).toBe('ok');
    expect(poolsText([])).toBe('none');
    expect(poolsText(null)).toBe('—');
    expect(poolsText(undefined)).toBe('—');
  });

  it('names the first unhealthy pool and its status, +N for the others', () => {
    expect(poolsText([pool({ name: 'boot2' }), degraded('tank')])).toBe('tank DEGRADED');
    expect(poolsText([degraded('tank'), pool({ name: 'ok' }), degraded('cold', { status: 'FAULTED' })])).toBe(
      'tank DEGRADED +1',
    );
    expect(poolsText([degraded('a'), degraded('b'), degraded('c'), degraded('d')])).toBe('a DEGRADED +3');
  });

  it('shows why an unhealthy pool that still reads ONLINE is unhealthy', () => {
    const errors = pool({ healthy: false, statusCode: 'CORRUPT_DATA' });
    expect(poolStatusText(errors)).toBe('CORRUPT_DATA');
    expect(poolsText([errors])).toBe('tank CORRUPT_DATA');
    expect(poolStatusText(pool({ healthy: false, statusCode: null }))).toBe('ONLINE');
    expect(poolStatusText(degraded('tank'))).toBe('DEGRADED');
    expect(poolStatusText(pool({ statusCode: 'FEAT_DISABLED' }))).toBe('ONLINE');
  });

  it('adds a running scrub or resilver with its percentage, floored', () => {
    expect(poolsText([pool({ scan: scan() })])).toBe('ok · scrub 42%');
    expect(poolsText([pool({ scan: scan({ percentage: 99.99 }) })])).toBe('ok · scrub 99%');
    expect(poolsText([pool({ scan: scan({ percentage: null }) })])).toBe('ok · scrub');
    expect(poolsText([degraded('tank', { scan: scan({ kind: 'RESILVER', percentage: 7.9 }) })])).toBe(
      'tank DEGRADED · resilver 7%',
    );
    expect(poolsText([pool({ scan: scan({ state: 'FINISHED', percentage: 100 }) })])).toBe('ok');
    expect(poolsText([pool({ scan: scan({ state: 'CANCELED' }) })])).toBe('ok');
  });

  it("shows the shown pool's scan, else a resilver before a scrub", () => {
    const scrubbing = pool({ name: 'a', scan: scan({ percentage: 10 }) });
    const resilvering = pool({ name: 'b', scan: scan({ kind: 'RESILVER', percentage: 20 }) });
    const sick = degraded('c', { scan: scan({ percentage: 30 }) });
    expect(poolsText([scrubbing, resilvering])).toBe('ok · resilver 20%');
    expect(poolsText([scrubbing, resilvering, sick])).toBe('c DEGRADED · scrub 30%');
    expect(poolsText([scrubbing, degraded('d')])).toBe('d DEGRADED · scrub 10%');
  });

  it('reads a real pool.query answer', () => {
    const pools = parsePools([
      { name: 'tank', status: 'ONLINE', healthy: true, scan: { function: 'SCRUB', state: 'SCANNING', percentage: 42.1 } },
      { name: 'cold', status: 'DEGRADED', healthy: false, scan: null },
    ]);
    expect(poolsText(pools)).toBe('cold DEGRADED · scrub 42%');
  });
});

describe('updateText', () => {
  it('is the version to install, empty when none, — when not known', () => {
    expect(updateText({ available: '25.10.2', rebootRequired: false })).toBe('25.10.2');
    expect(updateText({ available: null, rebootRequired: false })).toBe('');
    expect(updateText({ available: null, rebootRequired: true })).toBe('');
    expect(updateText(null)).toBe('—');
    expect(updateText(undefined)).toBe('—');
  });
});

describe('hasProblem and rowState', () => {
  const healthy: HealthFacts = {
    connected: true,
    alerts: summary({ notice: 2, info: 1 }),
    pools: [pool()],
    update: { available: null, rebootRequired: false },
  };

  it.each<[string, HealthFacts, boolean, string]>([
    ['healthy', healthy, false, 'ok'],
    ['first check still running', { connected: null }, false, 'unknown'],
    ['unreachable', { connected: false, reason: 'unreachable' }, true, 'critical'],
    ['key rejected', { connected: false, reason: 'key rejected' }, true, 'critical'],
    ['not connected without a reason', { connected: false }, true, 'critical'],
    ['locked: not asked', { connected: false, reason: 'locked' }, true, 'unknown'],
    ['no key: not asked', { connected: false, reason: 'no key' }, true, 'unknown'],
    ['stale critical alerts while locked', { ...healthy, connected: false, reason: 'locked', alerts: summary({ critical: 1 }) }, true, 'unknown'],
    ['a warning alert', { ...healthy, alerts: summary({ warning: 1 }) }, true, 'warning'],
    ['an error alert', { ...healthy, alerts: summary({ error: 1 }) }, true, 'critical'],
    ['a critical alert', { ...healthy, alerts: summary({ critical: 1, warning: 3 }) }, true, 'critical'],
    ['an unhealthy pool', { ...healthy, pools: [pool(), degraded('tank')] }, true, 'critical'],
    ['an update', { ...healthy, update: { available: '25.10.2', rebootRequired: false } }, true, 'ok'],
    ['a reboot pending', { ...healthy, update: { available: null, rebootRequired: true } }, false, 'ok'],
    ['nothing known but connected', { connected: true }, false, 'unknown'],
    ['alerts not readable, pools fine', { connected: true, alerts: null, pools: [pool()] }, false, 'ok'],
    ['pools not readable, a warning', { connected: true, alerts: summary({ warning: 2 }), pools: null }, true, 'warning'],
    ['no pools at all', { connected: true, alerts: summary({}), pools: [] }, false, 'ok'],
  ])('%s', (_name, facts, problem, state) => {
    expect(hasProblem(facts)).toBe(problem);
    expect(rowState(facts)).toBe(state);
  });
});

describe('System screen', () => {
  const day = Date.UTC(2026, 10, 20, 23, 30);

  it('scanText: running, finished or canceled on a date, never', () => {
    expect(scanText(pool({ scan: scan() }))).toBe('scrub 42%');
    expect(scanText(pool({ scan: scan({ kind: 'RESILVER', percentage: null }) }))).toBe('resilver running');
    expect(scanText(pool({ scan: scan({ state: 'FINISHED', endTime: day }) }), 0)).toBe('scrub finished 2026-11-20');
    // Half past eleven UTC is the next day an hour east of Greenwich, and still the day west of it.
    expect(scanText(pool({ scan: scan({ state: 'FINISHED', endTime: day }) }), 60)).toBe('scrub finished 2026-11-21');
    expect(scanText(pool({ scan: scan({ state: 'FINISHED', endTime: day }) }), -300)).toBe('scrub finished 2026-11-20');
    expect(scanText(pool({ scan: scan({ kind: 'RESILVER', state: 'CANCELED', endTime: day }) }), 0)).toBe(
      'resilver canceled 2026-11-20',
    );
    expect(scanText(pool({ scan: scan({ state: 'FINISHED', endTime: null }) }))).toBe('scrub finished');
    expect(scanText(pool({ scan: null }))).toBe('never');
  });

  it('scanText uses the local offset by default', () => {
    const finished = pool({ scan: scan({ state: 'FINISHED', endTime: day }) });
    expect(scanText(finished)).toBe(scanText(finished, -new Date(day).getTimezoneOffset()));
  });

  it('alertTimeText: date and minutes at the given offset, — when not known', () => {
    expect(alertTimeText(day, 0)).toBe('2026-11-20 23:30');
    expect(alertTimeText(day, 90)).toBe('2026-11-21 01:00');
    expect(alertTimeText(day, -23 * 60 - 30)).toBe('2026-11-20 00:00');
    expect(alertTimeText(0, 0)).toBe('1970-01-01 00:00');
    expect(alertTimeText(null)).toBe('—');
    expect(alertTimeText(8.64e15, 60)).toBe('—');
    expect(alertTimeText(day)).toBe(alertTimeText(day, -new Date(day).getTimezoneOffset()));
  });

  it.each<[number | null | undefined, string]>([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1.2 * 2 ** 40, '1.2 TiB'],
    [3.6 * 2 ** 40, '3.6 TiB'],
    [9.96 * 2 ** 30, '10 GiB'],
    [64 * 2 ** 30, '64 GiB'],
    [1023.7 * 2 ** 30, '1.0 TiB'],
    [2 ** 64, '16 EiB'],
    [2 ** 80, '1048576 EiB'],
    [-1, '—'],
    [Number.NaN, '—'],
    [null, '—'],
    [undefined, '—'],
  ])('bytesText(%s) = %s', (bytes, text) => {
    expect(bytesText(bytes)).toBe(text);
  });

  it('usedText: allocated / size, — when either is not known', () => {
    expect(usedText(pool({ allocated: 1.2 * 2 ** 40, size: 3.6 * 2 ** 40 }))).toBe('1.2 TiB / 3.6 TiB');
    expect(usedText(pool({ allocated: null }))).toBe('—');
    expect(usedText(pool({ size: null }))).toBe('—');
  });

  it.each<[number | null | undefined, string]>([
    [3 * 86_400 + 4 * 3600 + 5 * 60 + 6.789, '3 days, 4:05'],
    [86_400, '1 day, 0:00'],
    [42 * 60 + 59, '0:42'],
    [0, '0:00'],
    [400 * 86_400 + 23 * 3600 + 59 * 60, '400 days, 23:59'],
    [-1, '—'],
    [Number.NaN, '—'],
    [null, '—'],
  ])('uptimeText(%s) = %s', (seconds, text) => {
    expect(uptimeText(seconds)).toBe(text);
  });

  it('loadText: three averages as uptime prints them', () => {
    expect(loadText([0.52, 0.48, 0.4])).toBe('0.52, 0.48, 0.40');
    expect(loadText(null)).toBe('—');
  });
});

describe('status --json pieces', () => {
  it('alertCountsJson: the counts as a new object, null when not known', () => {
    const alerts = summary({ critical: 1, info: 2 });
    const json = alertCountsJson(alerts);
    expect(json).toEqual({ critical: 1, error: 0, warning: 0, notice: 0, info: 2 });
    expect(json).not.toBe(alerts.counts);
    expect(alertCountsJson(null)).toBeNull();
    expect(alertCountsJson(undefined)).toBeNull();
  });

  it('poolsJson: name, server status and health, null when not known', () => {
    const errors = pool({ name: 'cold', healthy: false, statusCode: 'CORRUPT_DATA' });
    expect(JSON.parse(JSON.stringify(poolsJson([pool(), degraded('tank'), errors])))).toEqual([
      { name: 'tank', status: 'ONLINE', healthy: true },
      { name: 'tank', status: 'DEGRADED', healthy: false },
      { name: 'cold', status: 'ONLINE', healthy: false },
    ]);
    expect(poolsJson([])).toEqual([]);
    expect(poolsJson(null)).toBeNull();
  });

  it('updateJson: what is available, null when not known', () => {
    expect(updateJson({ available: '25.10.2', rebootRequired: false })).toEqual({ available: '25.10.2' });
    expect(updateJson({ available: null, rebootRequired: true })).toEqual({ available: null });
    expect(updateJson(null)).toBeNull();
  });
});
