// Real parts for the subcommand tests: the built tnc run as a child process without a
// terminal, keyrings made through the store API with keys minted on the simulator, and a
// record of everything the program printed, to search for secrets.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import type { Simulator } from '../../src/sim/types.js';
import { KEYRING_FILE } from '../../store/keyring-store.js';
import { encodingsOf } from '../helpers/tnc.js';
import { runCli, type CliRun, type CliRunOptions } from '../helpers/run-cli.js';
import { keyringFor, mintAndStore, PASSPHRASE, type TestKeyring } from '../poller/helpers.js';

export { PASSPHRASE };

/** Runs `tnc ARGS` and keeps its output. Always in a session of its own, so no terminal is near. */
export class Tnc {
  private readonly outputs: string[] = [];

  async run(args: string[], options: Omit<CliRunOptions, 'detached'> = {}): Promise<CliRun> {
    const result = await runCli(args, { ...options, detached: true });
    this.outputs.push(result.stdout, result.stderr);
    return result;
  }

  /** `tnc COMMAND --passphrase-fd 3 ARGS…` with the passphrase on file descriptor 3. */
  withPassphrase([command, ...args]: string[], passphrase = PASSPHRASE): Promise<CliRun> {
    return this.run([command!, '--passphrase-fd', '3', ...args], { fd3: `${passphrase}\n` });
  }

  /** No output so far held a secret, in plain text, base64 or hex. */
  expectNoSecrets(secrets: readonly string[]): void {
    expect(this.outputs.length).toBeGreaterThan(0);
    for (const output of this.outputs) {
      for (const secret of secrets) {
        for (const encoded of encodingsOf(secret)) expect(output).not.toContain(encoded);
      }
    }
  }
}

/** A failure is one line on stderr, `tnc: …`, no stack trace and nothing on stdout. */
export function expectOneLineError(run: CliRun, code: number, pattern: RegExp): void {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^tnc: [^\n]+\n$/);
  expect(run.stderr).toMatch(pattern);
}

export interface SimKeyring extends TestKeyring {
  /** The API key stored for each system, by simulator index (undefined: none stored). */
  keys: Array<string | undefined>;
}

/**
 * A keyring in a temp dir (lowered KDF, passphrase PASSPHRASE) listing every simulated system,
 * pinned, with its transport remembered and a key minted by a real sign-in, except `keyless`.
 * Locked when it returns: the program under test unlocks its own copy.
 */
export async function simKeyring(sim: Simulator, keyless: readonly number[] = []): Promise<SimKeyring> {
  const keyring = await keyringFor(sim, (index) => (sim.systems[index]!.version === '24.10' ? 'rest' : 'jsonrpc'));
  const client = new TrueNASClient({ timeoutMs: 10_000 });
  try {
    for (const system of sim.systems) {
      if (!keyless.includes(system.index)) await mintAndStore(client, sim, keyring, system.index);
    }
  } finally {
    client.close();
  }
  const keys = keyring.ids.map((id) => (keyring.store.hasEntry(id) ? keyring.store.credential(id).apiKey : undefined));
  keyring.store.lock();
  return { ...keyring, keys };
}

/** A copy of a data directory (0700, the file 0600 as copied), for a test that changes it. */
export async function copyDataDir(from: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = join(await mkdtemp(join(tmpdir(), 'tnc-cmd-')), 'data');
  await mkdir(dir, { mode: 0o700 });
  await copyFile(join(from, KEYRING_FILE), join(dir, KEYRING_FILE));
  return { dir, remove: () => rm(join(dir, '..'), { recursive: true, force: true }) };
}
