// What checks return, for tests that make it up: system.info as parsed, the rest not known.
import type { SystemInfo } from '../../src/client/types.js';
import type { SystemHealth } from '../../src/poller/types.js';

export function details(version: string, hostname: string): SystemInfo {
  return { version, hostname, model: null, uptimeSeconds: null, loadavg: null, physmem: null, cores: null };
}

export function healthOf(info: SystemInfo | null, parts: Partial<Omit<SystemHealth, 'info'>> = {}): SystemHealth {
  return { info, alerts: null, pools: null, update: null, keyExpiresAt: null, ...parts };
}
