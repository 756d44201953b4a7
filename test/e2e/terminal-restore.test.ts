// Whatever way tnc ends, the terminal comes back in normal mode with a visible cursor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxSession } from '../helpers/tmux.js';
import { startTnc, tempDir, TEST_KDF } from '../helpers/tnc.js';

describe('terminal restore', () => {
  const dirs: Array<{ remove(): void }> = [];
  const sessions: TmuxSession[] = [];
  afterEach(() => {
    for (const session of sessions.splice(0)) session.kill();
    for (const dir of dirs.splice(0)) dir.remove();
  });

  /** Runs tnc, then records its exit code and the terminal modes once it has gone. */
  const run = (env: Record<string, string> = {}, args: string[] = []) => {
    const dir = tempDir('tnc-restore-');
    dirs.push(dir);
    const session = new TmuxSession();
    sessions.push(session);
    const code = join(dir.path, 'code');
    const stty = join(dir.path, 'stty');
    startTnc(session, ['--data-dir', join(dir.path, 'data'), '--kdf', TEST_KDF, ...args], {
      env,
      afterExit: `echo $? > '${code}'; stty -a > '${stty}'`,
    });
    return {
      session,
      async finished() {
        await session.waitForExit();
        return { code: Number(readFileSync(code, 'utf8')), stty: readFileSync(stty, 'utf8'), pane: session.paneState(), screen: session.screen() };
      },
    };
  };

  const expectNormalTerminal = (ended: { stty: string; pane: { alternateOn: boolean; cursorVisible: boolean } }) => {
    expect(ended.pane.alternateOn).toBe(false);
    expect(ended.pane.cursorVisible).toBe(true);
    // Raw mode would show as -icanon -echo.
    expect(ended.stty).toMatch(/(^|\s)icanon(\s|$)/);
    expect(ended.stty).toMatch(/(^|\s)echo(\s|$)/);
  };

  it('after q', async () => {
    const tnc = run();
    await tnc.session.waitFor('TrueNAS Connect');
    expect(tnc.session.paneState().alternateOn).toBe(true);
    await tnc.session.type('q');
    const ended = await tnc.finished();
    expect(ended.code).toBe(0);
    expectNormalTerminal(ended);
  });

  it('after Ctrl+C, even inside a text field', async () => {
    const tnc = run();
    await tnc.session.waitFor('TrueNAS Connect');
    await tnc.session.type('a');
    await tnc.session.waitFor('Address');
    await tnc.session.type('q');
    await tnc.session.waitFor(/Address\s+q/);
    tnc.session.press('C-c');
    const ended = await tnc.finished();
    expect(ended.code).toBe(0);
    expectNormalTerminal(ended);
  });

  it('after SIGTERM', async () => {
    const tnc = run();
    await tnc.session.waitFor('TrueNAS Connect');
    tnc.session.signal('TERM', 'node');
    const ended = await tnc.finished();
    expect(ended.code).toBe(1);
    expectNormalTerminal(ended);
  });

  it('after an uncaught error, with one clear line and no stack trace', async () => {
    const tnc = run({ TNC_TEST_CRASH_AFTER_MS: '1500' });
    await tnc.session.waitFor('TrueNAS Connect');
    const ended = await tnc.finished();
    expect(ended.code).toBe(1);
    expectNormalTerminal(ended);
    expect(ended.screen).toContain('tnc: injected failure');
    expect(ended.screen).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('shows the too-small notice below 80×24 and follows a resize', async () => {
    const tnc = run({}, []);
    await tnc.session.waitFor('TrueNAS Connect');
    tnc.session.resize(60, 20);
    await tnc.session.waitFor('terminal too small: need 80×24, have 60×20');
    await tnc.session.type('a');
    tnc.session.resize(100, 30);
    const screen = await tnc.session.waitFor('TrueNAS Connect');
    expect(screen).not.toContain('Address');
    await tnc.session.type('q');
    expect((await tnc.finished()).code).toBe(0);
  });
});
