// Replace a file so that readers, and a crash at any instant, see either the old or the new
// content in full.
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

function tempPattern(filePath: string): RegExp {
  const name = basename(filePath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${name}\\.\\d+\\.[0-9a-f]+\\.tmp$`);
}

export async function writeFileAtomic(filePath: string, content: string | Uint8Array, mode = 0o600): Promise<void> {
  // pid + random: unique across processes and across concurrent writes within one.
  const tempPath = `${filePath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tempPath, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, filePath);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  // The rename itself is durable only once the directory entry is on disk.
  const directory = await open(dirname(filePath), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Deletes temp files a killed writer left behind. Only safe while holding the lock that every
 * writer of `filePath` takes, since then no other write is in flight.
 */
export async function removeStaleTempFiles(filePath: string): Promise<void> {
  const pattern = tempPattern(filePath);
  const directory = dirname(filePath);
  const names = (await readdir(directory)).filter((name) => pattern.test(name));
  await Promise.all(names.map((name) => unlink(join(directory, name)).catch(() => undefined)));
}
