// The passphrase typed on the controlling terminal: a real pty (tmux), stdout elsewhere or not.
// What is typed never shows, and the terminal's mode comes back however the prompt ends.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { CLI_PATH } from '../helpers/run-cli.js';
import { TmuxSession } from '../helpers/tmux.js';
import { encodingsOf, startTnc, tempDir } from '../helpers/tnc.js';
import { PASSPHRASE, simKeyring, type SimKeyring } from './helpers.js';

let sim: Simulator;
let keyring: SimKeyring;
const sessions: TmuxSession[] = [];
const temp = tempDir('tnc-tty-');

beforeAll(async () => {
  sim = await startSimulator({ systems: 2, failDelayMs: [1, 5], rateLimitPerMinute: 0 });
  keyring = await simKeyring(sim);
});

afterEach(() => {
  for (const session of sessions.splice(0)) session.kill();
});

afterAll(async () => {
  temp.remove();
  await keyring?.cleanUp();
  await sim?.close();
});

function session(): TmuxSession {
  const made = new TmuxSession();
  sessions.push(made);
  return made;
}

// capture-pane drops the trailing space.
const PROMPT = 'Passphrase for keyring "test":';

function expectNormalTerminal(stty: string): void {
  // Raw mode would show as -icanon -echo.
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/);
}

function expectNoPassphrase(text: string): void {
  for (const encoded of encodingsOf(PASSPHRASE)) expect(text).not.toContain(encoded);
  expect(text).not.toContain('correct');
}

describe('the passphrase prompt on /dev/tty', () => {
  it('shows nothing of what is typed; status prints its table on the terminal', async () => {
    const log = join(temp.path, 'table.log');
    const tnc = startTnc(session(), ['status', '--data-dir', keyring.dir], { outputLog: log });
    await tnc.session.waitFor(PROMPT);
    await tnc.session.type(PASSPHRASE);
    expectNoPassphrase(tnc.session.screen());
    tnc.session.press('Enter');
    const ended = await tnc.exited();
    expect(ended.code).toBe(0);
    expect(ended.screen).toMatch(new RegExp(`${sim.systems[0]!.hostname}\\s.*True`));
    expectNoPassphrase(ended.screen);
    expectNoPassphrase(await readFile(log, 'utf8'));
    expectNormalTerminal(ended.stty);
  });

  it('works with stdout going to a file: the prompt is on the terminal, the JSON in the file', async () => {
    const out = join(temp.path, 'status.json');
    const code = join(temp.path, 'status.code');
    const pane = session();
    pane.start(`node '${CLI_PATH}' call --data-dir '${keyring.dir}' --all system.info > '${out}'; echo $? > '${code}'; sleep 600`);
    await pane.waitFor(PROMPT);
    await pane.type(PASSPHRASE);
    pane.press('Enter');
    await expect.poll(async () => readFile(code, 'utf8').catch(() => ''), { timeout: 20_000 }).toBe('0\n');
    const results = JSON.parse(await readFile(out, 'utf8')) as Record<string, { hostname: string }>;
    expect(Object.values(results).map((info) => info.hostname)).toEqual(sim.systems.map((system) => system.hostname));
    expectNoPassphrase(pane.screen());
  });

  // No stdio of tnc is the terminal in these two, as in `tnc status > report 2>&1`: only
  // /dev/tty, which tnc opened for the prompt, is.
  it('Ctrl+C ends it as SIGINT would, with echo back on and nothing written', async () => {
    const before = await readFile(keyring.store.filePath);
    const tnc = startTnc(session(), ['status', '--data-dir', keyring.dir], { redirect: `< /dev/null > '${join(temp.path, 'ctrl-c.out')}' 2>&1` });
    await tnc.session.waitFor(PROMPT);
    await tnc.session.type('half a pass');
    tnc.session.press('C-c');
    const ended = await tnc.exited();
    expect(ended.code).toBe(130);
    expect(ended.screen).not.toContain('half a pass');
    expectNormalTerminal(ended.stty);
    expect((await readFile(keyring.store.filePath)).equals(before)).toBe(true);
  });

  it('SIGTERM at the prompt restores the terminal before the process ends by it', async () => {
    const tnc = startTnc(session(), ['status', '--data-dir', keyring.dir], { redirect: `< /dev/null > '${join(temp.path, 'term.out')}' 2>&1` });
    await tnc.session.waitFor(PROMPT);
    tnc.session.signal('TERM', 'node');
    const ended = await tnc.exited();
    expect(ended.code).toBe(143);
    expectNormalTerminal(ended.stty);
  });

  it('a wrong passphrase is one line and exit 1, the terminal restored', async () => {
    const tnc = startTnc(session(), ['status', '--data-dir', keyring.dir]);
    await tnc.session.waitFor(PROMPT);
    await tnc.session.type('wrong');
    tnc.session.press('Enter');
    const ended = await tnc.exited();
    expect(ended.code).toBe(1);
    expect(ended.screen).toContain('tnc: Wrong passphrase');
    expectNormalTerminal(ended.stty);
  });
});
