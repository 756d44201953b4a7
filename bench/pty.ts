// A program in a real pseudo-terminal, driven from this process without polling: util-linux
// `script` owns the pty, its stdin/stdout are our pipes, and every output chunk is examined
// the moment it arrives, so a frame's arrival time is known to well under a millisecond.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface PtyOptions {
  cols?: number;
  rows?: number;
  env?: NodeJS.ProcessEnv;
}

/** Bytes of keys as a terminal sends them in raw mode. */
export const CTRL_C = '\x03';
export const ESC = '\x1b';

/** Synchronized output: a frame drawn between these shows at once (tnc's writer and Ink both use it). */
const BEGIN_SYNC = '\x1b[?2026h';
const END_SYNC = '\x1b[?2026l';

/** No frame is half drawn: every synchronized update begun in `raw` has ended. */
export function noFrameOpen(raw: string): boolean {
  return raw.lastIndexOf(END_SYNC) >= raw.lastIndexOf(BEGIN_SYNC);
}

// CSI (with private/intermediate bytes), OSC, and two-byte escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Programs still running: killed if the benchmark itself ends early (Ctrl+C, a crash). */
const live = new Set<Pty>();
process.on('exit', () => {
  for (const pty of live) pty.kill();
});

interface Waiter {
  test: (text: string, raw: string) => boolean;
  resolve: (at: number) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class Pty {
  /** performance.now() just before the spawn. */
  readonly spawnedAt: number;
  readonly exited: Promise<void>;
  private readonly script: ChildProcess;
  private raw = '';
  /** performance.now() when the last chunk arrived. */
  private lastArrival = 0;
  private waiter: Waiter | undefined;
  private quietTimer: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private exitError: Error | undefined;

  constructor(argv: readonly string[], { cols = 120, rows = 40, env = process.env }: PtyOptions = {}) {
    // `script` gives the pty no size when its own stdin is not a terminal; stty sets it before exec.
    const command = `stty cols ${cols} rows ${rows}; exec ${argv.map(shellQuote).join(' ')}`;
    const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...cleanEnv } = env;
    this.spawnedAt = performance.now();
    this.script = spawn('script', ['-qfec', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...cleanEnv, TERM: 'xterm-256color' },
    });
    this.script.stdout!.setEncoding('utf8');
    this.script.stdout!.on('data', (chunk: string) => this.received(chunk));
    let stderr = '';
    this.script.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.script.once('close', (code, signal) => {
        live.delete(this);
        if (this.quietTimer) {
          clearTimeout(this.quietTimer.timer);
          this.quietTimer.resolve();
        }
        this.exitError = new Error(`program exited (${signal ?? code}) ${stderr.trim()}\nlast output: ${this.text().slice(-2000)}`);
        if (this.waiter) this.settle()?.reject(this.exitError);
        resolve();
      });
    });
  }

  /** Output since the last mark(), without escape sequences. */
  text(): string {
    return stripAnsi(this.raw);
  }

  /** Forgets the output so far: the next waitFor looks only at what comes after. */
  mark(): void {
    this.raw = '';
  }

  /**
   * Resolves with the arrival time (performance.now()) of the chunk after which `test` holds
   * for the output since mark(), without escape sequences (`text`) and as written (`raw`).
   */
  waitFor(test: (text: string, raw: string) => boolean, timeoutMs = 30_000): Promise<number> {
    if (this.waiter) throw new Error('one waitFor at a time');
    if (this.exitError) return Promise.reject(this.exitError);
    if (test(this.text(), this.raw)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle();
        reject(new Error(`timed out after ${timeoutMs} ms; output since mark:\n${this.text().slice(-3000)}`));
      }, timeoutMs);
      this.waiter = { test, resolve, reject, timer };
    });
  }

  waitForText(...parts: string[]): Promise<number> {
    return this.waitFor((text) => parts.every((part) => text.includes(part)));
  }

  /** Resolves once no output has come for `ms` (say, the start-up renders are over). */
  waitQuiet(ms: number): Promise<void> {
    if (this.quietTimer) throw new Error('one waitQuiet at a time');
    return new Promise((resolve) => {
      const done = () => {
        this.quietTimer = undefined;
        resolve();
      };
      this.quietTimer = { timer: setTimeout(done, ms), resolve: done };
    });
  }

  /**
   * Sends `bytes` and times the answer from just before the write: to the first output, and to
   * the chunk after which `done` holds (see waitFor).
   */
  async timeAnswer(bytes: string, done: (text: string, raw: string) => boolean, timeoutMs = 10_000): Promise<{ firstByteMs: number; doneMs: number }> {
    this.mark();
    const sent = this.write(bytes);
    let firstAt: number | undefined;
    const doneAt = await this.waitFor((text, raw) => {
      if (raw !== '') firstAt ??= this.lastArrival;
      return done(text, raw);
    }, timeoutMs);
    return { firstByteMs: firstAt! - sent, doneMs: doneAt - sent };
  }

  /** The program's pid (the child of `script`), while it runs. */
  programPid(): number | undefined {
    return this.childPids()[0];
  }

  /** Sends bytes as typed; returns performance.now() taken just before the write. */
  write(bytes: string): number {
    const at = performance.now();
    this.script.stdin!.write(bytes);
    return at;
  }

  /** Sends `quitKeys` (if any), then kills whatever is still running after `graceMs`. */
  async stop(quitKeys?: string, graceMs = 5_000): Promise<void> {
    if (!live.has(this)) return;
    if (quitKeys !== undefined) this.write(quitKeys);
    const timer = setTimeout(() => this.kill(), quitKeys === undefined ? 0 : graceMs);
    await this.exited;
    clearTimeout(timer);
    this.script.stdin!.destroy();
  }

  /** The program under `script` runs in its own session, out of reach of a group kill: both go. */
  kill(): void {
    for (const pid of [...this.childPids(), this.script.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private received(chunk: string): void {
    const at = performance.now();
    this.lastArrival = at;
    this.raw += chunk;
    if (this.quietTimer) this.quietTimer.timer.refresh();
    if (this.waiter?.test(this.text(), this.raw)) this.settle()!.resolve(at);
  }

  private settle(): Waiter | undefined {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) clearTimeout(waiter.timer);
    return waiter;
  }

  private childPids(): number[] {
    try {
      const pid = this.script.pid!;
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }
}
