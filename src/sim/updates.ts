// The update state as each release reports it: `update.check_available` (24.10, 25.04:
// plugins/update.py, update_/trains.py `get_scale_update`) and `update.status` (25.10, 26:
// update_/status.py, the `UpdateStatus` model of api/v25_10_0/update.py).
import { createHash } from 'node:crypto';
import { RELEASES } from './release.js';
import type { SimUpdateOffer, SimVersion } from './types.js';

const REBOOT_REQUIRED = 'System update was already applied, system reboot is required.';

/** `system.release_notes_url`. */
function releaseNotesUrl(version: string): string {
  const parts = (/^\d+(\.\d+)*/.exec(version)?.[0] ?? version).split('.');
  const base = `https://www.truenas.com/docs/scale/${parts.slice(0, 2).join('.')}/gettingstarted/scalereleasenotes`;
  return parts.length === 2 ? base : `${base}/#${parts.join('')}`;
}

/** The `manifest.json` fields an update server publishes for a release. */
function manifest(version: string, train: string): Record<string, unknown> {
  return {
    filename: `TrueNAS-SCALE-${version}.update`,
    version,
    date: '2026-01-15T10:00:00.000000',
    changelog: `Changes in ${version}`,
    checksum: createHash('sha256').update(version).digest('hex'),
    filesize: 1_719_189_504,
    profile: 'GENERAL',
    train,
  };
}

/** The running version without the 24.10 product prefix (what its manifest says). */
function shortRelease(version: SimVersion): string {
  return RELEASES[version].release.replace(/^TrueNAS-SCALE-/, '');
}

/** `update.check_available()` (24.10, 25.04). */
export function checkAvailable(version: SimVersion, offer: SimUpdateOffer): Record<string, unknown> {
  if (offer === null) return { status: 'UNAVAILABLE' };
  if ('rebootRequired' in offer) return { status: 'REBOOT_REQUIRED' };
  const m = manifest(offer.version, RELEASES[version].train);
  return {
    status: 'AVAILABLE',
    changes: [
      {
        operation: 'upgrade',
        old: { name: 'TrueNAS', version: shortRelease(version) },
        new: { name: 'TrueNAS', version: offer.version },
      },
    ],
    notice: null,
    notes: null,
    release_notes_url: releaseNotesUrl(offer.version),
    changelog: m.changelog,
    version: offer.version,
    filename: m.filename,
    filesize: m.filesize,
    checksum: m.checksum,
  };
}

/** `update.status()` (25.10, 26): errors are reported inside the result, never raised. */
export function updateStatus(version: SimVersion, offer: SimUpdateOffer): Record<string, unknown> {
  if (offer !== null && 'rebootRequired' in offer) {
    return {
      code: 'ERROR',
      error: { errname: 'EREBOOTREQUIRED', reason: REBOOT_REQUIRED },
      status: null,
      update_download_progress: null,
    };
  }
  const { train } = RELEASES[version];
  return {
    code: 'NORMAL',
    error: null,
    status: {
      current_version: { train, profile: 'GENERAL', matches_profile: true },
      new_version:
        offer === null
          ? null
          : {
              version: offer.version,
              manifest: manifest(offer.version, train),
              release_notes: `TrueNAS ${offer.version} release notes.`,
              release_notes_url: releaseNotesUrl(offer.version),
            },
    },
    update_download_progress: null,
  };
}
