// The contract of the TrueNAS simulator used by the demo, the tests and the benchmarks.

export type SimVersion = '24.10' | '25.10' | '26';

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
  /** Unauthenticated logins allowed per 60 s per method per client; 0 disables the limit. */
  rateLimitPerMinute?: number;
  /** Delay of the `slow` fault. */
  slowMs?: number;
  host?: string;
}

export interface SimApiKey {
  id: number;
  name: string;
  username: string;
  revoked: boolean;
  revokedReason: string | null;
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
  /** New self-signed certificate; `systems[index].fingerprint` changes. */
  rotateCertificate(index: number): Promise<void>;
  apiKeys(index: number): SimApiKey[];
  /** Every login attempt the system has seen, in order. */
  logins(index: number): SimLoginRecord[];
  close(): Promise<void>;
}
