// Runs runApp in a process of its own, as src/cli.ts does, on streams that behave like a
// terminal; used by run.test.tsx, which starts it from dist/ with the environment it wants.
// Prints one JSON line per event: what was drawn, and how it ended.
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApp } from '../../components/run.js';
import { TrueNASClient } from '../../src/client/client.js';
import { KeyringStore } from '../../store/keyring-store.js';

const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

class TerminalOut extends EventEmitter {
  readonly isTTY = true;
  columns = 100;
  rows = 30;
  output = '';
  write(data: string): boolean {
    this.output += data;
    this.emit('written');
    return true;
  }
}

class TerminalIn extends EventEmitter {
  readonly isTTY = true;
  isRaw = false;
  private pending: string[] = [];
  setRawMode(raw: boolean): void {
    this.isRaw = raw;
    this.emit('raw');
  }
  setEncoding(): void {}
  ref(): void {}
  unref(): void {}
  resume(): void {}
  pause(): void {}
  read(): string | null {
    return this.pending.shift() ?? null;
  }
  type(data: string): void {
    this.pending.push(data);
    this.emit('readable');
  }
}

function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const dir = await mkdtemp(join(tmpdir(), 'tnc-run-'));
try {
  const store = await KeyringStore.open(dir, { kdf: { opslimit: 1, memlimit: 8 * 1024 * 1024 } });
  await store.createKeyring('home', 'pw');
  const client = new TrueNASClient({ timeoutMs: 1_000 });
  const stdout = new TerminalOut();
  const stdin = new TerminalIn();
  const exit = runApp({
    store,
    client,
    options: { pollIntervalMs: 60_000, timeoutMs: 1_000, concurrency: 4 },
    demo: { lines: ['Demo: sign in as truenas_admin / truenas-demo.'] },
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
  });
  // Once the first screen is drawn and keys are read (raw mode; a key typed earlier would be
  // lost, as on a terminal): `a` and an address arrive in one chunk, as from a script or a
  // slow link, and must still open Add System and fill its field; then Esc, then q.
  const drawn = () => plain(stdout.output).includes('Unlocked: home') && plain(stdout.output).includes('Demo: sign in');
  const typed = () => plain(stdout.output).includes('Address  nas.invalid');
  let sent = false;
  const step = () => {
    if (!drawn() || !stdin.isRaw) return;
    if (!sent) {
      sent = true;
      report({ drawn: true });
      // Raw mode is switched on by the effect just before the one that attaches the key handler.
      setImmediate(() => stdin.type('anas.invalid'));
      return;
    }
    if (!typed()) return;
    stdout.off('written', step);
    stdin.off('raw', step);
    report({ typed: true });
    stdin.type('\x1b');
    stdin.type('q');
  };
  stdout.on('written', step);
  stdin.on('raw', step);
  const code = await exit;
  client.close();
  report({ code, keyring: store.keyringState(), raw: stdin.isRaw, react: process.env.NODE_ENV ?? null });
} finally {
  await rm(dir, { recursive: true, force: true });
}
