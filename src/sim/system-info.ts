// `system.info` as TrueNAS answers it, with `$date` values and Python timedelta uptime text.
import { RELEASES } from './release.js';
import type { SystemState } from './system-state.js';

const BUILD_TIME = Date.UTC(2025, 11, 2, 18, 30);

/** Python's `str(timedelta)`: "3 days, 4:05:06.789000", "1 day, 0:00:01", "0:00:05.5" → "0:00:05.500000". */
export function timedeltaText(seconds: number): string {
  const whole = Math.floor(seconds);
  const micros = Math.round((seconds - whole) * 1e6);
  const days = Math.floor(whole / 86_400);
  const rest = whole % 86_400;
  const hms = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  const frac = micros > 0 ? `.${String(micros).padStart(6, '0')}` : '';
  const dayText = days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : '';
  return `${dayText}${hms}${frac}`;
}

export function systemInfo(state: SystemState, now = Date.now()): Record<string, unknown> {
  const uptimeSeconds = (now - state.bootedAt) / 1000;
  return {
    version: RELEASES[state.version].release,
    buildtime: { $date: BUILD_TIME },
    hostname: state.hostname,
    physmem: 68_719_476_736,
    model: state.model,
    cores: 8,
    physical_cores: 4,
    loadavg: [0.12, 0.2, 0.18],
    uptime: timedeltaText(uptimeSeconds),
    uptime_seconds: uptimeSeconds,
    system_serial: `A1-${String(40_000 + state.index).padStart(6, '0')}`,
    system_product: 'TRUENAS-MINI-3.0-XL+',
    system_product_version: '1.0',
    license: null,
    boottime: { $date: state.bootedAt },
    datetime: { $date: now },
    timezone: 'UTC',
    system_manufacturer: 'iXsystems',
    ecc_memory: true,
  };
}
