// Key press to updated frame in a pty: the time from writing `j`/`k` to the arrival of the
// output that draws the cursor on the row it moved to.
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI } from './paths.js';
import { CTRL_C, ESC, Pty } from './pty.js';
import { systemName } from './fixtures.js';
import { percentile, summary } from './stats.js';

/** About the auto-repeat rate of a held key. */
const PACE_MS = 30;
const QUIET_MS = 300;

export interface KeyPressFigures {
  p95: number;
  summary: ReturnType<typeof summary>;
  /** Wall time the presses took: what they overlapped with. */
  spanMs: number;
}

export interface KeyPressSession {
  /** Presses `count` keys (down, then back up) and measures each one. */
  measure(count: number): Promise<KeyPressFigures>;
  stop(): Promise<void>;
}

/**
 * Starts tnc on `dataDir` (a locked keyring; system i named systemName(i)), waits for the
 * Unlock dialog and answers it: with the passphrase, or with Esc to stay locked.
 */
export async function startTnc(
  dataDir: string,
  answer: { passphrase: string } | 'stay locked',
  size: { cols: number; rows: number },
): Promise<KeyPressSession> {
  const pty = new Pty([process.execPath, CLI, '--data-dir', dataDir], size);
  let cursor = 0;
  const session: KeyPressSession = {
    async measure(count) {
      const samples: number[] = [];
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        const down = i < count / 2;
        cursor += down ? 1 : -1;
        const row = `› ${systemName(cursor)}`;
        pty.mark();
        const sent = pty.write(down ? 'j' : 'k');
        samples.push((await pty.waitFor((text) => text.includes(row), 10_000)) - sent);
        await sleep(PACE_MS);
      }
      return { p95: percentile(samples, 95), summary: summary(samples), spanMs: Math.round(performance.now() - started) };
    },
    stop: () => pty.stop(CTRL_C),
  };
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
    return session;
  } catch (error) {
    await session.stop();
    throw error;
  }
}
