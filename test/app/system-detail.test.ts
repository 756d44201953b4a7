import { describe, expect, it } from 'vitest';
import type { Pool } from '../../src/client/health.js';
import { systemDetailLines, type DetailLine } from '../../src/app/system-detail.js';
import type { SystemView } from '../../src/app/systems.js';
import type { SystemStatus } from '../../src/poller/types.js';
import { details } from '../helpers/health.js';

const system: SystemView = {
  id: 'a',
  name: 'nas',
  address: 'https://nas.lan:8443',
  fingerprint: 'AB:CD:EF:01:23:45:67:89:AA:BB',
  key: 'stored',
  keyInfo: { name: 'tnc-00000000-0000-4000-8000-000000000001', id: 7, user: 'truenas_admin', storedAt: '2026-11-30T10:00:00.000Z' },
};

const tank: Pool = {
  name: 'tank',
  status: 'DEGRADED',
  statusCode: null,
  healthy: false,
  size: 4 * 2 ** 40,
  allocated: 2 ** 40,
  scan: { kind: 'RESILVER', state: 'SCANNING', percentage: 42.5, endTime: null, errors: 0 },
  errors: 3,
};

const connected: SystemStatus = {
  id: 'a',
  connected: true,
  checking: false,
  failures: 0,
  lastChecked: Date.UTC(2026, 11, 1, 9, 0, 0),
  health: {
    info: { ...details('25.10.2', 'nas'), model: 'AMD Ryzen', uptimeSeconds: 3 * 86_400 + 4 * 3600 + 5 * 60, physmem: 64 * 2 ** 30 },
    alerts: {
      counts: { critical: 1, error: 0, warning: 0, notice: 0, info: 0 },
      items: [{ id: '1', level: 'CRITICAL', text: `Pool tank state is DEGRADED: ${'words '.repeat(30)}`, at: Date.UTC(2026, 11, 1, 8, 0) }],
    },
    pools: [tank],
    update: null,
    keyExpiresAt: null,
  },
};

const text = (lines: DetailLine[]) => lines.map((line) => line.map((segment) => segment.text).join(''));

describe('System screen lines', () => {
  it('hold the system, its key, its pools and its alerts, wrapped to the width', () => {
    const lines = text(systemDetailLines(system, connected, 80));
    expect(lines).toEqual(expect.arrayContaining(['System', 'Key', 'Pools', 'Alerts']));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}Address +nas\.lan:8443$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}Certificate +AB:CD:EF:01:23:45:67:89… \(pinned\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}Uptime +3 days, 4:05$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}Name +tnc-00000000-0000-4000-8000-000000000001$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}Expires +never$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}tank +DEGRADED +1(\.0)? TiB \/ 4(\.0)? TiB +resilver 42% +3$/));
    const alert = lines.findIndex((line) => line.includes('Pool tank state is DEGRADED'));
    expect(lines[alert]).toMatch(/^ {2}CRITICAL/);
    expect(lines[alert + 1]).toMatch(/^ {29}words/);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it('says not known where the last check learned nothing', () => {
    const down: SystemStatus = { ...connected, connected: false, reason: 'unreachable' };
    const lines = text(systemDetailLines({ ...system, keyInfo: undefined, fingerprint: undefined }, down, 80));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}Connected +False · unreachable$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}Certificate +verified by a certificate authority$/));
    expect(lines).toContain('  No key stored: Enter signs in and creates one');
    // Pools and alerts: only what the last check learned, and it learned nothing.
    expect(lines.filter((line) => line === '  —')).toHaveLength(2);
  });

  it('lines pool columns up by characters, also for a name outside the BMP', () => {
    const named = (name: string): SystemStatus => ({ ...connected, health: { ...connected.health!, pools: [{ ...tank, name }] } });
    const row = (name: string) => text(systemDetailLines(system, named(name), 80)).find((line) => line.includes('DEGRADED'))!;
    expect([...row('tank🦈')].length).toBe([...row('tank5')].length);
  });

  it('tones each alert by its level: ERROR or worse critical, WARNING a warning, the rest muted', () => {
    const levels = ['EMERGENCY', 'ERROR', 'WARNING', 'NOTICE', 'INFO'] as const;
    const items = levels.map((level, i) => ({ id: String(i), level, text: `alert ${level}`, at: null }));
    const status: SystemStatus = {
      ...connected,
      health: { ...connected.health!, alerts: { counts: { critical: 1, error: 1, warning: 1, notice: 1, info: 1 }, items } },
    };
    const lines = systemDetailLines(system, status, 80);
    const toneOf = (level: string) => lines.find((line) => line.some((segment) => segment.text === `alert ${level}`))![0]!.tone;
    expect(levels.map(toneOf)).toEqual(['critical', 'critical', 'warning', 'muted', 'muted']);
  });
});
