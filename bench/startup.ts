// Start to first full frame: tnc against the smallest Ink app, both spawned in a pty the same
// way, runs interleaved so that a slower moment of the machine hits both alike.
import { CLI, HELLO } from './paths.js';
import { CTRL_C, Pty } from './pty.js';
import { median, summary } from './stats.js';
import { relative, type BudgetResult } from './budget.js';

/** From spawn until the frame with every one of `expected` has arrived. */
async function timeToFrame(argv: string[], expected: string[], quitKeys?: string): Promise<number> {
  const pty = new Pty(argv);
  try {
    return (await pty.waitForText(...expected)) - pty.spawnedAt;
  } finally {
    await pty.stop(quitKeys);
  }
}

/**
 * `dataDirs` holds a locked keyring; tnc's first frame is the dashboard with the Unlock dialog
 * over it. The first data dir is the budget's figure, the others are reported alongside.
 */
export async function benchStartup(runs: number, dataDirs: Record<string, string>): Promise<BudgetResult> {
  const hello: number[] = [];
  const tnc: Record<string, number[]> = Object.fromEntries(Object.keys(dataDirs).map((name) => [name, []]));
  // One unmeasured start of each warms the file cache, as on a machine where tnc runs daily.
  await timeToFrame([process.execPath, HELLO], ['Hello, world']);
  for (let run = 0; run <= runs; run++) {
    for (const [name, dataDir] of Object.entries(dataDirs)) {
      const ms = await timeToFrame([process.execPath, CLI, '--data-dir', dataDir], ['TrueNAS Connect', 'Unlock Keyring', 'Esc cancel'], CTRL_C);
      if (run > 0) tnc[name]!.push(ms);
    }
    const ms = await timeToFrame([process.execPath, HELLO], ['Hello, world']);
    if (run > 0) hello.push(ms);
  }
  const [first] = Object.keys(dataDirs);
  return relative('start to first full frame: median vs a minimal Ink app', 'ms', median(tnc[first!]!), median(hello), 1.5, {
    hello: summary(hello),
    ...Object.fromEntries(Object.entries(tnc).map(([name, samples]) => [`tnc (${name})`, summary(samples)])),
  });
}
