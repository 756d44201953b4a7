import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, resolveDataDir, UsageError } from '../src/cli-args.js';
import { CLI_PATH, runCli } from './helpers/run-cli.js';

describe('argument parsing', () => {
  it('applies the defaults of SPEC §6', () => {
    expect(parseCli([])).toEqual({
      kind: 'run',
      options: expect.objectContaining({ pollIntervalMs: 30_000, timeoutMs: 10_000, concurrency: 16, demo: false, demoSystems: 3 }),
    });
  });

  it('reads every option', () => {
    const parsed = parseCli(['--data-dir', '/d', '--poll-interval', '5', '--timeout', '2.5', '--concurrency', '4', '--ca-file', '/ca.pem', '--demo', '--systems', '7']);
    expect(parsed).toEqual({
      kind: 'run',
      options: expect.objectContaining({ dataDir: '/d', pollIntervalMs: 5000, timeoutMs: 2500, concurrency: 4, caFile: '/ca.pem', demo: true, demoSystems: 7 }),
    });
  });

  it.each([
    [['--bogus']],
    [['--timeout', '0']],
    [['--concurrency', '1.5']],
    [['--poll-interval', 'soon']],
    [['--systems', '3']],
    [['stray']],
  ])('refuses %j as a usage error', (argv) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
  });

  it('finds the data directory in the order of SPEC §6', () => {
    expect(resolveDataDir('/flag', { TNC_DATA_DIR: '/env', XDG_DATA_HOME: '/xdg' }, '/home/u')).toBe('/flag');
    expect(resolveDataDir(undefined, { TNC_DATA_DIR: '/env', XDG_DATA_HOME: '/xdg' }, '/home/u')).toBe('/env');
    expect(resolveDataDir(undefined, { XDG_DATA_HOME: '/xdg' }, '/home/u')).toBe('/xdg/truenas-connect');
    expect(resolveDataDir(undefined, {}, '/home/u')).toBe('/home/u/.local/share/truenas-connect');
  });
});

describe('the built program without a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tnc-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints usage for --help and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: tnc');
    expect(run.stdout).toContain('--data-dir');
  });

  it('prints the package version for --version', async () => {
    const run = await runCli(['--version']);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`tnc ${pkg.version}`);
  });

  it('has no test hooks: --kdf is an unknown option, and nothing shipped reads TNC_TEST_* variables', async () => {
    const run = await runCli(['--kdf', '1,8', '--data-dir', join(dir, 'hooks')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tnc: .*kdf/);
    const shipped = ['src', 'store', 'components'].flatMap((folder) =>
      readdirSync(join('dist', folder), { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.js'))
        .map((name) => join('dist', folder, name)),
    );
    expect(shipped.length).toBeGreaterThan(20);
    for (const file of shipped) expect(readFileSync(file, 'utf8'), file).not.toMatch(/TNC_TEST_/);
  });

  it('gives a usage error with exit 2 for an unknown flag', async () => {
    const run = await runCli(['--frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tnc: .*frobnicate/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a piped stdin with one line and exit 2, touching nothing', async () => {
    const dataDir = join(dir, 'piped');
    const run = await runCli(['--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('needs an interactive terminal');
    expect(() => readFileSync(join(dataDir, 'keyring.json'))).toThrow();
  });

  it('refuses stdout redirected to a file with exit 2', () => {
    // stdin is a TTY only when the test runner has one; the stdout check must hold either way.
    const out = join(dir, 'out.txt');
    const result = spawnSync('sh', ['-c', `node "${CLI_PATH}" --data-dir "${join(dir, 'redirected')}" > "${out}"`], {
      encoding: 'utf8',
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(out, 'utf8')).toBe('');
  });
});

describe('--ca-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tnc-ca-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a missing file with exit 1, naming it', async () => {
    const path = join(dir, 'missing.pem');
    const run = await runCli(['--ca-file', path]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`tnc: --ca-file ${path}: no such file`);
  });

  it('refuses a file that holds no certificate', async () => {
    const path = join(dir, 'junk.pem');
    writeFileSync(path, 'not a certificate\n');
    const run = await runCli(['--ca-file', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not a PEM certificate');
  });
});
