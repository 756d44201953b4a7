// The contract of the TrueNAS simulator used by the demo, the tests and the benchmarks.

/** 24.10: REST only; 25.04 and 25.10: JSON-RPC and REST; 26: JSON-RPC only. */
export type SimVersion = '24.10' | '25.04' | '25.10' | '26';

/** Faults a test or the demo switches on per system while the simulator runs. */
export type SimFault =
  | 'none'
  | 'down' // listening socket closed: connection refused
  | 'hang' // accepts connections, never answers
  | 'slow' // answers after `slowMs`
  | 'garbage'; // answers with bytes that are not the protocol

export interface SimUser {
  username: string;
  password: string;
  /** When set the account has 2FA: login answers OTP_REQUIRED and this code is accepted. */
  otp?: string;
  /** Roles of the account's privilege (role.py names); default FULL_ADMIN. */
  roles?: string[];
}

export type SimAlertLevel = 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL' | 'ALERT' | 'EMERGENCY';

/** An alert to raise; everything is optional. */
export interface SimAlertInput {
  /** Alert class name without "AlertClass", e.g. "VolumeStatus" (known classes bring their level and text). */
  klass?: string;
  level?: SimAlertLevel;
  /** The class text (a %-template when `args` are given). */
  text?: string;
  args?: unknown;
  /** What `alert.list` shows as `formatted`; default `text % args`. */
  formatted?: string;
  dismissed?: boolean;
  source?: string;
  /** When first seen, ms since the epoch; default now. */
  datetime?: number;
}

export type SimPoolStatus = 'ONLINE' | 'DEGRADED' | 'FAULTED' | 'OFFLINE' | 'UNAVAIL' | 'REMOVED';

export interface SimScanInput {
  function: 'SCRUB' | 'RESILVER';
  state: 'SCANNING' | 'FINISHED' | 'CANCELED';
  /** Default 100 when FINISHED, else 0. */
  percentage?: number;
  errors?: number;
}

/** What the update server offers: a version, a reboot pending after an applied update, or nothing. */
export type SimUpdateOffer = { version: string } | { rebootRequired: true } | null;

/** Health data to load a system with (the benchmark's 10 alerts and 2 pools per system). */
export interface SimPopulate {
  /** Alerts in total (replacing the current ones). */
  alerts?: number;
  /** Pools in total: `tank` and `pool-2`, `pool-3`, … */
  pools?: number;
}

export interface SimSystemOptions {
  version?: SimVersion;
  hostname?: string;
  users?: SimUser[];
}

export interface SimOptions {
  systems: number;
  /** Per-system overrides by index; the rest get defaults. */
  overrides?: Record<number, SimSystemOptions>;
  /** Failed-login delay range in ms (real servers: 1000–2500). */
  failDelayMs?: [number, number];
  /** Unauthenticated calls allowed per 60 s per method per client; 0 disables the limit. */
  rateLimitPerMinute?: number;
  /** Delay of the `slow` fault. */
  slowMs?: number;
  host?: string;
  /** Every system starts with this health data. */
  populate?: SimPopulate;
  /** `demo`: system 0 has a DEGRADED pool and a CRITICAL alert, system 1 an available update. */
  scenario?: 'demo';
}

export interface SimApiKey {
  id: number;
  name: string;
  username: string;
  revoked: boolean;
  revokedReason: string | null;
  /** ms since the epoch; absent when the key never expires. */
  expiresAt?: number;
}

export interface SimLoginRecord {
  mechanism: string;
  username?: string;
  ok: boolean;
  at: number;
  /** The answer given: SUCCESS, AUTH_ERR, EXPIRED, OTP_REQUIRED or RATE_LIMITED. */
  result?: string;
  transport?: 'jsonrpc' | 'rest';
}

export interface SimSystemInfo {
  index: number;
  url: string; // https://127.0.0.1:PORT
  port: number;
  fingerprint: string; // SHA-256, upper-case hex with colons
  version: SimVersion;
  hostname: string;
  users: SimUser[];
}

export interface Simulator {
  readonly systems: SimSystemInfo[];
  setFault(index: number, fault: SimFault): Promise<void>;
  /** Revoke every API key of the system (as an administrator would). */
  revokeKeys(index: number): void;
  /** Set every API key's `expires_at` to `at` (default now): key logins then answer EXPIRED. */
  expireKeys(index: number, at?: number): void;
  /** TrueNAS 26: offer SCRAM key logins or not (off plays a server, or a man in the middle, that strips it). */
  offerScram(index: number, offered: boolean): void;
  /** New self-signed certificate; `systems[index].fingerprint` changes. */
  rotateCertificate(index: number): Promise<void>;
  apiKeys(index: number): SimApiKey[];
  /** Every login attempt the system has seen, in order. */
  logins(index: number): SimLoginRecord[];
  /** Calls received per method name (JSON-RPC and REST, answered or refused). */
  callCounts(index: number): Record<string, number>;
  /** Replaces the system's alerts; returns their uuids. */
  setAlerts(index: number, alerts: SimAlertInput[]): string[];
  /** Raises one more alert; returns its uuid. */
  addAlert(index: number, alert: SimAlertInput): string;
  dismissAlert(index: number, uuid: string): void;
  addPool(index: number, name: string, status?: SimPoolStatus): void;
  setPoolStatus(index: number, pool: string, status: SimPoolStatus): void;
  /** Starts, advances or ends a scrub or resilver on a pool. */
  setScan(index: number, pool: string, scan: SimScanInput): void;
  /** What the update server offers this system from now on. */
  offerUpdate(index: number, offer: SimUpdateOffer): void;
  populate(index: number, data: SimPopulate): void;
  /** Hostname, model, alert texts and pool names full of terminal escapes and bidi overrides. */
  makeHostile(index: number): void;
  close(): Promise<void>;
}
