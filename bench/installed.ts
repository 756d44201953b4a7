// A package as an administrator gets it: packed with `npm pack` (its prepack builds it) and
// installed with `npm install -g` into a prefix of its own, run through the bin npm links.
// The benchmark starts tnc this way; test/package.test.ts checks the package made this way.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Installed {
  tarball: string;
  /** The tarball's entries, without the `package/` every entry starts with. */
  files: string[];
  /** Path of the command `name` the install linked. */
  bin(name: string): string;
}

/**
 * Packs the package in `packageDir` into `workDir`, then installs the tarball globally under
 * `workDir/prefix`. Offline: whatever the package needs at run time is inside it.
 */
export async function packAndInstall(packageDir: string, workDir: string): Promise<Installed> {
  await mkdir(workDir, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--pack-destination', workDir], { cwd: packageDir, maxBuffer: 16 << 20 });
  // npm prints the scripts' output first and the tarball's name last.
  const tarball = join(workDir, stdout.trim().split('\n').at(-1)!);
  const prefix = join(workDir, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { maxBuffer: 16 << 20 });
  const listing = await run('tar', ['-tzf', tarball], { maxBuffer: 16 << 20 });
  const files = listing.stdout
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''));
  return { tarball, files, bin: (name) => join(prefix, 'bin', name) };
}
