// The standalone simulator: options → ready line → JSON-line commands until stopped.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SIM_USAGE, UsageError, parseSimArgs } from './cli-options.js';
import { readyLine, runCommand } from './control.js';
import { startSimulator } from './simulator.js';

export interface SimCliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Aborted on SIGTERM/SIGINT. */
  stop: AbortSignal;
}

/** Runs until stdin ends or `stop` aborts; resolves with the exit code. */
export async function runSimCli(argv: string[], io: SimCliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${SIM_USAGE}\n`);
    return 0;
  }
  let options;
  try {
    options = parseSimArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`tnc-sim: ${err.message}\n${SIM_USAGE}\n`);
    return 2;
  }
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    io.stderr.write(`tnc-sim: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(`${readyLine(sim)}\n`);

  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  // Commands run one at a time so replies come back in the order the commands were sent.
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    queue = queue.then(async () => {
      if (!io.stop.aborted) io.stdout.write(`${JSON.stringify(await runCommand(sim, line))}\n`);
    });
  });
  await new Promise<void>((resolve) => {
    lines.once('close', resolve);
    if (io.stop.aborted) resolve();
    io.stop.addEventListener('abort', () => resolve(), { once: true });
  });
  lines.close();
  await queue;
  await sim.close();
  return 0;
}
