// Keys tnc minted never become unknown keys on a server, whatever ends the run; and the demo
// never writes simulated systems into a real keyring.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeyringStore } from '../../store/keyring-store.js';
import { selfSigned, type TestCert } from '../client/helpers/certs.js';
import { FAKE_USER, NO_ANSWER, scriptedRpc, startFake, type FakeServer } from '../client/helpers/fake-server.js';
import { TmuxSession } from '../helpers/tmux.js';
import { startTnc, tempDir } from '../helpers/tnc.js';

const PASSPHRASE = 'hygiene passphrase';
const FAST_KDF = { opslimit: 1, memlimit: 8 * 1024 * 1024 };

let cert: TestCert;
beforeAll(async () => {
  cert = await selfSigned();
});

const cleanUps: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
});

/** A keyring (locked) listing one pinned system at `url`. */
async function keyringFor(url: string): Promise<{ dir: string; systemId: string }> {
  const data = tempDir('tnc-hygiene-');
  cleanUps.push(() => data.remove());
  const store = await KeyringStore.open(data.path, { kdf: FAST_KDF });
  await store.createKeyring('home', PASSPHRASE);
  const system = await store.addSystem({ name: 'nas', address: url, fingerprint: cert.fingerprint, transport: 'jsonrpc' });
  store.lock();
  return { dir: data.path, systemId: system.id };
}

async function session(): Promise<TmuxSession> {
  const tmux = new TmuxSession();
  cleanUps.push(() => tmux.kill());
  return tmux;
}

/** Unlocks, then signs in to the listed system: the server's api_key.create handler takes it from there. */
async function signInThroughTnc(tmux: TmuxSession, dir: string) {
  const run = startTnc(tmux, ['--data-dir', dir, '--poll-interval', '60']);
  await tmux.waitFor('Unlock Keyring');
  await tmux.type(PASSPHRASE);
  tmux.press('Enter');
  await tmux.waitFor('Keyring unlocked');
  tmux.press('Enter');
  await tmux.waitFor('Sign In to nas');
  tmux.press('Enter'); // the username is filled in: on to the password
  await tmux.type(FAKE_USER.password);
  tmux.press('Enter');
  return run;
}

describe('SIGHUP (the SSH session dropped) in the middle of minting a key', () => {
  it.each([
    ['before api_key.create is answered', 'unanswered'],
    ['right after api_key.create is answered', 'answered'],
  ] as const)('%s: the key is stored, deleted, or listed at the next start', async (_, when) => {
    const tmux = await session();
    let created: string | undefined;
    const server: FakeServer = await startFake({
      cert,
      rpc: scriptedRpc({
        'api_key.create': (_method, params) => {
          const { name, username } = params[0] as { name: string; username: string };
          created = name;
          if (when === 'unanswered') {
            tmux.signal('HUP', 'node');
            return NO_ANSWER;
          }
          setTimeout(() => tmux.signal('HUP', 'node'), 1);
          return { id: 9, name, username, key: `9-${'n'.repeat(64)}` };
        },
      }),
    });
    cleanUps.push(() => server.close());
    const { dir, systemId } = await keyringFor(server.url);

    const run = await signInThroughTnc(tmux, dir);
    const ended = await run.exited();
    expect(ended.code).toBe(1);
    expect(ended.screen).toContain('tnc: terminated by signal');
    expect(created).toMatch(/^tnc-/);

    const store = await KeyringStore.open(dir);
    const stored = store.getEntry(systemId)?.meta.keyName;
    const listed = store.listLeftovers().map((leftover) => leftover.keyName);
    const deleted = server.calls.some((call) => call.method === 'api_key.delete');
    expect(stored === created || listed.includes(created!) || deleted).toBe(true);

    if (listed.includes(created!)) {
      // The next start names it, so the administrator can delete it.
      const next = await session();
      startTnc(next, ['--data-dir', dir, '--poll-interval', '60']);
      await next.waitFor(created!.slice(0, 20));
    }
  });
});

describe('--demo with --data-dir', () => {
  it('refuses a data directory that holds a real keyring, leaving it untouched', async () => {
    const { dir } = await keyringFor('https://127.0.0.1:9');
    const before = readFileSync(join(dir, 'keyring.json'));
    const tmux = await session();
    const run = startTnc(tmux, ['--demo', '--data-dir', dir]);
    const ended = await run.exited();
    expect(ended.code).toBe(1);
    expect(ended.screen).toContain(`tnc: --demo will not use ${dir}: it holds a keyring that is not a demo's`);
    expect(readFileSync(join(dir, 'keyring.json'))).toEqual(before);
  });
});
