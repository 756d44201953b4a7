// The keyring passphrase for the subcommands: typed on the controlling terminal with echo off,
// or the first line of a file descriptor the caller opened (--passphrase-fd N, as gpg has it).
// Never from argv or the environment, which other users (ps, /proc) and logs can read.
import { openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { ReadStream } from 'node:tty';
import { CommandError, EXIT_USAGE } from './output.js';

/** Longer than any passphrase; a descriptor that never sends a newline is not read forever. */
const MAX_LINE_BYTES = 4096;
const RETRY_MS = 10;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function readPassphrase(fd: number | undefined, prompt: string): Promise<string> {
  return fd === undefined ? askOnTerminal(prompt) : Promise.resolve(firstLineOf(fd));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Reads byte by byte up to the first newline, so that nothing after it is taken from a
 * descriptor that carries more (stdin, say). Nothing else runs meanwhile: blocking is fine.
 */
function firstLineOf(fd: number): string {
  const bytes = Buffer.alloc(MAX_LINE_BYTES);
  const where = `--passphrase-fd ${fd}`;
  try {
    let length = 0;
    for (;;) {
      if (length === MAX_LINE_BYTES) throw new CommandError(`${where}: no newline in the first ${MAX_LINE_BYTES} bytes`);
      let read: number;
      try {
        read = readSync(fd, bytes, length, 1, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          // A non-blocking pipe with nothing in it yet.
          sleepSync(RETRY_MS);
          continue;
        }
        throw new CommandError(`${where}: ${code === 'EBADF' ? 'not an open file descriptor' : `cannot be read (${code ?? 'error'})`}`);
      }
      if (read === 0 || bytes[length] === 0x0a) break;
      length++;
    }
    const end = length > 0 && bytes[length - 1] === 0x0d ? length - 1 : length;
    if (end === 0) throw new CommandError(`${where}: no passphrase (the first line is empty)`);
    return bytes.toString('utf8', 0, end);
  } finally {
    bytes.fill(0);
  }
}

/**
 * Prompts on /dev/tty (not stdout, which may be a pipe to jq) and reads a line in raw mode, so
 * nothing typed is echoed. The terminal's mode comes back on every way out: Enter, Ctrl+D,
 * Ctrl+C (which then ends the process as SIGINT would), a signal, or an exit.
 */
function askOnTerminal(prompt: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new CommandError('no terminal to ask for the passphrase on; pass it with --passphrase-fd N', EXIT_USAGE);
  }
  const input = new ReadStream(fd);
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let typed: string[] = [];
    let restored = false;
    const restore = () => {
      if (restored) return;
      restored = true;
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
      process.removeListener('exit', restore);
      input.removeListener('data', onData);
      try {
        input.setRawMode(false);
        writeSync(fd, '\n');
      } catch {
        // The terminal is gone (hung up): there is no mode left to restore.
      }
      input.destroy();
    };
    const finish = (outcome: () => void) => {
      restore();
      typed = [];
      outcome();
    };
    function onSignal(signal: NodeJS.Signals): void {
      restore();
      process.kill(process.pid, signal); // no listener left: the default action ends the process
    }
    function onData(chunk: Buffer): void {
      const text = decoder.write(chunk);
      chunk.fill(0);
      for (const char of text) {
        if (char === '\r' || char === '\n') {
          const passphrase = typed.join('');
          return finish(() => (passphrase === '' ? reject(new CommandError('no passphrase entered')) : resolve(passphrase)));
        }
        if (char === '\x03') return onSignal('SIGINT'); // Ctrl+C: raw mode delivers it as a byte
        if (char === '\x04' && typed.length === 0) return finish(() => reject(new CommandError('no passphrase entered')));
        if (char === '\x7f' || char === '\b') typed.pop();
        else if (char === '\x15') typed = []; // Ctrl+U
        else if (char === '\x1b') break; // an escape sequence (arrow keys…) fills the rest of the chunk
        else if (char >= ' ') typed.push(char);
      }
    }
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on('exit', restore);
    input.on('data', onData);
    input.setRawMode(true);
    writeSync(fd, prompt);
  });
}
