import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ENTRY_PATH } from './run-cli.js';
import { TmuxSession } from './tmux.js';

/** Argon2id lowered for speed (TNC_TEST_KDF of tnc-entry.ts); one store test keeps the defaults. */
export const TEST_KDF = '1,8';

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TncRun {
  session: TmuxSession;
  /** Waits until tnc has exited; then its exit code, the terminal modes and tmux's view of the pane. */
  exited(timeoutMs?: number): Promise<{ code: number; stty: string; alternateOn: boolean; cursorVisible: boolean; screen: string }>;
}

/**
 * Starts the built tnc in a tmux pseudo-terminal. The shell around it records the exit code
 * and `stty -a` once tnc has gone and then keeps the pane alive, so the terminal state it left
 * can still be read. Everything tnc writes to the terminal is also logged raw to `outputLog`
 * (tmux pipe-pane), so tests can search it for secrets.
 */
export function startTnc(
  session: TmuxSession,
  args: string[],
  options: { cols?: number; rows?: number; env?: Record<string, string>; outputLog?: string; redirect?: string } = {},
): TncRun {
  const status = mkdtempSync(join(tmpdir(), 'tnc-exit-'));
  const quoted = args.map((arg) => `'${arg}'`).join(' ');
  // Shell redirections of tnc's own stdio (e.g. `< /dev/null`), leaving the pane its terminal.
  const redirect = options.redirect === undefined ? '' : ` ${options.redirect}`;
  session.start(
    // With the flag the installed launcher (bin/tnc) gives node.
    `node --max-semi-space-size=2 '${TEST_ENTRY_PATH}' ${quoted}${redirect}; echo $? > '${status}/code.tmp'; stty -a > '${status}/stty'; mv '${status}/code.tmp' '${status}/code'; sleep 600`,
    { ...options, env: { TNC_TEST_KDF: TEST_KDF, ...options.env } },
  );
  if (options.outputLog) session.pipeOutput(options.outputLog);
  return {
    session,
    async exited(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!existsSync(join(status, 'code'))) {
        if (Date.now() > deadline) throw new Error(`tnc did not exit; screen was:\n${session.screen()}`);
        await sleep(50);
      }
      const result = {
        code: Number(readFileSync(join(status, 'code'), 'utf8')),
        stty: readFileSync(join(status, 'stty'), 'utf8'),
        ...session.paneState(),
        screen: session.screen(),
      };
      rmSync(status, { recursive: true, force: true });
      return result;
    },
  };
}

/** Every regular file below `dir`, with its bytes. */
export function filesBelow(dir: string): Array<{ path: string; bytes: Buffer }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, bytes: readFileSync(path) }));
}

/** The encodings a secret could be written in. */
export function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
}
