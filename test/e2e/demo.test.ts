// `tnc --demo` is how a newcomer meets the product: three simulated systems, one with 2FA and
// one REST-only, credentials on screen, everything signed in within a minute.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { TmuxSession } from '../helpers/tmux.js';
import { startTnc, tempDir } from '../helpers/tnc.js';

describe('demo mode', () => {
  const session = new TmuxSession();
  // A temporary directory of this test's own: other demos may run beside it (the package test).
  const tmp = tempDir('tnc-demo-tmp-');
  afterAll(() => {
    session.kill();
    tmp.remove();
  });

  const demoDataDirs = () => readdirSync(tmp.path).filter((name) => name.startsWith('tnc-demo-')).sort();
  const childrenOf = (pid: string) => spawnSync('pgrep', ['-P', pid], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  const isAlive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  /** The simulator child of this session's tnc (the shell's child), not of any other tnc running here. */
  const demoSimulators = () => childrenOf(session.panePid()).flatMap(childrenOf);

  it('lists the simulated systems with their credentials and signs in to each, 2FA and REST-only included', async () => {
    const before = demoDataDirs();
    expect(before).toEqual([]);
    const run = startTnc(session, ['--demo'], { env: { TMPDIR: tmp.path } });
    const first = await session.waitFor(/truenas-3/);
    expect(first).toMatch(/Sign in as truenas_admin \/ truenas-demo/);
    const otp = /truenas-2 has 2FA: (\S+) \/ (\S+), code (\d+)/.exec(await session.waitFor('2FA'));
    expect(otp).not.toBeNull();
    const [, otpUser, otpPassword, otpCode] = otp!;
    await session.waitFor('REST only');
    await session.waitFor(/truenas-1\s.*False · no key/);

    // truenas-1: plain sign-in; the demo pinned the certificate, so no Trust dialog.
    session.press('Enter');
    await session.waitFor('Password');
    session.press('Enter');
    await session.type('truenas-demo');
    session.press('Enter');
    await session.waitFor(/truenas-1\s.*True/);

    // truenas-2: the 2FA account asks for a code after the password.
    await session.type('j');
    session.press('Enter');
    await session.waitFor('Password');
    session.press('BSpace');
    for (let i = 0; i < 'truenas_admin'.length; i++) session.press('BSpace');
    await session.type(otpUser!);
    session.press('Enter');
    await session.type(otpPassword!);
    session.press('Enter');
    await session.waitFor('2FA code');
    await session.type(otpCode!);
    session.press('Enter');
    await session.waitFor(/truenas-2\s.*True/);

    // truenas-3: TrueNAS 24.10 speaks only REST.
    await session.type('j');
    session.press('Enter');
    await session.waitFor('Password');
    session.press('Enter');
    await session.type('truenas-demo');
    session.press('Enter');
    const done = await session.waitFor(/truenas-3\s.*True/);
    expect(done).toMatch(/truenas-3\s.*24\.10/);

    const demoDirs = demoDataDirs();
    expect(demoDirs.length).toBeGreaterThan(before.length);
    const simulators = demoSimulators();
    expect(simulators).toHaveLength(1);
    await session.type('q');
    expect((await run.exited()).code).toBe(0);
    // Its temporary data directory and its simulator child are gone with it.
    expect(demoDataDirs()).toEqual(before);
    await expect.poll(() => isAlive(Number(simulators[0])), { timeout: 5000 }).toBe(false);
  });
});
