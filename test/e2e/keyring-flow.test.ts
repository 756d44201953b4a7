// The whole product in a real pseudo-terminal against the real simulator, as SPEC §4 and the
// issue describe it: first run → add → trust → sign in → create keyring → quit → start again
// → unlock → Connected True → key revoked → False → Enter re-signs in → True → reset.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyringStore } from '../../store/keyring-store.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { TmuxSession } from '../helpers/tmux.js';
import { encodingsOf, filesBelow, startTnc, tempDir } from '../helpers/tnc.js';

const PASSWORD = 'truenas-demo';
const PASSPHRASE = 'correct horse battery staple';

describe('keyring flow in a pseudo-terminal', () => {
  let sim: Simulator;
  const data = tempDir('tnc-e2e-data-');
  const logs = tempDir('tnc-e2e-logs-');
  const sessions: TmuxSession[] = [];
  const apiKeysSeen: string[] = [];

  const launch = (name: string) => {
    const session = new TmuxSession();
    sessions.push(session);
    return startTnc(session, ['--data-dir', data.path, '--poll-interval', '1', '--timeout', '3'], {
      outputLog: join(logs.path, `${name}.log`),
    });
  };

  /** The key the keyring holds right now, read the way tnc reads it. */
  const storedKey = async (): Promise<string> => {
    const store = await KeyringStore.open(data.path);
    await store.unlock(PASSPHRASE);
    const [system] = store.listSystems();
    const key = store.credential(system!.id).apiKey;
    store.lock();
    return key;
  };

  beforeAll(async () => {
    sim = await startSimulator({ systems: 1, failDelayMs: [20, 40], rateLimitPerMinute: 0 });
  });

  afterAll(async () => {
    for (const session of sessions) session.kill();
    await sim?.close();
    data.remove();
    logs.remove();
  });

  it('adds, trusts and signs in to a system, then keeps its key in a new keyring', async () => {
    const run = launch('first-run');
    const tnc = run.session;
    await tnc.waitFor('No keyring');
    await tnc.type('a');
    await tnc.waitFor('Address');
    await tnc.type(`127.0.0.1:${sim.systems[0]!.port}`);
    tnc.press('Enter', 'Enter');
    // Self-signed: the Trust Certificate dialog shows the fingerprint, focus on Cancel.
    await tnc.waitFor(sim.systems[0]!.fingerprint.slice(0, 20));
    tnc.press('Left', 'Enter');
    await tnc.waitFor('Password');
    tnc.press('Enter');
    await tnc.type(PASSWORD);
    tnc.press('Enter');
    await tnc.waitFor(/truenas-1 .*True/);
    expect(sim.apiKeys(0)).toEqual([expect.objectContaining({ name: expect.stringMatching(/^tnc-[0-9a-f-]{36}$/), username: 'truenas_admin' })]);

    await tnc.type('K');
    await tnc.waitFor(/TrueNAS\s+Key\s+Connected/);
    await tnc.type('c');
    await tnc.waitFor('Confirm');
    await tnc.type('ops');
    tnc.press('Enter');
    await tnc.type(PASSPHRASE);
    tnc.press('Enter');
    await tnc.type(PASSPHRASE);
    tnc.press('Enter');
    await tnc.waitFor('Unlocked: ops');
    await tnc.waitFor(/truenas-1\s+Stored\s+True/);
    await tnc.type('q');
    expect((await run.exited()).code).toBe(0);
    // Stored keys stay on the server; only unstored ones are cleaned up at quit.
    expect(sim.apiKeys(0).filter((key) => !key.revoked)).toHaveLength(1);
    apiKeysSeen.push(await storedKey());
  });

  it('unlocks at start, notices a revoked key, re-signs in, and resets', async () => {
    const run = launch('second-run');
    const tnc = run.session;
    await tnc.waitFor('Unlock Keyring');
    await tnc.type('wrong passphrase');
    tnc.press('Enter');
    await tnc.waitFor('Wrong passphrase');
    await tnc.type(PASSPHRASE);
    tnc.press('Enter');
    await tnc.waitFor(/truenas-1 .*True/);

    const oldKeyId = sim.apiKeys(0)[0]!.id;
    sim.revokeKeys(0);
    await tnc.waitFor(/truenas-1 .*False · key rejected/);
    tnc.press('Enter');
    await tnc.waitFor('Password');
    tnc.press('Enter');
    await tnc.type(PASSWORD);
    tnc.press('Enter');
    await tnc.waitFor(/truenas-1 .*True/);
    // The replaced key was deleted on the server; the new one is in the keyring.
    expect(sim.apiKeys(0).map((key) => key.id)).not.toContain(oldKeyId);
    expect(sim.apiKeys(0)).toHaveLength(1);
    apiKeysSeen.push(await storedKey());

    await tnc.type('K');
    await tnc.waitFor('Reset');
    await tnc.type('r');
    await tnc.waitFor('Reset Keyring');
    tnc.press('Enter'); // focus starts on Cancel: a stray Enter changes nothing
    await tnc.waitFor(/truenas-1\s+Stored/);
    await tnc.type('r');
    await tnc.waitFor('Reset Keyring');
    tnc.press('Left', 'Enter');
    const leftName = sim.apiKeys(0)[0]!.name;
    const screen = await tnc.waitFor('Keyring Reset');
    expect(screen).toContain(`  ${leftName}`);
    expect(screen).toContain('still on their servers');
    await tnc.waitFor('No keyring');
    tnc.press('Enter');
    await tnc.waitFor(/truenas-1\s+False/);
    expect(tnc.screen()).not.toMatch(/truenas-1\s+Stored/);
    await tnc.type('q');
    expect((await run.exited()).code).toBe(0);

    const reopened = await KeyringStore.open(data.path);
    expect(reopened.keyringState()).toBe('none');
    expect(reopened.listLeftovers().map((key) => key.keyName)).toContain(leftName);
  });

  it('leaves no secret in the data directory or in anything written to the terminal', () => {
    expect(apiKeysSeen).toHaveLength(2);
    const secrets = [PASSWORD, PASSPHRASE, ...apiKeysSeen];
    const places = [...filesBelow(data.path), ...filesBelow(logs.path)];
    expect(places.length).toBeGreaterThan(2);
    for (const { path, bytes } of places) {
      const text = bytes.toString('latin1');
      for (const secret of secrets) {
        for (const encoded of encodingsOf(secret)) expect(text.includes(encoded), `${path} holds a secret`).toBe(false);
      }
    }
    // The raw terminal output was really captured.
    expect(readFileSync(join(logs.path, 'first-run.log'), 'latin1')).toContain('TrueNAS Connect');
  });
});
