// `tnc status` as a script runs it: the built program from spawn to exit, the passphrase on a
// descriptor, over every simulated system (some hung), at the data directory's reduced KDF.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { PASSPHRASE } from './fixtures.js';
import { CLI } from './paths.js';
import { tally } from './poller.js';
import { round } from './stats.js';

export interface StatusFigures {
  wallMs: number;
  exitCode: number | null;
  /** Systems by what `status --json` said of them: `True`, or `False · <reason>`. */
  outcomes: Record<string, number>;
  timeoutMs: number;
}

interface Row {
  connected: boolean;
  reason: string | null;
}

export async function benchStatus(dataDir: string, timeoutMs: number): Promise<StatusFigures> {
  const args = ['status', '--data-dir', dataDir, '--json', '--timeout', String(timeoutMs / 1000), '--passphrase-fd', '3'];
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const passphrase = child.stdio[3] as Writable;
  // tnc may exit without reading it; its own error then says why, not an EPIPE from here.
  passphrase.on('error', () => undefined);
  passphrase.end(`${PASSPHRASE}\n`);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const wallMs = performance.now() - started;
  if (stdout === '') throw new Error(`tnc status printed nothing (exit ${exitCode}): ${stderr.trim()}`);
  return { wallMs: round(wallMs), exitCode, outcomes: tally(JSON.parse(stdout) as Row[]), timeoutMs };
}
