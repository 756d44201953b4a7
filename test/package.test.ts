// SPEC §11: `npm pack` makes a package of built JavaScript that installs with
// `npm install -g ./tnc-<version>.tgz` (here offline, into a prefix of its own) and runs as `tnc`.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAndInstall, type Installed } from '../bench/installed.js';
import { TmuxSession } from './helpers/tmux.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

describe('the packed package', () => {
  const work = mkdtempSync(join(tmpdir(), 'tnc-package-'));
  let installed: Installed;
  const sessions: TmuxSession[] = [];
  beforeAll(async () => {
    installed = await packAndInstall(process.cwd(), work);
  }, 180_000);
  afterAll(() => {
    for (const session of sessions) session.kill();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds built JavaScript, its bundled libsodium and the README: no sources, tests, benches, CI or patches', () => {
    expect(installed.tarball).toMatch(new RegExp(`tnc-${pkg.version.replace(/\./g, '\\.')}\\.tgz$`));
    const { files } = installed;
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain('bin/tnc');
    expect(files).toContain('bundle/src/cli.js');
    expect(files).toContain('bundle/src/sim/main.js');
    expect(files.some((file) => file.startsWith('node_modules/libsodium-wrappers-sumo/'))).toBe(true);
    expect(files.filter((file) => /\.(ts|tsx|mts|cts)$/.test(file))).toEqual([]);
    expect(files.filter((file) => /^(src|components|store|test|bench|dist|scripts|patches|\.ci)\//.test(file))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('runs as tnc: --version and --help', async () => {
    const version = await run(installed.bin('tnc'), ['--version']);
    expect(version.stdout.trim()).toBe(`tnc ${pkg.version}`);
    const help = await run(installed.bin('tnc'), ['--help']);
    expect(help.stdout).toMatch(/^Usage: tnc /);
    expect(help.stdout).toContain('--demo');
  });

  it('shows the demo dashboard in a terminal, even with CI set, creates a keyring (libsodium in its worker) and quits with q', async () => {
    const session = new TmuxSession();
    sessions.push(session);
    const status = join(work, 'demo-status');
    session.start(`'${installed.bin('tnc')}' --demo; echo $? > '${status}.tmp'; mv '${status}.tmp' '${status}'; sleep 600`, { cols: 100, rows: 30, env: { CI: 'true' } });
    const screen = await session.waitFor(/truenas-3\s.*False · no key/, 60_000);
    expect(screen).toContain('TrueNAS Connect');
    expect(screen).toMatch(/Sign in as truenas_admin \/ truenas-demo/);
    await session.type('K');
    await session.waitFor(/TrueNAS\s+Key\s+Connected/);
    await session.type('c');
    await session.waitFor('Confirm');
    await session.type('demo');
    session.press('Enter');
    for (let i = 0; i < 2; i++) {
      await session.type('correct horse battery staple');
      session.press('Enter');
    }
    await session.waitFor('Unlocked: demo', 60_000);
    await session.type('q');
    const deadline = Date.now() + 20_000;
    while (!existsSync(status) && Date.now() < deadline) await sleep(100);
    expect(readFileSync(status, 'utf8').trim()).toBe('0');
  });
});
