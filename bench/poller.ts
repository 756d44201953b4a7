// The poller against 1,000 simulated systems (the simulator in a child process), wired as the
// app wires it: keyring store → key checker → TrueNAS client → Poller.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { KeyringStore } from '../store/keyring-store.js';
import { TrueNASClient } from '../src/client/client.js';
import { createKeyChecker } from '../src/poller/key-checker.js';
import { Poller, type PollerOptions } from '../src/poller/poller.js';
import type { SystemStatus } from '../src/poller/types.js';
import { PASSPHRASE } from './fixtures.js';
import { round } from './stats.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

interface Wired {
  poller: Poller;
  systems: number;
  /** Checks finished so far, whatever their outcome. */
  finished(): number;
  /** Resolves once `count` checks have finished in all. */
  whenFinished(count: number): Promise<void>;
  /** Key logins so far, all systems together (a kept session logs in once). */
  logins(): number;
  close(): void;
}

async function wire(dataDir: string, options: Omit<PollerOptions, 'check'>): Promise<Wired> {
  const store = await KeyringStore.open(dataDir);
  await store.unlock(PASSPHRASE);
  const client = new TrueNASClient({ timeoutMs: options.timeoutMs });
  const checker = createKeyChecker(store, client, { timeoutMs: options.timeoutMs });
  let finished = 0;
  let waiting: { count: number; resolve: () => void } | undefined;
  const poller = new Poller({
    ...options,
    check: async (id, signal) => {
      try {
        return await checker.check(id, signal);
      } finally {
        finished++;
        if (waiting && finished >= waiting.count) {
          waiting.resolve();
          waiting = undefined;
        }
      }
    },
  });
  const ids = store.listSystems().map((system) => system.id);
  poller.setSystems(ids);
  return {
    poller,
    systems: ids.length,
    finished: () => finished,
    whenFinished: (count) =>
      finished >= count ? Promise.resolve() : new Promise((resolve) => (waiting = { count, resolve })),
    logins: () => [...checker.logins().values()].reduce((sum, count) => sum + count, 0),
    close() {
      poller.stop();
      checker.forget();
      client.close();
      store.lock();
    },
  };
}

/** Resolves when every system has a status checked at or after `since` (ms since epoch). */
function sweepDone(poller: Poller, systems: number, since: number): Promise<SystemStatus[]> {
  return new Promise((resolve) => {
    const checked = new Map<string, SystemStatus>();
    const unsubscribe = poller.subscribe((changed) => {
      for (const status of changed) {
        if (!status.checking && (status.lastChecked ?? 0) >= since) checked.set(status.id, status);
      }
      if (checked.size === systems) {
        unsubscribe();
        resolve([...checked.values()]);
      }
    });
  });
}

/** How many systems show each Connected text (`True`, `False · reason`). */
export function tally(statuses: ReadonlyArray<{ connected: boolean | null | undefined; reason?: string | null }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { connected, reason } of statuses) {
    const key = connected ? 'True' : `False · ${reason ?? '?'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks are 100 Hz on Linux). */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface SweepFigures {
  sweepMs: number;
  cpuMs: number;
  simulatorCpuMs: number;
  outcomes: Record<string, number>;
  concurrency: number;
  timeoutMs: number;
}

/** One full sweep from start(): until every system has a fresh status. */
export async function benchSweep(dataDir: string, simulatorPid: number, concurrency = 16): Promise<SweepFigures> {
  const wired = await wire(dataDir, { timeoutMs: DEFAULT_TIMEOUT_MS, concurrency });
  try {
    const since = Date.now();
    const done = sweepDone(wired.poller, wired.systems, since);
    const simCpu = processCpuMs(simulatorPid);
    const cpu = process.cpuUsage();
    const started = performance.now();
    wired.poller.start();
    const statuses = await done;
    const sweepMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return {
      sweepMs: round(sweepMs),
      cpuMs: round((used.user + used.system) / 1000),
      simulatorCpuMs: processCpuMs(simulatorPid) - simCpu,
      outcomes: tally(statuses),
      concurrency,
      timeoutMs: DEFAULT_TIMEOUT_MS,
    };
  } finally {
    wired.close();
  }
}

/** In MB, after a full GC. RssAnon leaves out the mapped node binary and libraries. */
export interface MemoryReading {
  rss: number;
  rssAnon: number;
  heapUsed: number;
  external: number;
}

export interface MemoryFigures {
  sweeps: number;
  timeoutMs: number;
  /** Key logins per system over the run, and what that makes per hour at the default 30 s interval. */
  loginsPerSystem: number;
  loginsPerSystemPerHourAt30s: number;
  /** By sweep number; "0" is before the first check of this run (the process may have polled before). */
  at: Record<string, MemoryReading>;
  wallMs: number;
}

const MB = 1024 * 1024;

function reading(): MemoryReading {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  const anonKb = Number(/^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  return { rss: round(rss / MB), rssAnon: round((anonKb * 1024) / MB), heapUsed: round(heapUsed / MB), external: round(external / MB) };
}

/**
 * Back-to-back sweeps (interval and backoff cut to nothing), memory read after a full GC at
 * `checkpoints` (sweep numbers). Hung systems are bounded by a short timeout here, or 100
 * sweeps would take 100 timeouts at least.
 */
export async function benchMemory(dataDir: string, checkpoints: number[], timeoutMs: number): Promise<MemoryFigures> {
  const wired = await wire(dataDir, { timeoutMs, intervalMs: 1, maxBackoffMs: 1, jitter: 0, stallMs: Math.min(1000, timeoutMs / 2) });
  const at: Record<string, MemoryReading> = { 0: reading() };
  const started = performance.now();
  try {
    wired.poller.start();
    for (const sweep of checkpoints) {
      await wired.whenFinished(sweep * wired.systems);
      at[sweep] = reading();
    }
    const sweeps = Math.max(...checkpoints);
    const loginsPerSystem = wired.logins() / wired.systems;
    // The same checks 30 s apart take sweeps × 30 s: a login per check would be 120 an hour.
    const loginsPerSystemPerHourAt30s = (loginsPerSystem / (sweeps * 30)) * 3600;
    return {
      sweeps,
      timeoutMs,
      loginsPerSystem: round(loginsPerSystem, 2),
      loginsPerSystemPerHourAt30s: round(loginsPerSystemPerHourAt30s, 2),
      at,
      wallMs: round(performance.now() - started),
    };
  } finally {
    wired.close();
  }
}
