// `tnc call` against the simulator: results as JSON, TrueNAS errors as their reason, --all
// with a system down, and a REST-only system that never gets its key sent.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { KeyringStore } from '../../store/keyring-store.js';
import { copyDataDir, expectOneLineError, PASSPHRASE, simKeyring, Tnc, type SimKeyring } from './helpers.js';
import { RELEASES } from '../../src/sim/release.js';

const DOWN = 1;
/** TrueNAS 24.10: REST only. */
const REST_ONLY = 2;
let sim: Simulator;
let keyring: SimKeyring;
/** The key name (`tnc-<uuid>`) and id stored for each system. */
let stored: Array<{ keyName: string; keyId: number }>;
const tnc = new Tnc();

beforeAll(async () => {
  sim = await startSimulator({ systems: 3, failDelayMs: [1, 5], rateLimitPerMinute: 0, overrides: { [REST_ONLY]: { version: '24.10' } } });
  keyring = await simKeyring(sim);
  const store = await KeyringStore.open(keyring.dir);
  stored = keyring.ids.map((id) => store.getEntry(id)!.meta);
});

afterAll(async () => {
  await keyring?.cleanUp();
  await sim?.close();
});

const call = (...args: string[]) => tnc.withPassphrase(['call', '--data-dir', keyring.dir, ...args]);
const name = (index: number) => sim.systems[index]!.hostname;

describe('tnc call SYSTEM', () => {
  it('prints the result as one JSON document, with dates as the middleware sends them', async () => {
    const run = await call(name(0), 'system.info');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    const info = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(info).toMatchObject({ hostname: name(0), version: RELEASES['25.10'].release, boottime: { $date: expect.any(Number) } });
  });

  it('finds the system by its address too', async () => {
    const run = await call(`127.0.0.1:${sim.systems[0]!.port}`, 'system.info');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ hostname: name(0) });
  });

  it('passes each ARG as JSON: a number, and a filter list', async () => {
    const own = stored[0]!;
    const byId = await call(name(0), 'api_key.get_instance', String(own.keyId));
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.stdout)).toMatchObject({ id: own.keyId, name: own.keyName });

    const filtered = await call(name(0), 'api_key.query', JSON.stringify([['name', '=', own.keyName]]));
    expect(filtered.code).toBe(0);
    const keys = JSON.parse(filtered.stdout) as Array<Record<string, unknown>>;
    expect(keys.map((key) => key.id)).toEqual([own.keyId]);
    expect(keys[0]).not.toHaveProperty('key');
  });

  // Needs the simulator's `^` (starts with) filter, which the sim branch adds.
  it("takes a midclt-style filter: api_key.query '[[\"name\",\"^\",\"tnc-\"]]'", async () => {
    const run = await call(name(0), 'api_key.query', '[["name","^","tnc-"]]');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const keys = JSON.parse(run.stdout) as Array<{ name: string }>;
    expect(keys.map((key) => key.name)).toContain(stored[0]!.keyName);
    for (const key of keys) expect(key.name.startsWith('tnc-')).toBe(true);
  });

  it('a TrueNAS error prints its reason on one line and exits 1', async () => {
    const missing = await call(name(0), 'api_key.get_instance', '999999');
    expectOneLineError(missing, 1, /^tnc: truenas-1: .*ApiKey 999999 does not exist/);

    // A bare word is passed as a string: TrueNAS looks it up as such.
    const word = await call(name(0), 'api_key.get_instance', 'abc');
    expectOneLineError(word, 1, /ApiKey abc does not exist/);
  });

  it('a method that does not exist is one line, exit 1, naming the method', async () => {
    const run = await call(name(0), 'no.such_method');
    expectOneLineError(run, 1, /no\.such_method: (Method not found|Method does not exist)/);
  });

  it('refuses a REST-only system without sending its key', async () => {
    const keyLogins = () => sim.logins(REST_ONLY).filter((login) => login.mechanism === 'API_KEY_PLAIN').length;
    const before = keyLogins();
    const run = await call(name(REST_ONLY), 'system.info');
    expectOneLineError(run, 1, /call needs TrueNAS 25\.04 or later/);
    expect(keyLogins()).toBe(before);
  });

  it('an unknown system is one line and exit 1, before any passphrase is read', async () => {
    const run = await tnc.run(['call', '--data-dir', keyring.dir, 'no-such-nas', 'system.info']);
    expectOneLineError(run, 1, /no system named or at "no-such-nas"/);
  });

  it('a wrong passphrase is one line and exit 1, and the file stays byte for byte', async () => {
    const before = await readFile(keyring.store.filePath);
    const run = await tnc.withPassphrase(['call', '--data-dir', keyring.dir, name(0), 'system.info'], 'wrong');
    expectOneLineError(run, 1, /Wrong passphrase/);
    expect((await readFile(keyring.store.filePath)).equals(before)).toBe(true);
  });
});

describe('tnc call --all', () => {
  it('answers for every system with a key: results, and {"error"} for the one down and the REST-only one', async () => {
    await sim.setFault(DOWN, 'down');
    try {
      const run = await call('--all', '--concurrency', '2', 'system.info');
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('tnc: 2 of 3 systems failed (see their "error")\n');
      const results = JSON.parse(run.stdout) as Record<string, Record<string, unknown>>;
      expect(Object.keys(results)).toEqual([name(0), name(1), name(2)]);
      expect(results[name(0)]).toMatchObject({ hostname: name(0) });
      expect(results[name(DOWN)]).toEqual({ error: expect.stringMatching(/^unreachable/) });
      expect(results[name(REST_ONLY)]).toEqual({ error: expect.stringMatching(/call needs TrueNAS 25\.04 or later/) });
    } finally {
      await sim.setFault(DOWN, 'none');
    }
  });

  it('leaves out systems without a key and exits 0 when every call succeeds', async () => {
    const copy = await copyDataDir(keyring.dir);
    try {
      const store = await KeyringStore.open(copy.dir);
      await store.removeKey(keyring.ids[REST_ONLY]!);
      const run = await tnc.withPassphrase(['call', '--data-dir', copy.dir, '--all', 'core.ping']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ [name(0)]: 'pong', [name(DOWN)]: 'pong' });
    } finally {
      await copy.remove();
    }
  });
});

it('never prints the passphrase or an API key', () => {
  tnc.expectNoSecrets([PASSPHRASE, ...keyring.keys.filter((key) => key !== undefined)]);
});
