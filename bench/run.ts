// `npm run bench [-- --quick]`: measures every budget of SPEC §10 in one invocation, prints one
// JSON object on stdout and writes it to bench/results.json. Progress goes to stderr.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EXIT_NOT_CONNECTED } from '../src/commands/output.js';
import { absolute, type BudgetResult } from './budget.js';
import { copyDataDir, PASSPHRASE, prepareOfflineDataDir, prepareSimDataDir } from './fixtures.js';
import { startHello, startTnc, type KeyPressFigures, type KeyPressSession } from './keypress.js';
import { POLLER_MAIN } from './paths.js';
import { installPrograms, type Terminal } from './programs.js';
import type { PollerFigures, PollerJob } from './poller-main.js';
import { DEFAULT_TIMEOUT_MS } from './poller.js';
import { SimProcess } from './sim-process.js';
import { benchStatus } from './status.js';
import { round } from './stats.js';
import { benchStartup } from './startup.js';
import { benchUnlock, useDefaultKdf } from './unlock.js';

interface Plan {
  systems: number;
  startupRuns: number;
  /** Key presses per measurement (half down, half back up). */
  presses: number;
  unlockRuns: number;
  /** Memory is read after sweep 1, `baseline` and `sweeps`; growth is from baseline to the end. */
  memory: { baseline: number; sweeps: number };
}

const FULL: Plan = { systems: 1000, startupRuns: 10, presses: 200, unlockRuns: 5, memory: { baseline: 20, sweeps: 100 } };
const QUICK: Plan = { systems: 100, startupRuns: 3, presses: 40, unlockRuns: 1, memory: { baseline: 25, sweeps: 50 } };

/** Hung systems of the poller budget: every 20th, 5%. */
const HUNG_EVERY = 20;
/** Bounds hung checks in the memory run, which would otherwise take 100 × 10 s at least. */
const MEMORY_TIMEOUT_MS = 1_000;
/** The terminal of the key press budget; 80x24 is reported beside it. */
const WIDE = { cols: 120, rows: 40 };
const RESULTS = fileURLToPath(new URL('../../bench/results.json', import.meta.url));
const MB_BUDGET = 150;
/** RSS may rise this much from the baseline sweep to the last before it counts as growing. */
const GROWTH_ALLOWED = 0.05;
const KEY_PRESS_BUDGET_MS = 8;
const KEY_PRESS_DURING_SWEEP_BUDGET_MS = 16;

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function keyPresses(started: Promise<KeyPressSession>, presses: number): Promise<KeyPressFigures> {
  const session = await started;
  try {
    return await session.measure(presses);
  } finally {
    await session.stop();
  }
}

/** The poller runs with the V8 flags tnc's launcher (bin/tnc) gives node. */
async function runPoller(job: PollerJob): Promise<PollerFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--max-semi-space-size=2', POLLER_MAIN, JSON.stringify(job)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as PollerFigures;
}

/** The p95 of first byte and frame end against the budget, each beside the reference app's. */
function keyPressResult(what: string, figures: KeyPressFigures, budgetMs: number, hello: KeyPressFigures, details: Record<string, unknown> = {}): BudgetResult {
  const { firstByte, frameEnd, spanMs, rssMb } = figures;
  return absolute(what, 'ms', figures.p95, budgetMs, {
    firstByte,
    frameEnd,
    p95VsHello: { firstByte: round(firstByte.p95 / hello.firstByte.p95, 2), frameEnd: round(frameEnd.p95 / hello.frameEnd.p95, 2) },
    hello: { firstByte: hello.firstByte, frameEnd: hello.frameEnd },
    spanMs,
    rssMb,
    ...details,
  });
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const plan = quick ? QUICK : FULL;
  const began = Date.now();
  const root = await mkdtemp(join(tmpdir(), 'tnc-bench-'));
  const dir = (name: string) => join(root, name);
  let sim: SimProcess | undefined;
  const budgets: Record<string, BudgetResult> = {};
  try {
    progress(`preparing data directories (${plan.systems} systems)`);
    await prepareOfflineDataDir(dir('ten'), 10);
    await prepareOfflineDataDir(dir('offline'), plan.systems);

    progress('packing and installing tnc and the reference app');
    const programs = await installPrograms(dir('programs'));

    progress('start to first frame');
    budgets.startToFirstFrame = await benchStartup(plan.startupRuns, {
      '10 systems': dir('ten'),
      [`${plan.systems} systems`]: dir('offline'),
    }, programs);

    progress('key press to frame, locked keyring, idle poller');
    const tncKeys = (dataDir: string, answer: Parameters<typeof startTnc>[2], size: Terminal = WIDE) => startTnc(programs.tnc, dataDir, answer, size);
    const hello = await keyPresses(startHello(programs.hello, WIDE), plan.presses);
    const wide = await keyPresses(tncKeys(dir('offline'), 'stay locked'), plan.presses);
    const small = await keyPresses(tncKeys(dir('offline'), 'stay locked', { cols: 80, rows: 24 }), plan.presses / 2);
    budgets.keyPress = keyPressResult(
      `key press to updated frame, ${plan.systems} systems, ${WIDE.cols}x${WIDE.rows} terminal: p95 of first byte and of frame end`,
      wide,
      KEY_PRESS_BUDGET_MS,
      hello,
      { at80x24: { firstByte: small.firstByte, frameEnd: small.frameEnd } },
    );

    progress('unlock at the default KDF parameters');
    await copyDataDir(dir('offline'), dir('unlock'));
    await useDefaultKdf(dir('unlock'));
    budgets.unlock = await benchUnlock(dir('unlock'), plan.unlockRuns);

    progress(`simulator with ${plan.systems} systems; signing in to each`);
    sim = await SimProcess.start(plan.systems);
    await prepareSimDataDir(dir('sim'), sim);
    for (let i = 0; i < plan.systems; i += HUNG_EVERY) await sim.setFault(i, 'hang');
    const hung = Math.ceil(plan.systems / HUNG_EVERY);

    progress('key press to frame during the first sweep after unlock');
    await copyDataDir(dir('sim'), dir('tui'));
    const duringSweep = await keyPresses(tncKeys(dir('tui'), { passphrase: PASSPHRASE }), plan.presses);

    progress(`tnc status over ${plan.systems} systems`);
    await copyDataDir(dir('sim'), dir('status'));
    const status = await benchStatus(dir('status'), DEFAULT_TIMEOUT_MS);
    budgets.status = absolute(
      `tnc status, ${plan.systems} systems, ${hung} hung, reduced KDF, --timeout ${DEFAULT_TIMEOUT_MS / 1000} s: wall <= timeout + 5 s`,
      'ms',
      status.wallMs,
      DEFAULT_TIMEOUT_MS + 5_000,
      { ...status },
      status.exitCode === EXIT_NOT_CONNECTED && status.outcomes['False · timeout'] === hung,
    );

    const { baseline, sweeps } = plan.memory;
    progress(`poller: one sweep, then ${sweeps} sweeps for memory`);
    const poller = await runPoller({
      dataDir: dir('sim'),
      simulatorPid: sim.pid,
      checkpoints: [1, baseline, sweeps],
      memoryTimeoutMs: MEMORY_TIMEOUT_MS,
    });
    const { sweep, memory } = poller;
    budgets.pollSweep = absolute(
      `one full sweep of ${plan.systems} systems, ${hung} hung, --timeout ${DEFAULT_TIMEOUT_MS / 1000} s: <= timeout + 5 s`,
      'ms',
      sweep.sweepMs,
      DEFAULT_TIMEOUT_MS + 5_000,
      { ...sweep },
    );
    budgets.keyPressDuringSweep = keyPressResult(
      `key press to updated frame during the first sweep after unlock (${plan.systems} systems, ${hung} hung): p95 of first byte and of frame end`,
      duringSweep,
      KEY_PRESS_DURING_SWEEP_BUDGET_MS,
      hello,
      { sweepMsInProcess: sweep.sweepMs },
    );
    budgets.uiMemory = absolute(
      `RSS of tnc itself (VmRSS), ${plan.systems} systems, after key presses during its first sweep: <= ${MB_BUDGET} MB`,
      'MB',
      duringSweep.rssMb,
      MB_BUDGET,
      { lockedIdle: wide.rssMb, hello: hello.rssMb },
    );
    const rss = (sweep: number) => memory.at[sweep]!.rss;
    const growth = rss(sweeps) - rss(baseline);
    const allowed = rss(baseline) * GROWTH_ALLOWED;
    budgets.memory = absolute(
      `RSS after ${sweeps} sweeps of ${plan.systems} systems (after GC): <= ${MB_BUDGET} MB and not growing since sweep ${baseline}`,
      'MB',
      rss(sweeps),
      MB_BUDGET,
      { ...memory, growthMb: round(growth), growthAllowedMb: round(allowed) },
      growth <= allowed,
    );
  } finally {
    await sim?.stop();
    await rm(root, { recursive: true, force: true });
  }
  const report = {
    quick,
    node: process.version,
    cpus: cpus().length,
    wallSeconds: Math.round((Date.now() - began) / 1000),
    ok: Object.values(budgets).every((result) => result.ok),
    budgets,
  };
  const json = JSON.stringify(report, null, 2);
  await writeFile(RESULTS, `${json}\n`);
  process.stdout.write(`${json}\n`);
}

// Exit through process.exit, so that programs still running in a pty are killed on the way.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

await main();
