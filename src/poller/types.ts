import type { AlertSummary, Pool, UpdateInfo } from '../client/health.js';
import type { FailureReason, SystemInfo } from '../client/types.js';
import type { KeyUnavailableReason } from './errors.js';

/** Why a system is not connected: the client's failures plus what the keyring can tell. */
export type StatusReason = FailureReason | KeyUnavailableReason;

/** What a successful check learned; null parts are not known (not permitted, or not answered). */
export interface SystemHealth {
  info: SystemInfo | null;
  alerts: AlertSummary | null;
  pools: Pool[] | null;
  update: UpdateInfo | null;
  /** When the key expires (ms), null for never or not known. */
  keyExpiresAt: number | null;
}

/** Connectivity of one system as the poller last saw it. */
export interface SystemStatus {
  id: string;
  /** null until the first check finishes. */
  connected: boolean | null;
  reason?: StatusReason;
  /** ms since epoch */
  lastChecked?: number;
  lastSuccess?: number;
  /** From the last successful check; kept while failing (the version last seen), shown as not known. */
  health?: SystemHealth;
  checking: boolean;
  /** Consecutive failures, drives backoff. */
  failures: number;
}
