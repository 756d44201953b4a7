// What differs between the TrueNAS releases the simulator imitates (each checked against the
// middleware source at its tag: TS-24.10.2.4, TS-25.04.2.6, TS-25.10.2, TS-26.0.0-BETA.3).
import type { SimVersion } from './types.js';

export interface Release {
  /** `system.info` `version` (24.10 still carried the product prefix). */
  release: string;
  /** `GET /api/versions`, oldest first; the last is `/api/current`. `null`: no JSON-RPC (24.10). */
  apiVersions: readonly string[] | null;
  /** REST v2.0 under /api/v2.0 (removed in 26). */
  rest: boolean;
  /** API keys belong to users (25.04+); 24.10 keys carry an allowlist and no user. */
  userKeys: boolean;
  /** Keys per user (PAM_TDB_MAX_KEYS, 25.04.1 to 25.10); `null`: no limit. */
  keyLimit: number | null;
  /** The update-state method of the release. */
  updateMethod: 'update.check_available' | 'update.status';
  /** `core.ping` needs no login (authentication_required=False from 25.10; 25.04 needs a session). */
  anonymousPing: boolean;
  /** Update train of the running version. */
  train: string;
  /** What `--scenario demo` offers as the available update. */
  nextRelease: string;
  /** SCRAM-SHA-512 API-key logins with channel binding (26.0 BETA.3). */
  scram: boolean;
}

export const RELEASES: Record<SimVersion, Release> = {
  '24.10': {
    release: 'TrueNAS-SCALE-24.10.2.4',
    apiVersions: null,
    rest: true,
    userKeys: false,
    keyLimit: null,
    updateMethod: 'update.check_available',
    anonymousPing: false,
    train: 'TrueNAS-SCALE-ElectricEel',
    nextRelease: '25.04.2.6',
    scram: false,
  },
  '25.04': {
    release: '25.04.2.6',
    apiVersions: ['v25.04.0', 'v25.04.1', 'v25.04.2'],
    rest: true,
    userKeys: true,
    keyLimit: 10,
    updateMethod: 'update.check_available',
    anonymousPing: false,
    train: 'TrueNAS-SCALE-Fangtooth',
    nextRelease: '25.10.2',
    scram: false,
  },
  '25.10': {
    release: '25.10.2',
    apiVersions: ['v25.04.0', 'v25.04.1', 'v25.04.2', 'v25.10.0', 'v25.10.1', 'v25.10.2'],
    rest: true,
    userKeys: true,
    keyLimit: 10,
    updateMethod: 'update.status',
    anonymousPing: true,
    train: 'TrueNAS-SCALE-Goldeye',
    nextRelease: '25.10.3',
    scram: false,
  },
  '26': {
    release: '26.0.0-BETA.3',
    apiVersions: [
      'v25.04.0',
      'v25.04.1',
      'v25.04.2',
      'v25.10.0',
      'v25.10.1',
      'v25.10.2',
      'v25.10.3',
      'v25.10.4',
      'v26.0.0',
    ],
    rest: false,
    userKeys: true,
    keyLimit: null,
    updateMethod: 'update.status',
    anonymousPing: true,
    train: 'TrueNAS-SCALE-Halfmoon',
    nextRelease: '26.0.0-RC.1',
    scram: true,
  },
};

export const SIM_VERSIONS = Object.keys(RELEASES) as SimVersion[];

/** The API version a WebSocket path serves, or null when the release has no such endpoint. */
export function apiVersionOfPath(version: SimVersion, path: string): string | null {
  const versions = RELEASES[version].apiVersions;
  if (!versions) return null;
  if (path === '/api/current') return versions.at(-1)!;
  const named = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
  return versions.includes(named) ? named : null;
}

/** The newest API version of a release: what REST and `/api/current` speak. */
export function currentApi(version: SimVersion): string {
  return RELEASES[version].apiVersions?.at(-1) ?? 'v24.10';
}

/** Python compares the version directory names as strings; so do we ('v25.04.2' < 'v25.10.0'). */
export function apiBefore(a: string, b: string): boolean {
  return a < b;
}
