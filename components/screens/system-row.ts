import type { SystemStatus } from '../../src/poller/types.js';
import { connectedText, type SystemView } from '../../src/app/systems.js';
import type { TextToken } from '../theme.js';

/** What one table row shows: a system and its last status. */
export interface SystemRow {
  system: SystemView;
  status: SystemStatus | undefined;
}

const rows = new WeakMap<SystemView, SystemRow>();

/** The same row object while neither the system nor its status changed, so the row skips rendering. */
export function systemRow(system: SystemView, status: SystemStatus | undefined): SystemRow {
  const cached = rows.get(system);
  if (cached && cached.status === status) return cached;
  const row = { system, status };
  rows.set(system, row);
  return row;
}

export function connectedTone(row: SystemRow): TextToken {
  const text = connectedText(row.status, row.system);
  return text === 'True' ? 'connected.true' : text === '…' ? 'connected.unknown' : 'connected.false';
}
