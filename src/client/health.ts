// What a check learns about a system's health, parsed out of the middleware's answers into
// small plain-data values (1,000 systems keep them in memory between checks).
//
// Servers may be hostile or broken: a bad item is skipped or defaulted, never thrown on; only
// an answer that is not the expected kind at all is a protocol error. Every string that can
// reach the screen goes through cleanText. Shapes follow the middleware source
// (api/v25_10_0/{alert,pool,update,system,api_key}.py, plugins/alert.py,
// plugins/update.py at 24.10 / 25.04, py-libzfs ZPoolScrub.asdict for `scan`).
import { cleanText } from '../../store/clean-text.js';
import { isObject, unexpected, type JsonObject } from './wire.js';

/** The middleware's AlertLevel enum, mildest first. */
export type AlertLevel = 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL' | 'ALERT' | 'EMERGENCY';

export interface Alert {
  id: string;
  level: AlertLevel;
  /** `formatted` (the template filled in), else `text`; cleaned, HTML tags dropped. */
  text: string;
  /** When the alert was raised (`datetime`, else `last_occurrence`), ms since epoch. */
  at: number | null;
}

/** Alerts by level; ALERT and EMERGENCY count as critical, as TrueNAS users read them. */
export interface AlertCounts {
  critical: number;
  error: number;
  warning: number;
  notice: number;
  info: number;
}

export interface AlertSummary {
  /** Every alert that is not dismissed, however many. */
  counts: AlertCounts;
  /** The worst and newest of them, at most MAX_ALERT_ITEMS. */
  items: Alert[];
}

export type ScanKind = 'SCRUB' | 'RESILVER';
export type ScanState = 'SCANNING' | 'FINISHED' | 'CANCELED';

export interface PoolScan {
  kind: ScanKind;
  state: ScanState;
  /** 0–100, null when the server did not say. */
  percentage: number | null;
  /** ms since epoch; only once a scan is no longer running. */
  endTime: number | null;
  /** Errors the scan found. */
  errors: number | null;
}

export interface Pool {
  name: string;
  /** ONLINE, DEGRADED, FAULTED, OFFLINE, UNAVAIL, REMOVED, SUSPENDED; `UNKNOWN` when missing. */
  status: string;
  /** ZFS's reason (e.g. CORRUPT_DATA, RESILVERING), which explains an unhealthy ONLINE pool. */
  statusCode: string | null;
  healthy: boolean;
  /** Bytes. */
  size: number | null;
  allocated: number | null;
  /** The last or running scrub/resilver; null when there never was one. */
  scan: PoolScan | null;
  /** Read + write + checksum errors over every vdev of the topology; null when unknown. */
  errors: number | null;
}

export interface UpdateInfo {
  /** The release number on offer, or null when there is nothing to install. */
  available: string | null;
  /** An update was applied and waits for a reboot. */
  rebootRequired: boolean;
}

export interface SystemDetails {
  /** The release number alone, see releaseVersion. */
  version: string;
  hostname: string;
  /** The CPU model, as `system.info` names it. */
  model: string | null;
  uptimeSeconds: number | null;
  loadavg: [number, number, number] | null;
  /** Bytes of physical memory. */
  physmem: number | null;
  cores: number | null;
}

export interface KeyState {
  /** `rejected`: gone from the caller's keys or revoked; `expired`: past its `expires_at`. */
  state: 'ok' | 'rejected' | 'expired';
  /** ms since epoch; null when the key never expires. */
  expiresAt: number | null;
}

export const MAX_ALERT_ITEMS = 100;
export const MAX_ALERT_TEXT_LENGTH = 2000;
export const MAX_POOLS = 50;
/** Enum-like words (statuses, codes): anything longer is not one of them. */
const MAX_TOKEN_LENGTH = 32;
/** ZFS nests a disk at most three or four vdevs deep (mirror, replacing, spare). */
const MAX_VDEV_DEPTH = 8;
const MAX_VDEVS = 10_000;
/** ZFS byte counts are uint64. */
const MAX_BYTES = 2 ** 64;
/** The largest time a JavaScript Date can hold. */
const MAX_TIME = 8.64e15;
/** A hundred years. */
const MAX_UPTIME_SECONDS = 3.2e9;
const MAX_CORES = 100_000;

/** A finite number in [min, max], else null. */
function numberIn(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : null;
}

function errorCount(value: unknown): number {
  return Math.floor(numberIn(value, 0, Number.MAX_SAFE_INTEGER) ?? 0);
}

function byteCount(value: unknown): number | null {
  return numberIn(value, 0, MAX_BYTES);
}

/** A datetime as the middleware sends it (`{$date: ms}`), a Date, or plain ms. */
function timeOf(value: unknown): number | null {
  const ms = value instanceof Date ? value.getTime() : isObject(value) ? value.$date : value;
  return numberIn(ms, 0, MAX_TIME);
}

/** An enum word out of `value` when it is one of `words`. */
function oneOf<T extends string>(value: unknown, words: readonly T[]): T | undefined {
  return words.find((word) => word === value);
}

// ---------------------------------------------------------------------------------------
// alert.list

const LEVEL_RANK: Record<AlertLevel, number> = {
  INFO: 1,
  NOTICE: 2,
  WARNING: 3,
  ERROR: 4,
  CRITICAL: 5,
  ALERT: 6,
  EMERGENCY: 7,
};

/** Which count an alert of each level adds to. */
export const LEVEL_COUNT: Readonly<Record<AlertLevel, keyof AlertCounts>> = {
  INFO: 'info',
  NOTICE: 'notice',
  WARNING: 'warning',
  ERROR: 'error',
  CRITICAL: 'critical',
  ALERT: 'critical',
  EMERGENCY: 'critical',
};

/**
 * The middleware's level names; anything else (a newer release's level, a broken server) is
 * taken as WARNING: it is counted and shown, so it is never hidden, without crying critical.
 */
function alertLevel(value: unknown): AlertLevel {
  if (typeof value !== 'string' || value.length > MAX_TOKEN_LENGTH) return 'WARNING';
  const upper = value.toUpperCase();
  return Object.hasOwn(LEVEL_RANK, upper) ? (upper as AlertLevel) : 'WARNING';
}

const BLOCK_TAG = /<\/?(?:br|p|div|ul|ol|tr|td|th|h[1-6])\b[^<>]*>/gi;
const LIST_ITEM_TAG = /<li\b[^<>]*>/gi;
const OTHER_TAG = /<\/?[a-z][a-z0-9]*\b[^<>]*>/gi;

/**
 * `formatted` is written for the web UI (`<br>`, `<ul><li>` lists of bad disks, `<a href>`
 * links): a terminal shows the words, list items as bullets.
 */
function withoutTags(text: string): string {
  return text
    .replace(BLOCK_TAG, ' ')
    .replace(LIST_ITEM_TAG, ' • ')
    .replace(OTHER_TAG, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function alertText(item: JsonObject): string {
  const raw = typeof item.formatted === 'string' ? item.formatted : item.text;
  return withoutTags(cleanText(raw, MAX_ALERT_TEXT_LENGTH));
}

interface AlertCandidate {
  item: JsonObject;
  level: AlertLevel;
  at: number | null;
  /** Position in the answer: the server's own order breaks ties. */
  index: number;
}

/** Worse level first, then newer (unknown times last), then the server's order. */
function shownBefore(a: AlertCandidate, b: AlertCandidate): boolean {
  const rank = LEVEL_RANK[a.level] - LEVEL_RANK[b.level];
  if (rank !== 0) return rank > 0;
  const at = (a.at ?? -1) - (b.at ?? -1);
  return at !== 0 ? at > 0 : a.index < b.index;
}

/**
 * The `limit` best of what is offered, by `before`, in a min-heap whose root is the weakest
 * kept: n offers cost O(n log limit), so 10,000 alerts are no sort of 10,000.
 */
class BestOf<T> {
  private readonly heap: T[] = [];

  constructor(
    private readonly limit: number,
    private readonly before: (a: T, b: T) => boolean,
  ) {}

  offer(item: T): void {
    const heap = this.heap;
    if (heap.length < this.limit) {
      heap.push(item);
      for (let i = heap.length - 1; i > 0 && this.weaker(i, (i - 1) >> 1); i = (i - 1) >> 1) this.swap(i, (i - 1) >> 1);
      return;
    }
    if (heap.length === 0 || !this.before(item, heap[0]!)) return;
    heap[0] = item;
    for (let i = 0; ; ) {
      let weakest = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        if (child < heap.length && this.weaker(child, weakest)) weakest = child;
      }
      if (weakest === i) return;
      this.swap(i, weakest);
      i = weakest;
    }
  }

  /** Best first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => (this.before(a, b) ? -1 : 1));
  }

  private weaker(i: number, j: number): boolean {
    return this.before(this.heap[j]!, this.heap[i]!);
  }

  private swap(i: number, j: number): void {
    [this.heap[i], this.heap[j]] = [this.heap[j]!, this.heap[i]!];
  }
}

/**
 * `alert.list` (JSON-RPC) or `GET /alert/list` (REST): counts every alert not dismissed and
 * keeps the worst and newest. One pass over the list; only the kept alerts have their text
 * cleaned, so a huge list costs little more than counting it.
 */
export function parseAlerts(value: unknown): AlertSummary {
  if (!Array.isArray(value)) throw unexpected('alert.list answer');
  const counts: AlertCounts = { critical: 0, error: 0, warning: 0, notice: 0, info: 0 };
  const kept = new BestOf<AlertCandidate>(MAX_ALERT_ITEMS, shownBefore);
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    // A dismissed flag that is not `true` shows the alert: better shown than hidden.
    if (!isObject(item) || item.dismissed === true) continue;
    const level = alertLevel(item.level);
    counts[LEVEL_COUNT[level]]++;
    kept.offer({ item, level, at: timeOf(item.datetime) ?? timeOf(item.last_occurrence), index });
  }
  const items = kept.sorted().map(({ item, level, at }) => ({
    id: cleanText(typeof item.id === 'string' ? item.id : item.uuid),
    level,
    text: alertText(item),
    at,
  }));
  return { counts, items };
}

// ---------------------------------------------------------------------------------------
// pool.query

const SCAN_KINDS: readonly ScanKind[] = ['SCRUB', 'RESILVER'];
const SCAN_STATES: readonly ScanState[] = ['SCANNING', 'FINISHED', 'CANCELED'];
/** PoolTopology's vdev groups. */
const TOPOLOGY_GROUPS = ['data', 'log', 'cache', 'spare', 'special', 'dedup'] as const;

/** `function` is null and `state` NONE when the pool was never scrubbed. */
function parseScan(value: unknown): PoolScan | null {
  if (!isObject(value)) return null;
  const kind = oneOf(value.function, SCAN_KINDS);
  const state = oneOf(value.state, SCAN_STATES);
  if (!kind || !state) return null;
  const percentage = numberIn(value.percentage, 0, Infinity);
  return {
    kind,
    state,
    percentage: percentage === null ? null : Math.min(100, percentage),
    endTime: timeOf(value.end_time),
    errors: numberIn(value.errors, 0, Number.MAX_SAFE_INTEGER),
  };
}

interface VdevFrame {
  vdevs: unknown[];
  next: number;
  depth: number;
}

/**
 * Sum of every vdev's read, write and checksum errors, children included, as the TrueNAS
 * web UI totals them. Walked with an explicit stack, bounded in depth and in vdevs, so
 * hostile nesting costs neither the call stack nor much time.
 */
function topologyErrors(topology: unknown): number | null {
  if (!isObject(topology)) return null;
  const stack: VdevFrame[] = [];
  for (const group of TOPOLOGY_GROUPS) {
    const vdevs = topology[group];
    if (Array.isArray(vdevs)) stack.push({ vdevs, next: 0, depth: 1 });
  }
  let total = 0;
  for (let visited = 0; stack.length > 0 && visited < MAX_VDEVS; ) {
    const frame = stack[stack.length - 1]!;
    if (frame.next >= frame.vdevs.length) {
      stack.pop();
      continue;
    }
    const vdev = frame.vdevs[frame.next++];
    visited++;
    if (!isObject(vdev)) continue;
    if (isObject(vdev.stats)) {
      const { read_errors, write_errors, checksum_errors } = vdev.stats;
      total += errorCount(read_errors) + errorCount(write_errors) + errorCount(checksum_errors);
    }
    if (Array.isArray(vdev.children) && frame.depth < MAX_VDEV_DEPTH) {
      stack.push({ vdevs: vdev.children, next: 0, depth: frame.depth + 1 });
    }
  }
  return Math.min(total, Number.MAX_SAFE_INTEGER);
}

function parsePool(item: unknown): Pool | null {
  if (!isObject(item)) return null;
  const name = cleanText(item.name);
  if (name === '') return null;
  const status = cleanText(item.status, MAX_TOKEN_LENGTH) || 'UNKNOWN';
  return {
    name,
    status,
    statusCode: cleanText(item.status_code, MAX_TOKEN_LENGTH) || null,
    // Without the flag, only an ONLINE pool counts as healthy: never claim health unseen.
    healthy: typeof item.healthy === 'boolean' ? item.healthy : status === 'ONLINE',
    size: byteCount(item.size),
    allocated: byteCount(item.allocated),
    scan: parseScan(item.scan),
    errors: topologyErrors(item.topology),
  };
}

/** `pool.query` (JSON-RPC) or `GET /pool` (REST), at most MAX_POOLS; nameless items skipped. */
export function parsePools(value: unknown): Pool[] {
  if (!Array.isArray(value)) throw unexpected('pool.query answer');
  const pools: Pool[] = [];
  for (let i = 0; i < value.length && pools.length < MAX_POOLS; i++) {
    const pool = parsePool(value[i]);
    if (pool) pools.push(pool);
  }
  return pools;
}

// ---------------------------------------------------------------------------------------
// update state

function offered(version: unknown): UpdateInfo | null {
  const available = releaseVersion(version);
  // An update announced without a version cannot be shown: unknown rather than none.
  return available ? { available, rebootRequired: false } : null;
}

/**
 * 25.10 / 26 `update.status`: `{code: NORMAL | ERROR, error: {errname, reason} | null,
 * status: {current_version, new_version: {version, …} | null} | null, …}`. null when the
 * state is not known (the update server unreachable, HA unavailable, no matching release).
 * A pending reboot (errname EREBOOTREQUIRED) is nothing to install.
 */
export function parseUpdateStatus(value: unknown): UpdateInfo | null {
  if (!isObject(value)) throw unexpected('update.status answer');
  if (value.code === 'NORMAL') {
    if (!isObject(value.status)) return null;
    const newVersion = value.status.new_version;
    if (newVersion === null) return { available: null, rebootRequired: false };
    return isObject(newVersion) ? offered(newVersion.version) : null;
  }
  // The middleware reports a pending reboot as an ERROR; also accept it as its own code.
  const rebooting =
    value.code === 'REBOOT_REQUIRED' || (isObject(value.error) && value.error.errname === 'EREBOOTREQUIRED');
  return rebooting ? { available: null, rebootRequired: true } : null;
}

/**
 * 24.10 / 25.04 `update.check_available`: `{status: AVAILABLE | UNAVAILABLE | REBOOT_REQUIRED
 * | HA_UNAVAILABLE, version, …}`. null when not known (HA_UNAVAILABLE, an unknown status).
 */
export function parseCheckAvailable(value: unknown): UpdateInfo | null {
  if (!isObject(value)) throw unexpected('update.check_available answer');
  switch (value.status) {
    case 'AVAILABLE':
      return offered(value.version);
    case 'UNAVAILABLE':
      return { available: null, rebootRequired: false };
    case 'REBOOT_REQUIRED':
      return { available: null, rebootRequired: true };
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------
// system.info

/** Product words ending in `-` before the first part that starts with a digit. */
const PRODUCT_PREFIX = /^(?:[A-Za-z][A-Za-z0-9_]*-)+(?=\d)/;

/**
 * The release number alone, cleaned: `TrueNAS-SCALE-24.10.2.4` → `24.10.2.4`; `25.10.1` and
 * `26.0.0-BETA.1` stay. Not a string: ''.
 */
export function releaseVersion(value: unknown): string {
  return cleanText(value).replace(PRODUCT_PREFIX, '');
}

function loadAverages(value: unknown): [number, number, number] | null {
  if (!Array.isArray(value) || value.length < 3) return null;
  const [one, five, fifteen] = value.slice(0, 3).map((n) => numberIn(n, 0, Number.MAX_SAFE_INTEGER));
  return one !== null && five !== null && fifteen !== null ? [one, five, fifteen] : null;
}

/** `system.info`: version and hostname are required (it is not system.info without them). */
export function parseSystemDetails(value: unknown): SystemDetails {
  if (!isObject(value) || typeof value.version !== 'string' || typeof value.hostname !== 'string') {
    throw unexpected('system.info answer');
  }
  const cores = numberIn(value.cores, 1, MAX_CORES);
  return {
    version: releaseVersion(value.version),
    hostname: cleanText(value.hostname),
    model: cleanText(value.model) || null,
    uptimeSeconds: numberIn(value.uptime_seconds, 0, MAX_UPTIME_SECONDS),
    loadavg: loadAverages(value.loadavg),
    physmem: byteCount(value.physmem),
    cores: cores === null ? null : Math.floor(cores),
  };
}

// ---------------------------------------------------------------------------------------
// api_key.my_keys

/**
 * Our key's state from `api_key.my_keys` (the caller's own entries). A session outlives a
 * key revoked or deleted after login, so each check asks. With `keyName`, an entry under our
 * id but another name (an id reused after ours was deleted) is not ours either.
 */
export function ownKeyState(list: unknown, keyId: number, now: number, keyName?: string): KeyState {
  if (!Array.isArray(list)) throw unexpected('api_key.my_keys answer');
  const entry = list.find((item): item is JsonObject => isObject(item) && item.id === keyId);
  if (!entry || (keyName !== undefined && entry.name !== keyName)) return { state: 'rejected', expiresAt: null };
  const expiresAt = timeOf(entry.expires_at);
  if (entry.revoked === true) return { state: 'rejected', expiresAt };
  return { state: expiresAt !== null && expiresAt <= now ? 'expired' : 'ok', expiresAt };
}
