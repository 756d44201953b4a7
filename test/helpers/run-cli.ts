import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The installed entry: what users run (no test hooks). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
/** The same program with the test hooks (see tnc-entry.ts): what the end-to-end tests start. */
export const TEST_ENTRY_PATH = fileURLToPath(new URL('../../dist/test/helpers/tnc-entry.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: NodeJS.ProcessEnv;
  stdoutToFile?: string;
  /** In a session of its own: no controlling terminal, so /dev/tty cannot be opened. */
  detached?: boolean;
  /** Written to a pipe on file descriptor 3 (e.g. for `--passphrase-fd 3`), then closed. */
  fd3?: string;
}

/** Runs the built program with pipes (so it is never a TTY) and collects what it prints. */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe', ...(options.fd3 === undefined ? [] : (['pipe'] as const))],
      detached: options.detached ?? false,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end();
    if (options.fd3 !== undefined) {
      const fd3 = child.stdio[3] as Writable;
      fd3.on('error', () => undefined); // the program may exit without reading it
      fd3.end(options.fd3);
    }
  });
}
