// What the dashboard, the System screen and `tnc status` show of a system's health (SPEC §4,
// §5 `!`, §6): pure functions of the client's parsed values. `—` means not known.
import { LEVEL_COUNT, type AlertCounts, type AlertLevel, type AlertSummary, type Pool, type UpdateInfo } from '../client/health.js';
import type { StatusReason, SystemStatus } from '../poller/types.js';

export const UNKNOWN_TEXT = '—';

/** What one system's row knows. */
export interface HealthFacts {
  /** null until the first check finishes. */
  connected: boolean | null;
  reason?: StatusReason;
  alerts?: AlertSummary | null;
  pools?: readonly Pool[] | null;
  update?: UpdateInfo | null;
}

/**
 * A status as the columns read it: health only while connected. A system that stopped
 * answering keeps its last health in the status, but it is not known now.
 */
export function healthFacts(status: SystemStatus | undefined): HealthFacts {
  const connected = status?.connected ?? null;
  const health = connected === true ? status?.health : undefined;
  return { connected, reason: status?.reason, alerts: health?.alerts, pools: health?.pools, update: health?.update };
}

/** A row's worst state, for colouring (the words in the cells carry the same meaning). */
export type RowState = 'critical' | 'warning' | 'ok' | 'unknown';

/** Worst first, as the Alerts column lists them. */
const COUNT_ORDER: readonly (keyof AlertCounts)[] = ['critical', 'error', 'warning', 'notice', 'info'];

/** `1 critical · 2 warning`: the levels present, worst first; '' when none. */
export function alertsText(summary: AlertSummary | null | undefined): string {
  if (!summary) return UNKNOWN_TEXT;
  return COUNT_ORDER.filter((level) => summary.counts[level] > 0)
    .map((level) => `${summary.counts[level]} ${level}`)
    .join(' · ');
}

/**
 * The status to show for a pool: an unhealthy pool whose status still reads ONLINE (data
 * errors, a resilver under way) shows ZFS's reason instead, so `tank ONLINE` never reads as
 * a problem.
 */
export function poolStatusText(pool: Pool): string {
  if (!pool.healthy && pool.status === 'ONLINE' && pool.statusCode && pool.statusCode !== 'OK') return pool.statusCode;
  return pool.status;
}

function percentText(percentage: number | null): string {
  // Floored: a scan at 99.7% is not done.
  return percentage === null ? '' : ` ${Math.floor(percentage)}%`;
}

function runningScanText(pool: Pool): string | null {
  const scan = pool.scan;
  if (scan?.state !== 'SCANNING') return null;
  return `${scan.kind.toLowerCase()}${percentText(scan.percentage)}`;
}

/**
 * The Pools column: `ok`, or the first unhealthy pool and its status with `+N` for the others
 * (`tank DEGRADED +1`), then ` · ` and one running scan (`ok · scrub 42%`, `tank DEGRADED ·
 * resilver 7%`). The status leads so a narrow column cuts the scan, not the problem; the
 * separator is the one Alerts and Connected use. The scan shown is the shown pool's, else the
 * first resilver (it restores redundancy), else the first scrub. `none` when the system has
 * no pools: nothing is unhealthy, but `ok` would vouch for pools that do not exist.
 */
export function poolsText(pools: readonly Pool[] | null | undefined): string {
  if (!pools) return UNKNOWN_TEXT;
  if (pools.length === 0) return 'none';
  const unhealthy = pools.filter((pool) => !pool.healthy);
  const first = unhealthy[0];
  const head = first
    ? `${first.name} ${poolStatusText(first)}${unhealthy.length > 1 ? ` +${unhealthy.length - 1}` : ''}`
    : 'ok';
  const scanning = pools.filter((pool) => runningScanText(pool) !== null);
  const shown =
    scanning.find((pool) => pool === first) ??
    scanning.find((pool) => pool.scan?.kind === 'RESILVER') ??
    scanning[0];
  return shown ? `${head} · ${runningScanText(shown)}` : head;
}

/** The Update column: the version to install; '' when none. */
export function updateText(update: UpdateInfo | null | undefined): string {
  if (!update) return UNKNOWN_TEXT;
  return update.available ?? '';
}

/** What alerts mean for a system: ERROR or worse is critical, WARNING a warning, the rest nothing. */
export type AlertState = 'critical' | 'warning' | undefined;

const COUNT_STATE: Readonly<Record<keyof AlertCounts, AlertState>> = {
  critical: 'critical',
  error: 'critical',
  warning: 'warning',
  notice: undefined,
  info: undefined,
};

export function alertLevelState(level: AlertLevel): AlertState {
  return COUNT_STATE[LEVEL_COUNT[level]];
}

/** The state of the worst alert of a summary. */
export function alertsState(summary: AlertSummary | null | undefined): AlertState {
  const worst = summary && COUNT_ORDER.find((level) => summary.counts[level] > 0);
  return worst ? COUNT_STATE[worst] : undefined;
}

export function hasUnhealthyPool(pools: readonly Pool[] | null | undefined): boolean {
  return !!pools && pools.some((pool) => !pool.healthy);
}

/**
 * The `!` filter: not Connected, an alert of WARNING or worse, an unhealthy pool, or an
 * update to install. A system still in its first check (connected null) is not known to be
 * a problem yet.
 */
export function hasProblem(facts: HealthFacts): boolean {
  if (facts.connected === false) return true;
  if (facts.connected === null) return false;
  return alertsState(facts.alerts) !== undefined || hasUnhealthyPool(facts.pools) || !!facts.update?.available;
}

/** Reasons that mean tnc did not ask the system at all, so they say nothing about it. */
const NOT_ASKED: ReadonlySet<StatusReason> = new Set<StatusReason>(['locked', 'no key']);

/**
 * - `critical`: not Connected for a reason the system gave (unreachable, key rejected, …),
 *   an ERROR or worse alert, or an unhealthy pool (TrueNAS itself raises a CRITICAL alert
 *   for one);
 * - `warning`: a WARNING alert;
 * - `ok`: connected and nothing above; an update on offer is news, not trouble;
 * - `unknown`: first check still running, not asked (locked, no key), or connected with
 *   neither alerts nor pools known (the key's user may not read them).
 */
export function rowState(facts: HealthFacts): RowState {
  if (facts.connected === null) return 'unknown';
  if (facts.connected === false) return facts.reason && NOT_ASKED.has(facts.reason) ? 'unknown' : 'critical';
  const { alerts, pools } = facts;
  if (!alerts && !pools) return 'unknown';
  const worstAlert = alertsState(alerts);
  if (worstAlert === 'critical' || hasUnhealthyPool(pools)) return 'critical';
  return worstAlert ?? 'ok';
}

// ---------------------------------------------------------------------------------------
// System screen. Times take the UTC offset in minutes, by default the local one at that
// instant, so tests pin it and the screen shows the jump host's clock like Last checked.

function localOffsetMinutes(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** `YYYY-MM-DD` and `HH:MM` of `ms` shifted by the offset, read off a UTC date. */
function dateParts(ms: number, offsetMinutes: number): { date: string; time: string } {
  const at = new Date(ms + offsetMinutes * 60_000);
  if (Number.isNaN(at.getTime())) return { date: UNKNOWN_TEXT, time: '' };
  const date = `${at.getUTCFullYear()}-${twoDigits(at.getUTCMonth() + 1)}-${twoDigits(at.getUTCDate())}`;
  return { date, time: `${twoDigits(at.getUTCHours())}:${twoDigits(at.getUTCMinutes())}` };
}

/** An alert's time: `2026-11-20 14:05`; `—` when not known. */
export function alertTimeText(ms: number | null, offsetMinutes = ms === null ? 0 : localOffsetMinutes(ms)): string {
  if (ms === null) return UNKNOWN_TEXT;
  const { date, time } = dateParts(ms, offsetMinutes);
  return time ? `${date} ${time}` : date;
}

/**
 * The Last scrub column: `scrub 42%` while running, `scrub finished 2026-11-20` or
 * `resilver canceled 2026-11-20` after, `never` when the pool was never scanned.
 */
export function scanText(pool: Pool, offsetMinutes?: number): string {
  const scan = pool.scan;
  if (!scan) return 'never';
  const kind = scan.kind.toLowerCase();
  if (scan.state === 'SCANNING') return scan.percentage === null ? `${kind} running` : `${kind}${percentText(scan.percentage)}`;
  const state = scan.state.toLowerCase();
  if (scan.endTime === null) return `${kind} ${state}`;
  return `${kind} ${state} ${dateParts(scan.endTime, offsetMinutes ?? localOffsetMinutes(scan.endTime)).date}`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** One decimal below 10, whole numbers above, as `df -h` rounds. */
function shortNumber(value: number): number {
  return value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
}

/** `1.2 TiB`, `64 GiB`, `512 B` (binary units); `—` when not known. Memory and pool sizes. */
export function bytesText(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return UNKNOWN_TEXT;
  let value = bytes;
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && shortNumber(value) >= 1024) {
    value /= 1024;
    unit++;
  }
  const shown = shortNumber(value);
  const number = unit === 0 ? String(Math.round(value)) : shown < 10 ? shown.toFixed(1) : String(shown);
  return `${number} ${BYTE_UNITS[unit]}`;
}

/** The used / size column: `1.2 TiB / 3.6 TiB`; `—` when either is not known. */
export function usedText(pool: Pool): string {
  if (pool.allocated === null || pool.size === null) return UNKNOWN_TEXT;
  return `${bytesText(pool.allocated)} / ${bytesText(pool.size)}`;
}

/** `3 days, 4:05`, `1 day, 0:00`, `0:42` (hours and minutes, as TrueNAS words uptime). */
export function uptimeText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return UNKNOWN_TEXT;
  const minutes = Math.floor(seconds / 60);
  const days = Math.floor(minutes / 1440);
  const clock = `${Math.floor((minutes % 1440) / 60)}:${twoDigits(minutes % 60)}`;
  return days > 0 ? `${days} day${days === 1 ? '' : 's'}, ${clock}` : clock;
}

/** `0.52, 0.48, 0.40`: the 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadText(loadavg: readonly [number, number, number] | null | undefined): string {
  return loadavg ? loadavg.map((load) => load.toFixed(2)).join(', ') : UNKNOWN_TEXT;
}

// ---------------------------------------------------------------------------------------
// `tnc status --json`: null when not known.

export function alertCountsJson(summary: AlertSummary | null | undefined): AlertCounts | null {
  if (!summary) return null;
  const { critical, error, warning, notice, info } = summary.counts;
  return { critical, error, warning, notice, info };
}

export function poolsJson(
  pools: readonly Pool[] | null | undefined,
): { name: string; status: string; healthy: boolean }[] | null {
  return pools ? pools.map(({ name, status, healthy }) => ({ name, status, healthy })) : null;
}

/** `{available: "25.10.2"}`, `{available: null}` when there is nothing to install; null when not known. */
export function updateJson(update: UpdateInfo | null | undefined): { available: string | null } | null {
  return update ? { available: update.available } : null;
}
