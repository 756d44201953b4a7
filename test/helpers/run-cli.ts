import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The installed entry: what users run (no test hooks). */
export const CLI_PATH = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
/** The same program with the test hooks (see tnc-entry.ts): what the end-to-end tests start. */
export const TEST_ENTRY_PATH = fileURLToPath(new URL('../../dist/test/helpers/tnc-entry.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built program with pipes (so it is never a TTY) and collects what it prints. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; stdoutToFile?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}
