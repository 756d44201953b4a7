import { describe, expect, it } from 'vitest';
import { dashboardColumns } from '../../components/screens/dashboard-columns.js';
import type { SystemRow } from '../../components/screens/system-row.js';
import { COLUMN_GAP, CURSOR_WIDTH } from '../../components/table/columns.js';
import type { AlertCounts, Pool } from '../../src/client/health.js';
import { details, healthOf } from '../helpers/health.js';

const titles = (width: number) => dashboardColumns(width).map((column) => column.title);

describe('dashboard columns', () => {
  it('show all of SPEC §4 when there is room', () => {
    expect(titles(160)).toEqual(['Name', 'Address', 'Version', 'Connected', 'Alerts', 'Pools', 'Update', 'Last checked']);
  });

  it('give way in SPEC §4’s order as the terminal narrows: Last checked, Address, Version, then Update', () => {
    expect(titles(111)).toEqual(['Name', 'Address', 'Version', 'Connected', 'Alerts', 'Pools', 'Update']);
    expect(titles(98)).toEqual(['Name', 'Version', 'Connected', 'Alerts', 'Pools', 'Update']);
    expect(titles(80)).toEqual(['Name', 'Connected', 'Alerts', 'Pools', 'Update']);
    expect(titles(70)).toEqual(['Name', 'Connected', 'Alerts', 'Pools']);
  });

  it('keep Name, Connected, Alerts and Pools at 80×24, and fill the width exactly', () => {
    for (const width of [80, 98, 111, 120, 160, 200]) {
      const columns = dashboardColumns(width);
      expect(columns.map((c) => c.title)).toEqual(expect.arrayContaining(['Name', 'Connected', 'Alerts', 'Pools']));
      const used = CURSOR_WIDTH + columns.reduce((sum, c) => sum + c.width, 0) + COLUMN_GAP * (columns.length - 1);
      expect(used, `at ${width}`).toBeLessThanOrEqual(width);
    }
    // Connected has room for its longest reason.
    expect(dashboardColumns(80).find((c) => c.title === 'Connected')!.width).toBeGreaterThanOrEqual('False · certificate changed'.length);
  });

  it('colour Name, Alerts and Pools by how bad they are: ERROR or worse and unhealthy pools critical, WARNING a warning', () => {
    const pool = (healthy: boolean): Pool => ({ name: 'tank', status: healthy ? 'ONLINE' : 'DEGRADED', statusCode: null, healthy, size: null, allocated: null, scan: null, errors: 0 });
    const row = (counts: Partial<AlertCounts>, healthy = true): SystemRow => ({
      system: { id: 'a', name: 'nas', address: 'nas.lan', key: 'stored' },
      status: {
        id: 'a',
        connected: true,
        checking: false,
        failures: 0,
        lastChecked: 0,
        health: healthOf(details('25.10.2', 'nas'), {
          alerts: { counts: { critical: 0, error: 0, warning: 0, notice: 0, info: 0, ...counts }, items: [] },
          pools: [pool(healthy)],
        }),
      },
    });
    const tones = (r: SystemRow) => {
      const columns = dashboardColumns(160);
      return ['Name', 'Alerts', 'Pools'].map((title) => columns.find((c) => c.title === title)!.tone?.(r));
    };
    expect(tones(row({}))).toEqual([undefined, undefined, undefined]);
    expect(tones(row({ notice: 2, info: 1 }))).toEqual([undefined, undefined, undefined]);
    expect(tones(row({ warning: 1, info: 1 }))).toEqual(['health.warning', 'health.warning', undefined]);
    expect(tones(row({ error: 1, warning: 1 }))).toEqual(['health.critical', 'health.critical', undefined]);
    expect(tones(row({ critical: 1 }))).toEqual(['health.critical', 'health.critical', undefined]);
    expect(tones(row({ warning: 1 }, false))).toEqual(['health.critical', 'health.warning', 'health.critical']);
  });
});
