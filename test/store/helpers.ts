import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { KeyringStore, KEYRING_FILE } from '../../store/keyring-store.js';
import type { KdfParams } from '../../store/types.js';

/** Lowest parameters KDF_BOUNDS allow: tests stay fast (one test runs the defaults). */
export const FAST_KDF: KdfParams = { opslimit: 1, memlimit: 8 * 1024 * 1024 };

/** A fresh temp directory per call, removed after the current test. */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tnc-store-'));
    made.push(dir);
    return dir;
  };
}

/** The data directory inside a temp dir (so tests can also make it a symlink). */
export function dataDirIn(tempDir: string): string {
  return join(tempDir, 'data');
}

export function openStore(dataDir: string): Promise<KeyringStore> {
  return KeyringStore.open(dataDir, { kdf: FAST_KDF });
}

export function keyringPath(dataDir: string): string {
  return join(dataDir, KEYRING_FILE);
}

export async function readJson(path: string): Promise<any> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/** Rewrites the file by hand (what an attacker or a broken editor might do), keeping mode 0600. */
export async function editFile(path: string, edit: (document: any) => void): Promise<void> {
  const document = await readJson(path);
  edit(document);
  await writeFile(path, JSON.stringify(document), { mode: 0o600 });
}

export interface Snapshot {
  bytes: Buffer;
  mtimeMs: number;
}

export async function snapshot(path: string): Promise<Snapshot> {
  return { bytes: await readFile(path), mtimeMs: (await stat(path)).mtimeMs };
}

export const meta = (keyId: number) => ({
  keyId,
  keyName: `tnc-00000000-0000-4000-8000-${String(keyId).padStart(12, '0')}`,
  username: 'truenas_admin',
  storedAt: '2025-01-01T00:00:00.000Z',
});
