// Key press to updated frame, from outside in a pty: from writing `j`/`k` to the first byte of
// the answer, and to the end of the frame that shows the cursor on the row it moved to (the
// end of its synchronized update). The same presses go to the reference app for the floor.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnInPty, type Program, type Terminal } from './programs.js';
import { CTRL_C, ESC, noFrameOpen, Pty } from './pty.js';
import { systemName } from './names.js';
import { percentile, round, summary } from './stats.js';

/** About the auto-repeat rate of a held key. */
const PACE_MS = 30;
const QUIET_MS = 300;

export interface KeyPressFigures {
  firstByte: ReturnType<typeof summary>;
  frameEnd: ReturnType<typeof summary>;
  /** The budget's figure: the larger p95 of the two. */
  p95: number;
  /** Wall time the presses took: what they overlapped with. */
  spanMs: number;
  /** The program's resident memory (VmRSS) after the presses, in MB. */
  rssMb: number;
}

export interface KeyPressSession {
  /** Presses `count` keys (down, then back up) and measures each one. */
  measure(count: number): Promise<KeyPressFigures>;
  stop(): Promise<void>;
}

function residentMb(pid: number | undefined): number {
  const kb = pid === undefined ? NaN : Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return round(kb / 1024);
}

/** A program in `pty` that shows `› systemName(i)` for its cursor row and moves it with j/k. */
function session(pty: Pty): KeyPressSession {
  let cursor = 0;
  return {
    async measure(count) {
      const firstByte: number[] = [];
      const frameEnd: number[] = [];
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const down = i < count / 2;
        cursor += down ? 1 : -1;
        const row = `› ${systemName(cursor)}`;
        const { firstByteMs, doneMs } = await pty.timeAnswer(down ? 'j' : 'k', (text, raw) => text.includes(row) && noFrameOpen(raw));
        firstByte.push(firstByteMs);
        frameEnd.push(doneMs);
        await sleep(PACE_MS);
      }
      return {
        firstByte: summary(firstByte),
        frameEnd: summary(frameEnd),
        p95: round(Math.max(percentile(firstByte, 95), percentile(frameEnd, 95))),
        spanMs: Math.round(performance.now() - started),
        rssMb: residentMb(pty.programPid()),
      };
    },
    stop: () => pty.stop(CTRL_C),
  };
}

/**
 * Starts tnc (the installed bin) on `dataDir` (a locked keyring; system i named
 * systemName(i)), waits for the Unlock dialog and answers it: with the passphrase, or with Esc
 * to stay locked.
 */
export async function startTnc(
  program: Program,
  dataDir: string,
  answer: { passphrase: string } | 'stay locked',
  size: Terminal,
): Promise<KeyPressSession> {
  const pty = spawnInPty(program, ['--data-dir', dataDir], size);
  const started = session(pty);
  try {
    await pty.waitForText('Unlock Keyring', 'Esc cancel');
    pty.mark();
    if (answer === 'stay locked') {
      pty.write(ESC);
      await pty.waitForText(`› ${systemName(0)}`, 'q quit');
      // The poller's first round ('locked' for every system) redraws rows for a moment.
      await pty.waitQuiet(QUIET_MS);
    } else {
      pty.write(`${answer.passphrase}\r`);
      await pty.waitForText('Keyring unlocked');
    }
    return started;
  } catch (error) {
    await started.stop();
    throw error;
  }
}

/** Starts the reference app (its installed bin). */
export async function startHello(program: Program, size: Terminal): Promise<KeyPressSession> {
  const pty = spawnInPty(program, [], size);
  const started = session(pty);
  try {
    await pty.waitForText('Hello, world', `› ${systemName(0)}`);
    return started;
  } catch (error) {
    await started.stop();
    throw error;
  }
}
