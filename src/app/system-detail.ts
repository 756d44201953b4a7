// What the System screen shows, as lines: the reducer counts them to scroll, the component
// draws a window of them. Pure, so it is tested without rendering.
import type { Pool } from '../client/health.js';
import type { SystemStatus } from '../poller/types.js';
import { fitCell } from './cell-text.js';
import {
  alertLevelState,
  alertTimeText,
  bytesText,
  healthFacts,
  loadText,
  poolStatusText,
  scanText,
  UNKNOWN_TEXT,
  uptimeText,
  usedText,
} from './health-text.js';
import { addressText, connectedText, lastCheckedText, type SystemView } from './systems.js';
import { wrapWords } from './wrap-words.js';

export type DetailTone = 'heading' | 'label' | 'critical' | 'warning' | 'ok' | 'muted';

/** One line of the screen: segments of text, each with its own look. */
export type DetailLine = ReadonlyArray<{ text: string; tone?: DetailTone }>;

const LABEL_WIDTH = 14;
const FINGERPRINT_BYTES = 8;

function heading(text: string): DetailLine {
  return [{ text, tone: 'heading' }];
}

function field(label: string, value: string, tone?: DetailTone): DetailLine {
  return [{ text: `  ${label.padEnd(LABEL_WIDTH)}`, tone: 'label' }, { text: value, ...(tone ? { tone } : {}) }];
}

function shortFingerprint(fingerprint: string | undefined): string {
  if (!fingerprint) return 'verified by a certificate authority';
  const bytes = fingerprint.split(':');
  return `${bytes.slice(0, FINGERPRINT_BYTES).join(':')}${bytes.length > FINGERPRINT_BYTES ? '…' : ''} (pinned)`;
}

function connectedTone(status: SystemStatus | undefined): DetailTone | undefined {
  if (status?.connected === true) return 'ok';
  return status?.connected === false ? 'critical' : undefined;
}

function day(iso: string | null): string {
  return iso === null ? 'in memory for this run (no keyring unlocked)' : iso.replace('T', ' ').slice(0, 16);
}

function keyLines(system: SystemView, status: SystemStatus | undefined): DetailLine[] {
  const key = system.keyInfo;
  if (!key) return [[{ text: '  No key stored: Enter signs in and creates one', tone: 'muted' }]];
  const expires = status?.connected === true ? status.health?.keyExpiresAt : undefined;
  return [
    field('Name', key.name),
    field('Id', String(key.id)),
    field('User', key.user),
    field('Stored at', day(key.storedAt)),
    field('Expires', expires === undefined ? UNKNOWN_TEXT : expires === null ? 'never' : alertTimeText(expires)),
  ];
}

interface PoolColumn {
  title: string;
  width: number;
  text(pool: Pool): string;
}

function poolColumns(width: number): PoolColumn[] {
  const fixed = [
    { title: 'Status', width: 14, text: poolStatusText },
    { title: 'Used / size', width: 21, text: usedText },
    { title: 'Errors', width: 6, text: (pool: Pool) => (pool.errors === null ? UNKNOWN_TEXT : String(pool.errors)) },
  ];
  const name = Math.max(8, Math.min(24, width - 2 - 22 - fixed.reduce((sum, c) => sum + c.width + 1, 0)));
  const scan = Math.max(10, width - 2 - name - 1 - fixed.reduce((sum, c) => sum + c.width + 1, 0));
  return [
    { title: 'Name', width: name, text: (pool) => pool.name },
    fixed[0]!,
    fixed[1]!,
    { title: 'Last scrub', width: scan, text: (pool) => scanText(pool) },
    fixed[2]!,
  ];
}

function poolLines(pools: readonly Pool[] | null | undefined, width: number): DetailLine[] {
  if (!pools) return [[{ text: `  ${UNKNOWN_TEXT}`, tone: 'muted' }]];
  if (pools.length === 0) return [[{ text: '  No pools', tone: 'muted' }]];
  const columns = poolColumns(width);
  const row = (cells: string[]) => `  ${cells.map((cell, i) => fitCell(cell, columns[i]!.width)).join(' ')}`.trimEnd();
  return [
    [{ text: row(columns.map((c) => c.title)), tone: 'label' }],
    ...pools.map((pool): DetailLine => [{ text: row(columns.map((c) => c.text(pool))), ...(pool.healthy ? {} : { tone: 'critical' as const }) }]),
  ];
}

function alertLines(status: SystemStatus | undefined, width: number): DetailLine[] {
  const alerts = healthFacts(status).alerts;
  if (!alerts) return [[{ text: `  ${UNKNOWN_TEXT}`, tone: 'muted' }]];
  if (alerts.items.length === 0) return [[{ text: '  No alerts', tone: 'muted' }]];
  const indent = 2 + 10 + 17;
  const lines: DetailLine[] = [];
  for (const alert of alerts.items) {
    const tone: DetailTone = alertLevelState(alert.level) ?? 'muted';
    const [first = '', ...rest] = wrapWords(alert.text, Math.max(20, width - indent));
    lines.push([
      { text: `  ${alert.level.padEnd(10)}`, tone },
      { text: alertTimeText(alert.at).padEnd(17), tone: 'label' },
      { text: first },
    ]);
    for (const more of rest) lines.push([{ text: `${' '.repeat(indent)}${more}` }]);
  }
  const hidden = Object.values(alerts.counts).reduce((sum, count) => sum + count, 0) - alerts.items.length;
  if (hidden > 0) lines.push([{ text: `  … and ${hidden} more`, tone: 'muted' }]);
  return lines;
}

/** Every line of the System screen of `system`, for a screen `width` columns wide. */
export function systemDetailLines(system: SystemView, status: SystemStatus | undefined, width: number): DetailLine[] {
  const info = status?.health?.info;
  const facts = healthFacts(status);
  const known = (value: string | null | undefined) => (value ? value : UNKNOWN_TEXT);
  return [
    heading('System'),
    field('Address', addressText(system)),
    field('Certificate', shortFingerprint(system.fingerprint)),
    field('Connected', connectedText(status, system), connectedTone(status)),
    field('Last checked', lastCheckedText(status) || UNKNOWN_TEXT),
    field('Version', known(info?.version)),
    field('Hostname', known(info?.hostname)),
    field('Model', known(info?.model)),
    field('Uptime', facts.connected ? uptimeText(info?.uptimeSeconds) : UNKNOWN_TEXT),
    field('Load', facts.connected ? loadText(info?.loadavg) : UNKNOWN_TEXT),
    field('Memory', bytesText(info?.physmem)),
    [],
    heading('Key'),
    ...keyLines(system, status),
    [],
    heading('Pools'),
    ...poolLines(facts.pools, width),
    [],
    heading('Alerts'),
    ...alertLines(status, width),
  ];
}

let memo: { system: SystemView; status: SystemStatus | undefined; width: number; lines: DetailLine[] } | null = null;

/** The same lines while nothing they show changed: the reducer and the screen ask on every key. */
export function detailLinesOf(system: SystemView, status: SystemStatus | undefined, width: number): DetailLine[] {
  if (memo?.system !== system || memo.status !== status || memo.width !== width) {
    memo = { system, status, width, lines: systemDetailLines(system, status, width) };
  }
  return memo.lines;
}
