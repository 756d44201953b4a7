// What the tables show about each system, derived from the store's records and the poller.
import type { SystemStatus } from '../poller/types.js';

/** What the System screen says of the key tnc holds for a system (no secret). */
export interface KeyView {
  name: string;
  id: number;
  user: string;
  /** ISO time it was stored; null for a key kept in memory for this run. */
  storedAt: string | null;
}

export interface SystemView {
  id: string;
  name: string;
  address: string;
  fingerprint?: string;
  /** The keyring's entry for this system, if any. */
  key: 'stored' | 'damaged' | null;
  /** The key's metadata, from the keyring or this run's memory. */
  keyInfo?: KeyView;
  /** The user declined its certificate in this run (nothing to check it with until trusted). */
  untrusted?: boolean;
}

/** `True`, `False · <reason>`, or `…` while the first check runs. */
export function connectedText(status: SystemStatus | undefined, system?: SystemView): string {
  if (system?.untrusted && status?.connected !== true) return 'False · untrusted';
  if (!status || status.connected === null) return '…';
  if (status.connected) return 'True';
  return status.reason ? `False · ${status.reason}` : 'False';
}

/** Addresses are always https: the scheme is left out of the table, where width is short. */
export function addressText(system: Pick<SystemView, 'address'>): string {
  return system.address.replace(/^https:\/\//i, '').replace(/\/$/, '');
}

/** The Key column of the Keyring screen: `Stored` or blank. */
export function keyText(system: SystemView): string {
  return system.key ? 'Stored' : '';
}

export function matchesFilter(system: SystemView, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  return needle === '' || system.name.toLowerCase().includes(needle) || system.address.toLowerCase().includes(needle);
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** Clock time of the last check; a fixed text, so rows need no re-render as time passes. */
export function lastCheckedText(status: SystemStatus | undefined): string {
  if (status?.lastChecked === undefined) return '';
  const at = new Date(status.lastChecked);
  return `${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}:${twoDigits(at.getSeconds())}`;
}
