// `tnc status` as a script runs it: the built program, the passphrase on a descriptor, the
// simulator over TLS, a keyring file made through the store.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASES } from '../../src/sim/release.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { KeyringStore } from '../../store/keyring-store.js';
import { copyDataDir, expectOneLineError, PASSPHRASE, simKeyring, Tnc, type SimKeyring } from './helpers.js';

const DOWN = 1;
const HUNG = 2;
const VERSION = RELEASES['25.10'].release;
let sim: Simulator;
let keyring: SimKeyring;
const tnc = new Tnc();

beforeAll(async () => {
  sim = await startSimulator({ systems: 3, failDelayMs: [1, 5], rateLimitPerMinute: 0 });
  keyring = await simKeyring(sim);
});

afterAll(async () => {
  await keyring?.cleanUp();
  await sim?.close();
});

const status = (...args: string[]) => tnc.withPassphrase(['status', '--data-dir', keyring.dir, ...args]);

describe('tnc status', () => {
  it('prints a table of every system and exits 0 when all are Connected', async () => {
    const run = await status();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^Name\s+Address\s+Version\s+Connected\s+Alerts\s+Pools\s+Update$/);
    expect(rows).toHaveLength(3);
    for (const [index, row] of rows.entries()) {
      const system = sim.systems[index]!;
      expect(row).toMatch(new RegExp(`^${system.hostname}\\s+127\\.0\\.0\\.1:${system.port}\\s+${VERSION.replace(/\./g, '\\.')}\\s+True\\s+ok\\s*$`));
    }
  });

  it('--json prints one array of SPEC §6 objects with each system’s health', async () => {
    sim.addAlert(1, { level: 'CRITICAL', formatted: 'Pool tank state is DEGRADED' });
    sim.setPoolStatus(1, 'tank', 'DEGRADED');
    sim.offerUpdate(2, { version: '25.10.3' });
    try {
      const run = await status('--json');
      expect(run.code).toBe(0);
      const rows = JSON.parse(run.stdout) as unknown[];
      const none = { critical: 0, error: 0, warning: 0, notice: 0, info: 0 };
      expect(rows).toEqual(
        sim.systems.map((system, index) => ({
          name: system.hostname,
          address: system.url,
          version: VERSION,
          connected: true,
          reason: null,
          alerts: index === 1 ? { ...none, critical: 1 } : none,
          pools: [{ name: 'tank', status: index === 1 ? 'DEGRADED' : 'ONLINE', healthy: index !== 1 }],
          update: { available: index === 2 ? '25.10.3' : null },
        })),
      );
      expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      sim.setAlerts(1, []);
      sim.setPoolStatus(1, 'tank', 'ONLINE');
      sim.offerUpdate(2, null);
    }
  });

  it('exits 3 with the reason of each system that is not Connected; the others still answer', async () => {
    await sim.setFault(DOWN, 'down');
    await sim.setFault(HUNG, 'hang');
    try {
      const run = await status('--json', '--timeout', '2');
      expect(run.code).toBe(3);
      expect(run.stderr).toBe('');
      const rows = JSON.parse(run.stdout) as Array<{ name: string; connected: boolean; reason: string | null; version: string | null }>;
      expect(rows.map(({ connected, reason, version }) => ({ connected, reason, version }))).toEqual([
        { connected: true, reason: null, version: VERSION },
        { connected: false, reason: 'unreachable', version: null },
        { connected: false, reason: 'timeout', version: null },
      ]);
      const table = await status('--timeout', '2');
      expect(table.code).toBe(3);
      expect(table.stdout).toMatch(new RegExp(`${sim.systems[DOWN]!.hostname}\\s.*False · unreachable`));
      expect(table.stdout).toMatch(new RegExp(`${sim.systems[HUNG]!.hostname}\\s.*False · timeout`));
    } finally {
      await sim.setFault(DOWN, 'none');
      await sim.setFault(HUNG, 'none');
    }
  });

  it('counts a system without a stored key as not Connected (no key)', async () => {
    const copy = await copyDataDir(keyring.dir);
    try {
      const store = await KeyringStore.open(copy.dir);
      await store.unlock(PASSPHRASE);
      await store.addSystem({ name: 'keyless', address: sim.systems[0]!.url, fingerprint: sim.systems[0]!.fingerprint });
      store.lock();
      const run = await tnc.withPassphrase(['status', '--data-dir', copy.dir, '--json']);
      expect(run.code).toBe(3);
      const rows = JSON.parse(run.stdout) as Array<{ name: string; connected: boolean; reason: string | null }>;
      expect(rows.find((row) => row.name === 'keyless')).toMatchObject({ connected: false, reason: 'no key' });
      expect(rows.filter((row) => row.connected)).toHaveLength(3);
    } finally {
      await copy.remove();
    }
  });

  it('a wrong passphrase is one line and exit 1, and the file stays byte for byte', async () => {
    const before = await readFile(keyring.store.filePath);
    const run = await tnc.withPassphrase(['status', '--data-dir', keyring.dir], 'not the passphrase');
    expectOneLineError(run, 1, /Wrong passphrase/);
    expect((await readFile(keyring.store.filePath)).equals(before)).toBe(true);
  });

  it('reads only the first line of --passphrase-fd', async () => {
    const run = await tnc.run(['status', '--data-dir', keyring.dir, '--json', '--passphrase-fd', '3'], {
      fd3: `${PASSPHRASE}\r\nsecond line\n`,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(3);
  });

  it('never prints the passphrase or an API key', () => {
    tnc.expectNoSecrets([PASSPHRASE, ...keyring.keys.filter((key) => key !== undefined)]);
  });
});
