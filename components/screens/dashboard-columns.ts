// The dashboard's columns (SPEC §4) and how they give way: at 80 columns every row still
// shows Name, Connected, Alerts and Pools; Last checked, then Address, then Version, then
// Update leave as the terminal narrows, and come back in the reverse order as it widens.
import {
  alertsState,
  alertsText,
  hasUnhealthyPool,
  healthFacts,
  poolsText,
  rowState,
  updateText,
  type AlertState,
  type RowState,
} from '../../src/app/health-text.js';
import { addressText, connectedText, lastCheckedText } from '../../src/app/systems.js';
import { COLUMN_GAP, CURSOR_WIDTH, columnWidths, type ColumnSpec } from '../table/columns.js';
import type { Column } from '../table/Table.js';
import type { TextToken } from '../theme.js';
import { connectedTone, type SystemRow } from './system-row.js';

type ColumnId = 'name' | 'address' | 'version' | 'connected' | 'alerts' | 'pools' | 'update' | 'lastChecked';

interface DashboardColumn extends ColumnSpec {
  id: ColumnId;
  title: string;
  text(row: SystemRow): string;
  tone?(row: SystemRow): TextToken | undefined;
}

const facts = (row: SystemRow) => healthFacts(row.status);

function healthTone(state: RowState | AlertState): TextToken | undefined {
  return state === 'critical' ? 'health.critical' : state === 'warning' ? 'health.warning' : undefined;
}

function nameTone(row: SystemRow): TextToken | undefined {
  return healthTone(rowState(facts(row)));
}

function alertsTone(row: SystemRow): TextToken | undefined {
  return healthTone(alertsState(facts(row).alerts));
}

function poolsTone(row: SystemRow): TextToken | undefined {
  return hasUnhealthyPool(facts(row).pools) ? 'health.critical' : undefined;
}

function updateTone(row: SystemRow): TextToken | undefined {
  return facts(row).update?.available ? 'health.update' : undefined;
}

/** In display order. Connected is wide enough for its longest reason, `False · certificate changed`. */
const COLUMNS: readonly DashboardColumn[] = [
  { id: 'name', title: 'Name', min: 10, grow: 2, text: (r) => r.system.name, tone: nameTone },
  { id: 'address', title: 'Address', min: 14, grow: 2, text: (r) => addressText(r.system) },
  { id: 'version', title: 'Version', min: 8, grow: 1, max: 14, text: (r) => r.status?.health?.info?.version ?? '' },
  { id: 'connected', title: 'Connected', min: 27, grow: 0, text: (r) => connectedText(r.status, r.system), tone: connectedTone },
  { id: 'alerts', title: 'Alerts', min: 10, grow: 2, max: 24, text: (r) => alertsText(facts(r).alerts), tone: alertsTone },
  { id: 'pools', title: 'Pools', min: 14, grow: 3, max: 30, text: (r) => poolsText(facts(r).pools), tone: poolsTone },
  { id: 'update', title: 'Update', min: 8, grow: 1, max: 14, text: (r) => updateText(facts(r).update), tone: updateTone },
  { id: 'lastChecked', title: 'Last checked', min: 12, grow: 0, text: (r) => lastCheckedText(r.status) },
];

/** Who leaves first when the width is short. */
const GIVE_WAY: readonly ColumnId[] = ['lastChecked', 'address', 'version', 'update'];

function needed(columns: readonly DashboardColumn[]): number {
  return CURSOR_WIDTH + columns.reduce((sum, column) => sum + column.min, 0) + COLUMN_GAP * (columns.length - 1);
}

/** The columns that fit `width`, sized to fill it. */
export function dashboardColumns(width: number): Column<SystemRow>[] {
  let shown = COLUMNS;
  for (const id of GIVE_WAY) {
    if (needed(shown) <= width) break;
    shown = shown.filter((column) => column.id !== id);
  }
  const widths = columnWidths(width, shown);
  return shown.map((column, i) => ({
    title: column.title,
    width: widths[i]!,
    text: column.text,
    ...(column.tone ? { tone: column.tone } : {}),
  }));
}
