// Health data a system is loaded with: N alerts and M pools for the benchmark, and the demo's
// degraded pool, critical alert and available update.
import { poolRow } from './pools.js';
import { RELEASES } from './release.js';
import type { SystemState } from './system-state.js';
import type { SimAlertInput, SimPopulate } from './types.js';

/** The alert the VolumeStatus source raises for an unhealthy pool (alert/source/volume_status.py), HTML and all. */
function volumeStatusAlert(state: SystemState, poolName: string): SimAlertInput {
  const row = poolRow(state.pools.pool(poolName), state.version);
  const bad: string[] = [];
  const walk = (vdevs: Record<string, unknown>[]): void => {
    for (const v of vdevs) {
      if (v.type === 'DISK' && v.status !== 'ONLINE') bad.push(`Disk ${String(v.guid)} is ${String(v.status)}`);
      walk((v.children as Record<string, unknown>[] | undefined) ?? []);
    }
  };
  const topology = row.topology as Record<string, Record<string, unknown>[]> | null;
  if (topology) for (const group of Object.values(topology)) walk(group);
  const devices = bad.length > 0 ? `<br>The following devices are not healthy:<ul><li>${bad.join('</li><li>')}</li></ul>` : '';
  return { klass: 'VolumeStatus', args: { volume: row.name, state: row.status, status: row.status_detail, devices } };
}

/** Benchmark alerts: a mix of real classes and levels, each with its own key. */
function benchAlert(i: number): SimAlertInput {
  const volume = `pool-${i + 1}`;
  switch (i % 4) {
    case 0:
      return { klass: 'ZpoolCapacityWarning', args: { volume, capacity: 90 + (i % 5) } };
    case 1:
      return { klass: 'ScrubPaused', args: [volume] };
    case 2:
      return { klass: 'ZpoolCapacityCritical', args: { volume, capacity: 96 } };
    default:
      return { level: i % 8 === 3 ? 'INFO' : 'NOTICE', args: { index: i + 1 }, formatted: `Simulated notice ${i + 1}` };
  }
}

export function populate(state: SystemState, data: SimPopulate): void {
  if (data.pools !== undefined) {
    if (!Number.isInteger(data.pools) || data.pools < 0) throw new Error('pools must be an integer >= 0');
    state.pools.replace(Array.from({ length: data.pools }, (_, i) => (i === 0 ? 'tank' : `pool-${i + 1}`)));
  }
  if (data.alerts !== undefined) {
    if (!Number.isInteger(data.alerts) || data.alerts < 0) throw new Error('alerts must be an integer >= 0');
    state.alerts.set(Array.from({ length: data.alerts }, (_, i) => benchAlert(i)));
  }
}

/** `--scenario demo`: system 0 has a DEGRADED pool and its CRITICAL alert, system 1 an available update. */
export function applyDemoScenario(states: readonly SystemState[]): void {
  const [first, second] = states;
  if (first) {
    const pool = first.pools.list()[0]?.name ?? first.pools.add('tank').name;
    first.pools.setStatus(pool, 'DEGRADED');
    first.alerts.add(volumeStatusAlert(first, pool));
  }
  if (second) second.update = { version: RELEASES[second.version].nextRelease };
}
