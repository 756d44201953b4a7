// Whatever way tnc ends, the terminal comes back in normal mode with a visible cursor.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxSession } from '../helpers/tmux.js';
import { startTnc, tempDir } from '../helpers/tnc.js';

describe('terminal restore', () => {
  const dirs: Array<{ remove(): void }> = [];
  const sessions: TmuxSession[] = [];
  afterEach(() => {
    for (const session of sessions.splice(0)) session.kill();
    for (const dir of dirs.splice(0)) dir.remove();
  });

  const run = (env: Record<string, string> = {}) => {
    const dir = tempDir('tnc-restore-');
    dirs.push(dir);
    const session = new TmuxSession();
    sessions.push(session);
    return startTnc(session, ['--data-dir', join(dir.path, 'data')], { env });
  };

  const expectNormalTerminal = (ended: { stty: string; alternateOn: boolean; cursorVisible: boolean }) => {
    expect(ended.alternateOn).toBe(false);
    expect(ended.cursorVisible).toBe(true);
    // Raw mode would show as -icanon -echo.
    expect(ended.stty).toMatch(/(^|\s)icanon(\s|$)/);
    expect(ended.stty).toMatch(/(^|\s)echo(\s|$)/);
  };

  it('after q', async () => {
    const tnc = run();
    await tnc.session.waitFor('TrueNAS Connect');
    expect(tnc.session.paneState().alternateOn).toBe(true);
    await tnc.session.type('q');
    const ended = await tnc.exited();
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
    const ended = await tnc.exited();
    expect(ended.code).toBe(0);
    expectNormalTerminal(ended);
  });

  it('after SIGTERM', async () => {
    const tnc = run();
    await tnc.session.waitFor('TrueNAS Connect');
    tnc.session.signal('TERM', 'node');
    const ended = await tnc.exited();
    expect(ended.code).toBe(1);
    expectNormalTerminal(ended);
  });

  it('after an uncaught error, with one clear line and no stack trace', async () => {
    const tnc = run({ TNC_TEST_CRASH_ON_SIGUSR2: '1' });
    await tnc.session.waitFor('TrueNAS Connect');
    expect(tnc.session.paneState().alternateOn).toBe(true);
    tnc.session.signal('USR2', 'node');
    const ended = await tnc.exited();
    expect(ended.code).toBe(1);
    expectNormalTerminal(ended);
    expect(ended.screen).toContain('tnc: injected failure');
    expect(ended.screen).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('shows the too-small notice below 80×24 and follows a resize', async () => {
    const tnc = run();
    await tnc.session.waitFor('TrueNAS Connect');
    tnc.session.resize(60, 20);
    await tnc.session.waitFor('terminal too small: need 80×24, have 60×20');
    await tnc.session.type('a');
    tnc.session.resize(100, 30);
    const screen = await tnc.session.waitFor('TrueNAS Connect');
    // The `a` typed while too small did not open Add System.
    expect(screen).not.toContain('Enter the address');
    await tnc.session.type('q');
    expect((await tnc.exited()).code).toBe(0);
  });
});
