import { describe, expect, it } from 'vitest';
import { dashboardColumns } from '../../components/screens/dashboard-columns.js';
import { COLUMN_GAP, CURSOR_WIDTH } from '../../components/table/columns.js';

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
});
