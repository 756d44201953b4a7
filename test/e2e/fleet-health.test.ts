// The fleet view through the real TUI in tmux, against the simulator over TLS: health columns
// that follow the systems within a poll interval, problems only, the System screen, a user
// who may not read alerts, and a hostile system whose strings never reach the terminal raw.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import { LIMITED_USER, startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { KeyringStore } from '../../store/keyring-store.js';
import { TmuxSession } from '../helpers/tmux.js';
import { startTnc, tempDir } from '../helpers/tnc.js';

const PASSPHRASE = 'fleet passphrase';
const ADMIN = { username: 'truenas_admin', password: 'truenas-demo' };
const WATCHED = 0;
const LIMITED = 1;
const HOSTILE = 2;

/** The escapes (OSC: tnc itself sends none), C1 controls and bidi controls the hostile system sends. */
const RAW = /\u001b\]|[\u0080-\u009f]|[\u202a-\u202e\u2066-\u2069]/;

let sim: Simulator;
const data = tempDir('tnc-fleet-');
const logs = tempDir('tnc-fleet-log-');
const session = new TmuxSession();

beforeAll(async () => {
  sim = await startSimulator({ systems: 3, failDelayMs: [5, 10], rateLimitPerMinute: 0 });
  sim.offerUpdate(WATCHED, { version: '25.10.3' });
  sim.makeHostile(HOSTILE);
  const store = await KeyringStore.open(data.path, { kdf: { opslimit: 1, memlimit: 8 * 1024 * 1024 } });
  await store.createKeyring('fleet', PASSPHRASE);
  const client = new TrueNASClient({ timeoutMs: 5_000 });
  try {
    for (const [index, user] of [[WATCHED, ADMIN], [LIMITED, LIMITED_USER]] as const) {
      const { url, fingerprint } = sim.systems[index]!;
      const record = await store.addSystem({ name: index === WATCHED ? 'watched' : 'limited', address: url, fingerprint });
      const minted = await client.signIn({ address: url, fingerprint }, user);
      await store.storeKey(record.id, minted.key, { keyId: minted.keyId, keyName: minted.keyName, username: minted.username, storedAt: new Date().toISOString() });
    }
  } finally {
    client.close();
    store.lock();
  }
});

afterAll(async () => {
  session.kill();
  await sim.close();
  data.remove();
  logs.remove();
});

const rowOf = (screen: string, name: string) => screen.split('\n').find((line) => line.includes(` ${name} `)) ?? '';

describe('the fleet view', () => {
  it('follows health within a poll interval, filters to problems, opens the System screen, and keeps hostile text out', async () => {
    const log = join(logs.path, 'terminal.log');
    const run = startTnc(session, ['--data-dir', data.path, '--poll-interval', '1', '--timeout', '3'], { cols: 140, rows: 36, outputLog: log });
    await session.waitFor('Unlock Keyring');
    await session.type(PASSPHRASE);
    session.press('Enter');
    await session.waitFor(/ watched .*True/);

    // Healthy, an update on offer; the limited user's key may not read alerts: not known, still True.
    let screen = await session.waitFor(/ watched .*True\s+ok\s+25\.10\.3/);
    expect(rowOf(screen, 'limited')).toMatch(/True\s+—\s+ok\s+—/);

    const uuid = sim.addAlert(WATCHED, { level: 'CRITICAL', formatted: 'Pool tank state is DEGRADED' });
    await session.waitFor(/ watched .*True\s+1 critical/);
    sim.dismissAlert(WATCHED, uuid);
    screen = await session.waitFor(/ watched .*True\s+ok\s+25\.10\.3/);
    expect(rowOf(screen, 'watched')).not.toContain('critical');
    sim.setPoolStatus(WATCHED, 'tank', 'DEGRADED');
    await session.waitFor(/ watched .*True\s+tank DEGRADED/);

    // Problems only: the degraded one stays, the quiet one goes; and back.
    await session.type('!');
    screen = await session.waitFor('Problems only');
    expect(rowOf(screen, 'watched')).toContain('tank DEGRADED');
    expect(rowOf(screen, 'limited')).toBe('');
    await session.type('!');
    await session.waitFor(/ limited .*True/);

    // The System screen of the first row: its pools, and back with Esc.
    session.press('Up', 'Up');
    await session.type('i');
    screen = await session.waitFor('TrueNAS Connect · watched');
    expect(screen).toMatch(/Version\s+25\.10\.\d/);
    expect(screen).toMatch(/Pools/);
    for (let i = 0; i < 12; i++) await session.type('j');
    screen = await session.waitFor(/tank\s+DEGRADED/);
    await session.type('R');
    await session.waitFor('Checking watched now');
    session.press('Escape');
    await session.waitFor(/Name\s+Address/);

    // The hostile system, added without a name: it is named after its (cleaned) hostname.
    await session.type('a');
    await session.waitFor('Add System');
    await session.type(sim.systems[HOSTILE]!.url);
    session.press('Enter', 'Enter');
    await session.waitFor('Trust Certificate');
    session.press('Left', 'Enter');
    await session.waitFor('Sign In to');
    session.press('Enter');
    await session.type(ADMIN.password);
    session.press('Enter');
    await session.waitFor(/ nas.*True\s+1 critical/);
    session.press('Down');
    await session.type('i');
    await session.waitFor(/Model\s+AMD/);
    session.press('Escape');
    await session.type('q');
    expect((await run.exited()).code).toBe(0);

    const terminal = readFileSync(log, 'utf8');
    expect(terminal).toContain('Ryzen');
    expect(terminal).not.toMatch(RAW);
    const file = readFileSync(join(data.path, 'keyring.json'), 'utf8');
    expect(file).toContain('"name": "nas');
    expect(file).not.toMatch(/\\u001b|\\u009b|\\u202e|\\u2067/);
    // What is left of the hostname once cleaned is harmless text.
    expect(JSON.parse(file).systems.map((system: { name: string }) => system.name)).toEqual([
      'watched',
      'limited',
      'nas]0;pwned]52;c;ZWNobyBwd25lZA==[2J[31m1;31mgnp.exex',
    ]);
  });
});
