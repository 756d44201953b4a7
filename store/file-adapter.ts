// lowdb adapter for the keyring file: every read is checked and validated, every write atomic.
import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { StoreFileError } from './errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { emptyKeyringFile, type KeyringFile } from './file-format.js';
import { parseKeyringFile } from './schema.js';

export const FILE_MODE = 0o600;

export class KeyringFileAdapter implements Adapter<KeyringFile> {
  // The bytes last read or written. Every change re-reads the file under the lock; when nobody
  // else wrote meanwhile, comparing bytes spares parsing and validating it again (about 8 ms of
  // blocked event loop at 1,000 systems, per change).
  private knownBytes: Buffer | undefined;

  constructor(
    readonly dataDir: string,
    readonly filePath: string,
  ) {}

  /**
   * A missing file is an empty store; anything else unusable is a StoreFileError. Null (which
   * makes lowdb keep its data) when the content is what this adapter last read or wrote.
   */
  async read(): Promise<KeyringFile | null> {
    if (!(await checkDataDir(this.dataDir))) return this.missing();
    const handle = await this.openForReading();
    if (!handle) return this.missing();
    let bytes: Buffer;
    try {
      const stats = await this.readStep(handle.stat());
      if (!stats.isFile()) this.refuse('not a regular file');
      const owner = foreignOwner(stats.uid);
      if (owner) this.refuse(`is owned by ${owner}, not by you; refusing to trust a file someone else controls`);
      if ((stats.mode & 0o077) !== 0) {
        const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
        this.refuse(`permissions ${mode} let other users read or change it; run: chmod 600 ${this.filePath}`);
      }
      bytes = await this.readStep(handle.readFile());
    } finally {
      await handle.close();
    }
    if (this.knownBytes?.equals(bytes)) return null;
    const document = parseKeyringFile(bytes.toString('utf8'), this.filePath);
    this.knownBytes = bytes;
    return document;
  }

  async write(document: KeyringFile): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(document, null, 2)}\n`);
    this.forget();
    try {
      await writeFileAtomic(this.filePath, bytes, FILE_MODE);
      this.knownBytes = bytes;
    } catch (error) {
      throw new StoreFileError(this.filePath, `cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  /** After the in-memory document diverged from the file: the next read parses in full. */
  forget(): void {
    this.knownBytes = undefined;
  }

  private missing(): KeyringFile {
    this.forget();
    return emptyKeyringFile();
  }

  private async openForReading(): Promise<FileHandle | undefined> {
    try {
      // O_NOFOLLOW: a symlink is refused by the open itself, leaving no window to swap one in.
      return await open(this.filePath, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') this.refuse('is a symbolic link; refusing to follow it');
      this.refuse(cannotRead(error));
    }
  }

  private async readStep<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } catch (error) {
      this.refuse(cannotRead(error));
    }
  }

  private refuse(problem: string): never {
    throw new StoreFileError(this.filePath, problem);
  }
}

/** Whether the data directory exists; refuses a symlink or a non-directory in its place. */
export async function checkDataDir(dataDir: string): Promise<boolean> {
  let stats;
  try {
    stats = await lstat(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new StoreFileError(dataDir, cannotRead(error));
  }
  if (stats.isSymbolicLink()) throw new StoreFileError(dataDir, 'the data directory is a symbolic link; refusing to follow it');
  if (!stats.isDirectory()) throw new StoreFileError(dataDir, 'the data directory is not a directory');
  const owner = foreignOwner(stats.uid);
  if (owner) throw new StoreFileError(dataDir, `the data directory is owned by ${owner}, not by you`);
  // Whoever may write the directory may replace the keyring file in it (rename over it).
  if ((stats.mode & 0o022) !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
    throw new StoreFileError(dataDir, `the data directory's permissions ${mode} let other users replace files in it; run: chmod 700 ${dataDir}`);
  }
  return true;
}

/** `uid N` when that is not this process's user; undefined where there are no uids (Windows). */
function foreignOwner(uid: number): string | undefined {
  const mine = process.getuid?.();
  return mine === undefined || uid === mine ? undefined : `uid ${uid}`;
}

function cannotRead(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? 'error'})`;
}
