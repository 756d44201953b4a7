import type { FailureReason, SystemInfo } from '../client/types.js';
import type { KeyUnavailableReason } from './errors.js';

/** Why a system is not connected: the client's failures plus what the keyring can tell. */
export type StatusReason = FailureReason | KeyUnavailableReason;

/** Connectivity of one system as the poller last saw it. */
export interface SystemStatus {
  id: string;
  /** null until the first check finishes. */
  connected: boolean | null;
  reason?: StatusReason;
  /** ms since epoch */
  lastChecked?: number;
  lastSuccess?: number;
  info?: SystemInfo;
  checking: boolean;
  /** Consecutive failures, drives backoff. */
  failures: number;
}
