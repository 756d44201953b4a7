import type { FailureReason, SystemInfo } from '../client/types.js';

/** Connectivity of one system as the poller last saw it. */
export interface SystemStatus {
  id: string;
  /** null until the first check finishes. */
  connected: boolean | null;
  reason?: FailureReason | 'locked' | 'no key' | 'damaged';
  /** ms since epoch */
  lastChecked?: number;
  lastSuccess?: number;
  info?: SystemInfo;
  checking: boolean;
  /** Consecutive failures, drives backoff. */
  failures: number;
}
