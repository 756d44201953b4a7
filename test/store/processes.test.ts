// Real processes on one data directory, running the store as tsc builds it into dist/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KeyringStore } from '../../store/keyring-store.js';
import { FAST_KDF, dataDirIn, keyringPath, readJson, useTempDirs } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

// Each script runs as `node --input-type=module -e` (a flag workers inherit: the KDF worker
// must cope) and gets the built keyring-store.js and the data directory first.
const SCRIPTS = {
  addSystems: `
    const [modulePath, dataDir, prefix, count] = process.argv.slice(1);
    const { KeyringStore } = await import(modulePath);
    const store = await KeyringStore.open(dataDir);
    for (let i = 0; i < Number(count); i++) await store.addSystem({ name: prefix + i, address: prefix + i + '.lan' });
  `,
  renameForever: `
    const [modulePath, dataDir, systemId, start] = process.argv.slice(1);
    const { KeyringStore } = await import(modulePath);
    const store = await KeyringStore.open(dataDir, { lockStaleMs: 2000 });
    for (let i = Number(start); ; i++) {
      await store.updateSystem(systemId, { name: 'n' + i });
      process.stdout.write(i + '\\n');
    }
  `,
  unlock: `
    const [modulePath, dataDir] = process.argv.slice(1);
    const { KeyringStore } = await import(modulePath);
    const kdf = { opslimit: 1, memlimit: 8 * 1024 * 1024 };
    const store = await KeyringStore.open(dataDir, { kdf });
    const system = await store.addSystem({ name: 'nas', address: 'nas.lan' });
    await store.createKeyring('built', 'pw');
    await store.storeKey(system.id, 'key-from-dist', { keyId: 1, keyName: 'tnc-1', username: 'u', storedAt: 'now' });
    store.lock();
    const wrong = await store.unlock('nope').catch((error) => error.name);
    store.prepareUnlock();
    await store.unlock('pw');
    console.log(JSON.stringify({ wrong, key: store.credential(system.id).apiKey }));
    // A prepared worker left idle must not keep the process from exiting.
    store.prepareUnlock();
  `,
};

let buildDir: string;
let storeModule: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  await mkdir(join(ROOT, 'dist'), { recursive: true });
  // Inside the project so the build finds node_modules; private so no other test's build races it.
  buildDir = await mkdtemp(join(ROOT, 'dist', '.store-test-'));
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      ...['--outDir', buildDir, '--rootDir', ROOT, '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
      ...['--target', 'ES2022', '--strict', '--skipLibCheck', '--types', 'node', '--incremental', 'false'],
      join(ROOT, 'store/keyring-store.ts'),
    ],
    { encoding: 'utf8' },
  );
  expect(tsc.stdout).toBe('');
  storeModule = join(buildDir, 'store/keyring-store.js');
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(buildDir, { recursive: true, force: true });
});

function run(script: keyof typeof SCRIPTS, ...args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPTS[script], storeModule, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function finished(child: ChildProcess): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('several processes on one data directory', () => {
  const tempDir = useTempDirs();

  it('two processes doing 200 updates each lose none of them', async () => {
    const dataDir = dataDirIn(await tempDir());
    const results = await Promise.all(['a', 'b'].map((prefix) => finished(run('addSystems', dataDir, prefix, '200'))));
    for (const result of results) expect(result).toMatchObject({ code: 0, stderr: '' });
    const store = await KeyringStore.open(dataDir);
    const names = new Set(store.listSystems().map((system) => system.name));
    expect(names.size).toBe(400);
    for (let i = 0; i < 200; i++) expect(names.has(`a${i}`) && names.has(`b${i}`)).toBe(true);
  });

  it('a writer killed at random moments leaves the old or the new state, never a broken file', async () => {
    const dataDir = dataDirIn(await tempDir());
    const parent = await KeyringStore.open(dataDir, { lockStaleMs: 2000 });
    const { id } = await parent.addSystem({ name: 'n0', address: 'nas.lan' });
    let current = 0;
    for (let round = 0; round < 4; round++) {
      const child = run('renameForever', dataDir, id, String(current + 1));
      const done = finished(child);
      let acknowledged = current;
      const wanted = current + 1 + Math.floor(Math.random() * 30);
      await new Promise<void>((resolve) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          acknowledged = Math.max(acknowledged, ...chunk.toString().trim().split('\n').map(Number));
          if (acknowledged >= wanted) resolve();
        });
      });
      // A random point inside the following writes: lock, read, temp file, fsync, rename.
      await delay(Math.random() * 15);
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');

      const store = await KeyringStore.open(dataDir); // validates the whole file
      const name = store.getSystem(id)!.name;
      expect([`n${acknowledged}`, `n${acknowledged + 1}`]).toContain(name);
      current = Number(name.slice(1));
    }
    // The next change, under the lock, sweeps away temp files a killed writer left.
    await parent.updateSystem(id, { address: 'nas2.lan' });
    expect(await readdir(dataDir)).toEqual(['keyring.json']);
    expect((await readJson(keyringPath(dataDir))).systems).toEqual([{ id, name: `n${current}`, address: 'nas2.lan' }]);
  });

  it('derives keys in a worker from the built output as well', async () => {
    const dataDir = dataDirIn(await tempDir());
    const result = await finished(run('unlock', dataDir));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ wrong: 'WrongPassphraseError', key: 'key-from-dist' });
    // And what the built store wrote, the source store reads.
    const store = await KeyringStore.open(dataDir, { kdf: FAST_KDF });
    await store.unlock('pw');
    expect(store.credential(store.listSystems()[0]!.id).apiKey).toBe('key-from-dist');
  });
});
