import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Key names tmux understands (`send-keys` without -l). */
export type TmuxKey = 'Enter' | 'Escape' | 'Tab' | 'BTab' | 'Up' | 'Down' | 'Left' | 'Right' | 'PPage' | 'NPage' | 'BSpace' | 'C-c';

let counter = 0;

/**
 * A real pseudo-terminal: the program runs in a detached tmux session on a private server,
 * keys go in with send-keys, the screen comes out with capture-pane.
 */
export class TmuxSession {
  readonly socket = `tnc-test-${process.pid}-${counter++}`;
  readonly name = 'tnc';

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` (a shell command line) in a `cols`×`rows` terminal; CI is unset so Ink draws every frame. */
  start(command: string, { cols = 100, rows = 30, env = {} }: { cols?: number; rows?: number; env?: Record<string, string> } = {}): void {
    const exports = Object.entries({ TERM: 'xterm-256color', ...env })
      .map(([key, value]) => `export ${key}='${value.replace(/'/g, "'\\''")}';`)
      .join(' ');
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', this.name, '-x', String(cols), '-y', String(rows), `unset CI; ${exports} ${command}`);
  }

  /** Types text literally, one character per send so the program sees separate key presses. */
  async type(text: string): Promise<void> {
    for (const char of text) {
      this.tmux('send-keys', '-t', this.name, '-l', char);
      await sleep(5);
    }
  }

  press(...keys: TmuxKey[]): void {
    for (const key of keys) this.tmux('send-keys', '-t', this.name, key);
  }

  /** Sends a signal to the pane's processes named `name` (the program, not the shell around it). */
  signal(signal: string, name: string): void {
    execFileSync('pkill', [`-${signal}`, '-P', this.panePid(), '-x', name]);
  }

  /** The pid of the shell that runs the command in the pane. */
  panePid(): string {
    return this.tmux('display-message', '-p', '-t', this.name, '#{pane_pid}').trim();
  }

  /** Appends every byte the program writes to the terminal to `file`. */
  pipeOutput(file: string): void {
    this.tmux('pipe-pane', '-o', '-t', this.name, `cat >> '${file}'`);
  }

  resize(cols: number, rows: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** tmux's own view of the pane: whether the program left the alternate screen and cursor on. */
  paneState(): { alternateOn: boolean; cursorVisible: boolean } {
    const [alternate, cursor] = this.tmux('display-message', '-p', '-t', this.name, '#{alternate_on} #{cursor_flag}').trim().split(' ');
    return { alternateOn: alternate === '1', cursorVisible: cursor === '1' };
  }

  async waitFor(expected: string | RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < deadline) {
      screen = this.screen();
      if (typeof expected === 'string' ? screen.includes(expected) : expected.test(screen)) return screen;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${String(expected)}; screen was:\n${screen}`);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
