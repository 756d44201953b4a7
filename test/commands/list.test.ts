// `tnc list`: what the keyring file holds, read without a passphrase and without the network.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tnc.js';
import { editFile, keyringPath, meta, openStore } from '../store/helpers.js';
import { PASSPHRASE, Tnc } from './helpers.js';

// What someone editing the file could put in a name: a window title (OSC), a clipboard write (OSC 52),
// a C1 CSI and a bidirectional override.
const HOSTILE_NAME = 'evil\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\u009b2J\u202e-nas';
const KEY = `1-${'k'.repeat(64)}`;
const temp = tempDir('tnc-list-');
const dataDir = join(temp.path, 'data');
const tnc = new Tnc();

beforeAll(async () => {
  const store = await openStore(dataDir);
  await store.createKeyring('ops', PASSPHRASE);
  const first = await store.addSystem({ name: 'nas-1', address: 'https://nas-1.example:443', fingerprint: 'AB:CD' });
  const second = await store.addSystem({ name: 'nas-2', address: 'nas-2.example' });
  await store.storeKey(first.id, KEY, meta(1));
  store.lock();
  await editFile(keyringPath(dataDir), (document) => {
    document.systems.find((system: { id: string }) => system.id === second.id).name = HOSTILE_NAME;
  });
});

afterAll(() => temp.remove());

describe('tnc list', () => {
  it('prints a table of names, addresses and stored keys, asking for no passphrase', async () => {
    const run = await tnc.run(['list', '--data-dir', dataDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Name\s+Address\s+Key$/);
    expect(lines[1]).toMatch(/^nas-1\s+nas-1\.example:443\s+Stored$/);
    expect(lines[2]).toMatch(/^evil.*-nas\s+nas-2\.example$/);
    expect(lines).toHaveLength(3);
  });

  it('--json prints one array of {name, address, fingerprint, keyStored}', async () => {
    const run = await tnc.run(['list', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toEqual([
      { name: 'nas-1', address: 'https://nas-1.example:443', fingerprint: 'AB:CD', keyStored: true },
      { name: expect.stringMatching(/^evil.*-nas$/), address: 'nas-2.example', fingerprint: null, keyStored: false },
    ]);
  });

  it('cleans a name from the file of every control character, in the table and in JSON', async () => {
    for (const args of [['list'], ['list', '--json']]) {
      const run = await tnc.run([...args, '--data-dir', dataDir]);
      expect(run.stdout).toContain('evil');
      expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
      expect(run.stdout).not.toContain('\\u001b');
    }
  });

  it('finds the data directory through $TNC_DATA_DIR', async () => {
    const run = await tnc.run(['list', '--json'], { env: { TNC_DATA_DIR: dataDir } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(2);
  });

  it('never prints the stored key', () => {
    tnc.expectNoSecrets([PASSPHRASE, KEY]);
  });
});
