import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH } from './run-cli.js';
import { TmuxSession } from './tmux.js';

/** Argon2id lowered for speed; one store test keeps the defaults. */
export const TEST_KDF = '1,8';

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Starts the built tnc in a tmux pseudo-terminal. Everything it writes to the terminal is
 * also logged raw to `outputLog` (tmux pipe-pane), so tests can search it for secrets.
 */
export function startTnc(
  session: TmuxSession,
  args: string[],
  options: { cols?: number; rows?: number; env?: Record<string, string>; outputLog?: string; afterExit?: string } = {},
): void {
  const quoted = args.map((arg) => `'${arg}'`).join(' ');
  const after = options.afterExit ? `; ${options.afterExit}` : '';
  session.start(`node '${CLI_PATH}' ${quoted}${after}`, options);
  if (options.outputLog) session.pipeOutput(options.outputLog);
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
