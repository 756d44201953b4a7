// How the subcommands refuse: usage errors exit 2 naming the bad option, fatal ones exit 1,
// always one line on stderr, and nothing is ever written to the data directory.
import { chmod, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tnc.js';
import { keyringPath, meta, openStore } from '../store/helpers.js';
import { copyDataDir, expectOneLineError, PASSPHRASE, Tnc } from './helpers.js';

const KEY = `1-${'s'.repeat(64)}`;
const temp = tempDir('tnc-refusals-');
/** A keyring with one system and its (made-up) key: nothing here reaches the network. */
const dataDir = join(temp.path, 'data');
/** Systems listed, no keyring created. */
const noKeyringDir = join(temp.path, 'no-keyring');
const tnc = new Tnc();

/** Each command in a form that would unlock and contact a system if nothing stopped it. */
const COMMANDS: Record<string, string[]> = {
  list: ['list'],
  status: ['status'],
  call: ['call', 'nas-1', 'system.info'],
};
const withDataDir = (command: string[], dir: string) => [command[0]!, '--data-dir', dir, ...command.slice(1)];

beforeAll(async () => {
  const store = await openStore(dataDir);
  await store.createKeyring('ops', PASSPHRASE);
  const system = await store.addSystem({ name: 'nas-1', address: '127.0.0.1:9' });
  await store.storeKey(system.id, KEY, meta(1));
  store.lock();
  const bare = await openStore(noKeyringDir);
  await bare.addSystem({ name: 'nas-1', address: '127.0.0.1:9' });
});

afterAll(() => temp.remove());

describe.each(Object.keys(COMMANDS))('tnc %s', (name) => {
  const command = COMMANDS[name]!;

  it('without a keyring file: one line, exit 1, and no directory made', async () => {
    const missing = join(temp.path, `missing-${name}`);
    const run = await tnc.run(withDataDir(command, missing));
    expectOneLineError(run, 1, /keyring\.json: no such file/);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a file other users can read: one line naming it, exit 1, file untouched', async () => {
    const copy = await copyDataDir(dataDir);
    try {
      await chmod(keyringPath(copy.dir), 0o644);
      const before = await readFile(keyringPath(copy.dir));
      const args = withDataDir(command, copy.dir);
      const run = await (name === 'list' ? tnc.run(args) : tnc.withPassphrase(args));
      expectOneLineError(run, 1, new RegExp(`${keyringPath(copy.dir)}: permissions 0644`));
      expect((await readFile(keyringPath(copy.dir))).equals(before)).toBe(true);
      expect((await stat(keyringPath(copy.dir))).mode & 0o777).toBe(0o644);
    } finally {
      await copy.remove();
    }
  });

  it('--help prints its usage and exits 0, without the test-only options', async () => {
    const run = await tnc.run([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: tnc ${name}`);
    expect(run.stdout).toContain('--data-dir');
    expect(run.stdout).not.toContain('--kdf');
  });

  it('an unknown option is a usage error naming it (exit 2)', async () => {
    const run = await tnc.run([name, '--frobnicate']);
    expectOneLineError(run, 2, new RegExp(`^tnc: ${name}: unknown option --frobnicate`));
  });
});

describe.each(['status', 'call'])('tnc %s', (name) => {
  const command = COMMANDS[name]!;

  it('without a keyring in the file: one line, exit 1, before any passphrase', async () => {
    const run = await tnc.run(withDataDir(command, noKeyringDir));
    expectOneLineError(run, 1, /no keyring yet/);
  });

  it('with no terminal and no --passphrase-fd: one line, exit 2', async () => {
    const run = await tnc.run(withDataDir(command, dataDir));
    expectOneLineError(run, 2, /no terminal to ask for the passphrase on; pass it with --passphrase-fd N/);
  });

  it('an empty first line, or a descriptor that is not open, is one line and exit 1', async () => {
    const before = await readFile(keyringPath(dataDir));
    const empty = await tnc.run([name, '--passphrase-fd', '3', ...withDataDir(command, dataDir).slice(1)], { fd3: '\nsecond' });
    expectOneLineError(empty, 1, /--passphrase-fd 3: no passphrase/);
    // Far above what node and libuv open for themselves.
    const closed = await tnc.run([name, '--passphrase-fd', '200', ...withDataDir(command, dataDir).slice(1)]);
    expectOneLineError(closed, 1, /--passphrase-fd 200: not an open file descriptor/);
    expect((await readFile(keyringPath(dataDir))).equals(before)).toBe(true);
  });

  it.each([
    [['--timeout', '0'], /--timeout needs a positive number/],
    [['--timeout'], /--timeout needs a value/],
    [['--concurrency', '1.5'], /--concurrency needs a positive whole number/],
    [['--passphrase-fd', 'stdin'], /--passphrase-fd needs a file descriptor number/],
  ])('%j is a usage error naming the option (exit 2)', async (options, message) => {
    const run = await tnc.run([name, ...options, ...withDataDir(command, dataDir).slice(1)]);
    expectOneLineError(run, 2, message);
  });
});

describe('usage errors of the command line itself', () => {
  it.each([
    [['list', '--timeout', '5'], /^tnc: list: unknown option --timeout/],
    [['list', 'stray'], /^tnc: list: unexpected argument "stray"/],
    [['status', '--json=yes'], /^tnc: status: --json takes no value/],
    [['call'], /^tnc: call: needs SYSTEM \(or --all\) and a METHOD/],
    [['call', 'nas-1'], /^tnc: call: needs a METHOD/],
    [['call', '--all'], /^tnc: call: needs a METHOD/],
    [['call', 'nas-1', '--all', 'system.info'], /^tnc: call: give SYSTEM or --all, not both/],
    [['call', 'nas-1', 'info'], /^tnc: call: METHOD is a TrueNAS method name/],
    [['call', 'nas-1', 'api_key.query', '[["name"'], /^tnc: call: ARG 1 starts like JSON but is not valid JSON/],
  ])('%j exits 2', async (args, message) => {
    const run = await tnc.run(args);
    expectOneLineError(run, 2, message);
  });
});

it('never prints the passphrase or a key', () => {
  tnc.expectNoSecrets([PASSPHRASE, KEY]);
});
