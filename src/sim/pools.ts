// A system's pools and `pool.query` rows as the middleware builds them (plugins/pool_/pool.py
// `pool_normalize_info`, pool_/topology.py, py-libzfs `ZFSPool.asdict`/`ZFSPoolScrub.asdict`;
// the `PoolEntry` model of api/v25_10_0/pool.py). Datetimes stay `Date` until they reach the wire.
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimPoolStatus, SimScanInput, SimVersion } from './types.js';

const POOL_STATUSES: readonly SimPoolStatus[] = ['ONLINE', 'DEGRADED', 'FAULTED', 'OFFLINE', 'UNAVAIL', 'REMOVED'];
const SCAN_FUNCTIONS = ['SCRUB', 'RESILVER'] as const;
const SCAN_STATES = ['SCANNING', 'FINISHED', 'CANCELED'] as const;

const SIZE = 3_985_729_650_688;
const ALLOCATED = 1_305_346_318_336;
const HOUR_MS = 3_600_000;

/** py-libzfs `status_code` and `status_detail` (zpool_main.c texts) for each imported pool state. */
const STATUS: Record<Exclude<SimPoolStatus, 'OFFLINE'>, { code: string; detail: string | null; vdev: string; disk: string }> = {
  ONLINE: { code: 'OK', detail: null, vdev: 'ONLINE', disk: 'ONLINE' },
  DEGRADED: {
    code: 'FAULTED_DEV_R',
    detail:
      'One or more devices are faulted in response to persistent errors. Sufficient replicas exist for the pool to continue functioning in a degraded state.',
    vdev: 'DEGRADED',
    disk: 'FAULTED',
  },
  FAULTED: {
    code: 'FAULTED_DEV_NR',
    detail: 'One or more devices are faulted in response to persistent errors. There are insufficient replicas for the pool to continue functioning.',
    vdev: 'FAULTED',
    disk: 'FAULTED',
  },
  UNAVAIL: {
    code: 'MISSING_DEV_NR',
    detail: 'One or more devices could not be opened. There are insufficient replicas for the pool to continue functioning.',
    vdev: 'UNAVAIL',
    disk: 'UNAVAIL',
  },
  REMOVED: {
    code: 'REMOVED_DEV',
    detail:
      'One or more devices has been removed by the administrator. Sufficient replicas exist for the pool to continue functioning in a degraded state.',
    vdev: 'REMOVED',
    disk: 'REMOVED',
  },
};

interface ScanRecord {
  function: SimScanInput['function'];
  state: SimScanInput['state'];
  percentage: number;
  errors: number;
  startTime: number;
  endTime: number | null;
}

interface DiskRecord {
  partuuid: string;
  guid: string;
  device: string;
}

interface PoolRecord {
  id: number;
  name: string;
  guid: string;
  status: SimPoolStatus;
  scan: ScanRecord | null;
  vdevGuid: string;
  disks: [DiskRecord, DiskRecord];
}

function zfsGuid(): string {
  return randomBytes(8).readBigUInt64BE().toString();
}

function vdevStats(size: number, allocated: number, errors = 0): Record<string, unknown> {
  return {
    timestamp: 8_640_000_000_000,
    read_errors: errors,
    write_errors: 0,
    checksum_errors: errors,
    ops: [0, 0, 0, 0, 0, 0, 0],
    bytes: [0, 0, 0, 0, 0, 0, 0],
    size,
    allocated,
    fragmentation: size > 0 ? 2 : 0,
    self_healed: 0,
    configured_ashift: 12,
    logical_ashift: 9,
    physical_ashift: 12,
  };
}

function diskRow(disk: DiskRecord, status: string, errors: number): Record<string, unknown> {
  return {
    name: disk.partuuid,
    type: 'DISK',
    path: `/dev/disk/by-partuuid/${disk.partuuid}`,
    guid: disk.guid,
    status,
    stats: vdevStats(0, 0, errors),
    children: [],
    device: `${disk.device}1`,
    disk: disk.device,
    unavail_disk: null,
  };
}

function topology(pool: PoolRecord, state: (typeof STATUS)[keyof typeof STATUS]): Record<string, unknown> {
  // One mirror of two disks; a degraded pool has lost the second one, other states affect both.
  const first = pool.status === 'DEGRADED' ? 'ONLINE' : state.disk;
  const errors = pool.status === 'ONLINE' ? 0 : 3;
  return {
    data: [
      {
        name: 'mirror-0',
        type: 'MIRROR',
        path: null,
        guid: pool.vdevGuid,
        status: state.vdev,
        stats: vdevStats(SIZE, ALLOCATED),
        children: [diskRow(pool.disks[0], first, 0), diskRow(pool.disks[1], state.disk, errors)],
        unavail_disk: null,
      },
    ],
    log: [],
    cache: [],
    spare: [],
    special: [],
    dedup: [],
  };
}

/** `ZFSPoolScrub.asdict()`: note that py-libzfs swaps bytes_to_process and bytes_processed. */
function scanRow(scan: ScanRecord, now: number): Record<string, unknown> {
  const processed = Math.round((ALLOCATED * scan.percentage) / 100);
  const scanning = scan.state === 'SCANNING';
  const elapsedS = Math.max(1, (now - scan.startTime) / 1000);
  return {
    function: scan.function,
    state: scan.state,
    start_time: new Date(scan.startTime),
    end_time: scanning || scan.endTime === null ? null : new Date(scan.endTime),
    percentage: scan.percentage,
    bytes_to_process: processed,
    bytes_processed: ALLOCATED,
    bytes_issued: processed,
    pause: null,
    errors: scan.errors,
    total_secs_left: scanning ? Math.round((elapsedS * (100 - scan.percentage)) / Math.max(scan.percentage, 1)) : null,
  };
}

/** One `pool.query` entry; 24.10 has no dedup_table_* fields and 26 adds `all_sed`. */
export function poolRow(pool: PoolRecord, version: SimVersion, now = Date.now()): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: pool.id,
    name: pool.name,
    guid: pool.guid,
    path: `/mnt/${pool.name}`,
    status: 'OFFLINE',
    scan: null,
    expand: null,
    topology: null,
    healthy: false,
    warning: false,
    status_code: null,
    status_detail: null,
    size: null,
    allocated: null,
    free: null,
    freeing: null,
    fragmentation: null,
    size_str: null,
    allocated_str: null,
    free_str: null,
    freeing_str: null,
    dedup_table_quota: null,
    dedup_table_size: null,
    autotrim: { parsed: 'off', rawvalue: 'off', source: 'DEFAULT', value: 'off' },
  };
  if (pool.status !== 'OFFLINE') {
    const state = STATUS[pool.status];
    Object.assign(row, {
      status: pool.status,
      scan: pool.scan && scanRow(pool.scan, now),
      topology: topology(pool, state),
      healthy: state.code === 'OK',
      warning: false,
      status_code: state.code,
      status_detail: state.detail,
      size: SIZE,
      allocated: ALLOCATED,
      free: SIZE - ALLOCATED,
      freeing: 0,
      fragmentation: '2',
      size_str: String(SIZE),
      allocated_str: String(ALLOCATED),
      free_str: String(SIZE - ALLOCATED),
      freeing_str: '0',
      dedup_table_quota: 'auto',
      dedup_table_size: 0,
    });
  }
  if (version === '24.10') {
    delete row.dedup_table_quota;
    delete row.dedup_table_size;
  }
  if (version === '26') row.all_sed = false;
  return row;
}

export class PoolStore {
  private readonly pools: PoolRecord[] = [];
  private nextId = 1;

  list(): readonly PoolRecord[] {
    return this.pools;
  }

  /** A new healthy mirror whose last scrub finished a day ago. */
  add(name: string, status: SimPoolStatus = 'ONLINE', now = Date.now()): PoolRecord {
    if (this.pools.some((p) => p.name === name)) throw new Error(`pool ${name} exists`);
    checkStatus(status);
    const pool: PoolRecord = {
      id: this.nextId++,
      name,
      guid: zfsGuid(),
      status,
      scan: { function: 'SCRUB', state: 'FINISHED', percentage: 100, errors: 0, startTime: now - 26 * HOUR_MS, endTime: now - 24 * HOUR_MS },
      vdevGuid: zfsGuid(),
      disks: [0, 1].map((i) => ({ partuuid: randomUUID(), guid: zfsGuid(), device: `sd${String.fromCharCode(97 + ((this.pools.length * 2 + i) % 26))}` })) as [
        DiskRecord,
        DiskRecord,
      ],
    };
    this.pools.push(pool);
    return pool;
  }

  pool(name: string): PoolRecord {
    const pool = this.pools.find((p) => p.name === name);
    if (!pool) throw new Error(`no pool ${name}`);
    return pool;
  }

  setStatus(name: string, status: SimPoolStatus): void {
    checkStatus(status);
    this.pool(name).status = status;
  }

  /** Starts, advances or ends a scrub or resilver. */
  setScan(name: string, input: SimScanInput, now = Date.now()): void {
    const pool = this.pool(name);
    if (!SCAN_FUNCTIONS.includes(input.function)) throw new Error(`function must be one of ${SCAN_FUNCTIONS.join(', ')}`);
    if (!SCAN_STATES.includes(input.state)) throw new Error(`state must be one of ${SCAN_STATES.join(', ')}`);
    const percentage = input.percentage ?? (input.state === 'FINISHED' ? 100 : 0);
    if (!(percentage >= 0 && percentage <= 100)) throw new Error('percentage must be between 0 and 100');
    const same = pool.scan && pool.scan.function === input.function && pool.scan.state === 'SCANNING';
    const startTime = same ? pool.scan!.startTime : now - 60_000;
    pool.scan = {
      function: input.function,
      state: input.state,
      percentage,
      errors: input.errors ?? 0,
      startTime,
      endTime: input.state === 'SCANNING' ? null : now,
    };
  }

  rename(name: string, to: string): void {
    this.pool(name).name = to;
  }

  /** Replaces every pool with new healthy ones of these names. */
  replace(names: readonly string[], now = Date.now()): void {
    this.pools.length = 0;
    for (const name of names) this.add(name, 'ONLINE', now);
  }
}

function checkStatus(status: SimPoolStatus): void {
  if (!POOL_STATUSES.includes(status)) throw new Error(`status must be one of ${POOL_STATUSES.join(', ')}`);
}
