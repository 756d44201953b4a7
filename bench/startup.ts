// Start to first full frame: the installed tnc against the installed reference app, both
// spawned in a pty the same way, runs interleaved so that a slower moment of the machine hits
// both alike.
import { CTRL_C } from './pty.js';
import { spawnInPty, type Program, type Programs } from './programs.js';
import { median, round, summary } from './stats.js';
import { relative, type BudgetResult } from './budget.js';

const BUDGET = 1.1;

/** From spawn until the frame with every one of `expected` has arrived. */
async function timeToFrame(program: Program, args: string[], expected: string[]): Promise<number> {
  const pty = spawnInPty(program, args);
  try {
    return (await pty.waitForText(...expected)) - pty.spawnedAt;
  } finally {
    await pty.stop(CTRL_C);
  }
}

/**
 * `dataDirs` holds a locked keyring; tnc's first frame is the dashboard with the Unlock dialog
 * over it. The first data dir is the budget's figure, the others are reported alongside.
 */
export async function benchStartup(runs: number, dataDirs: Record<string, string>, programs: Programs): Promise<BudgetResult> {
  const hello: number[] = [];
  const helloBundled: number[] = [];
  const tnc: Record<string, number[]> = Object.fromEntries(Object.keys(dataDirs).map((name) => [name, []]));
  // Run 0 of each is not counted: it warms the file cache, as on a machine where tnc runs daily.
  for (let run = 0; run <= runs; run++) {
    for (const [name, dataDir] of Object.entries(dataDirs)) {
      const ms = await timeToFrame(programs.tnc, ['--data-dir', dataDir], ['TrueNAS Connect', 'Unlock Keyring', 'Esc cancel']);
      if (run > 0) tnc[name]!.push(ms);
    }
    const plain = await timeToFrame(programs.hello, [], ['Hello, world']);
    const bundled = await timeToFrame(programs.helloBundled, [], ['Hello, world']);
    if (run > 0) {
      hello.push(plain);
      helloBundled.push(bundled);
    }
  }
  const [first] = Object.keys(dataDirs);
  const figure = median(tnc[first!]!);
  return relative(`start to first full frame, installed package, ${first}: median vs a minimal Ink app installed the same way`, 'ms', figure, median(hello), BUDGET, {
    hello: summary(hello),
    // The same app bundled as tnc is: the ratio to it is what tnc's own work costs.
    helloBundled: { ...summary(helloBundled), ratio: round(figure / median(helloBundled), 3) },
    ...Object.fromEntries(Object.entries(tnc).map(([name, samples]) => [`tnc (${name})`, summary(samples)])),
  });
}
