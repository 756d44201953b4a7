// Child process for the poller benchmarks: its RSS is the poller's, not the harness's.
// Run with --expose-gc; argv[2] is a JSON PollerJob; prints one JSON line of PollerFigures.
import { benchMemory, benchSweep, type MemoryFigures, type SweepFigures } from './poller.js';

export interface PollerJob {
  /** A keyring (passphrase PASSPHRASE) with a working key for every simulated system. */
  dataDir: string;
  simulatorPid: number;
  /** Sweep numbers at which memory is read; the last is how many sweeps run. */
  checkpoints: number[];
  memoryTimeoutMs: number;
}

export interface PollerFigures {
  sweep: SweepFigures;
  memory: MemoryFigures;
}

const job = JSON.parse(process.argv[2]!) as PollerJob;
const sweep = await benchSweep(job.dataDir, job.simulatorPid);
const memory = await benchMemory(job.dataDir, job.checkpoints, job.memoryTimeoutMs);
process.stdout.write(`${JSON.stringify({ sweep, memory } satisfies PollerFigures)}\n`);
