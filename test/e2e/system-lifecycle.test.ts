// Key hygiene and the rest of a system's life, in a real pseudo-terminal: a key minted with
// no keyring is deleted at quit; a changed certificate is never silently re-trusted; removing
// a system deletes its key on the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyringStore } from '../../store/keyring-store.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { TmuxSession } from '../helpers/tmux.js';
import { startTnc, tempDir } from '../helpers/tnc.js';

const PASSWORD = 'truenas-demo';

describe('system lifecycle in a pseudo-terminal', () => {
  let sim: Simulator;
  const data = tempDir('tnc-e2e-life-');
  const sessions: TmuxSession[] = [];

  const launch = () => {
    const session = new TmuxSession();
    sessions.push(session);
    const run = startTnc(session, ['--data-dir', data.path, '--poll-interval', '1', '--timeout', '3']);
    return { run, tnc: session };
  };

  const signIn = async (tnc: TmuxSession) => {
    await tnc.waitFor('Password');
    tnc.press('Enter');
    await tnc.type(PASSWORD);
    tnc.press('Enter');
  };

  beforeAll(async () => {
    sim = await startSimulator({ systems: 1, failDelayMs: [20, 40], rateLimitPerMinute: 0 });
    // A listed, pinned system, as a previous run would have left it.
    const store = await KeyringStore.open(data.path);
    await store.addSystem({ name: 'nas-a', address: sim.systems[0]!.url, fingerprint: sim.systems[0]!.fingerprint });
  });

  afterAll(async () => {
    for (const session of sessions) session.kill();
    await sim?.close();
    data.remove();
  });

  it('deletes a key it could not store when it quits', async () => {
    const { run, tnc } = launch();
    await tnc.waitFor(/nas-a\s.*False · no key/);
    tnc.press('Enter');
    await signIn(tnc);
    await tnc.waitFor(/nas-a\s.*True/);
    expect(sim.apiKeys(0)).toHaveLength(1);
    await tnc.type('q');
    expect((await run.exited()).code).toBe(0);
    expect(sim.apiKeys(0)).toHaveLength(0);
    expect((await KeyringStore.open(data.path)).listLeftovers()).toEqual([]);
  });

  it('refuses a changed certificate until the user trusts the new one, then removes the system and its key', async () => {
    const { run, tnc } = launch();
    await tnc.waitFor(/nas-a\s.*False · no key/);
    const pinned = sim.systems[0]!.fingerprint;
    tnc.press('Enter');
    await signIn(tnc);
    await tnc.waitFor(/nas-a\s.*True/);

    await sim.rotateCertificate(0);
    const rotated = sim.systems[0]!.fingerprint;
    const loginsBefore = sim.logins(0).length;
    await tnc.waitFor(/nas-a\s.*False · certificate changed/);
    expect(sim.logins(0)).toHaveLength(loginsBefore);
    tnc.press('Enter');
    const asked = await tnc.waitFor(rotated.slice(0, 23));
    expect(asked).toContain(pinned.slice(0, 23));
    tnc.press('Enter'); // focus starts on Cancel: the new certificate stays refused
    await tnc.waitFor(/nas-a\s.*False · (certificate changed|untrusted)/);
    expect(sim.logins(0)).toHaveLength(loginsBefore);
    tnc.press('Enter');
    await tnc.waitFor(rotated.slice(0, 23));
    tnc.press('Left', 'Enter');
    await signIn(tnc);
    await tnc.waitFor(/nas-a\s.*True/);

    expect(sim.apiKeys(0).length).toBeGreaterThan(0);
    await tnc.type('x');
    await tnc.waitFor('Remove System');
    tnc.press('Left', 'Enter');
    await tnc.waitFor('No systems');
    await tnc.type('q');
    expect((await run.exited()).code).toBe(0);
    expect(sim.apiKeys(0)).toHaveLength(0);
    expect((await KeyringStore.open(data.path)).listSystems()).toEqual([]);
  });
});
