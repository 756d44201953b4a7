// Opt-in measurement (TNC_HEAVY=1): one full sweep of 1,000 simulated systems, 5% hung, at the
// product defaults. The simulator runs in a child process so that the CPU time and memory
// measured here are the poller's, the client's and the keyring's alone. Figures are printed,
// never asserted: budgets belong to the benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import type { SimSystemInfo } from '../../src/sim/types.js';
import { createKeyChecker } from '../../src/poller/key-checker.js';
import { Poller } from '../../src/poller/poller.js';
import { eachLimited, keyringFor, mintAndStore, waitFor, type TestKeyring } from './helpers.js';

const SYSTEMS = Number(process.env.TNC_HEAVY_SYSTEMS ?? 1000);
const HUNG = Array.from({ length: Math.floor(SYSTEMS / 20) }, (_, i) => 20 * i + 10);
const TIMEOUT_MS = Number(process.env.TNC_HEAVY_TIMEOUT_MS ?? 10_000);
const CONCURRENCY = Number(process.env.TNC_HEAVY_CONCURRENCY ?? 16);

/** The built standalone simulator, driven by its JSON-line protocol. */
class SimChild {
  private nextId = 0;
  private readonly replies = new Map<number, () => void>();
  private constructor(
    private readonly child: ChildProcess,
    readonly systems: SimSystemInfo[],
  ) {}

  static async start(systems: number): Promise<SimChild> {
    const main = new URL('../../dist/src/sim/main.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [main, '--systems', String(systems), '--fail-delay-ms', '5,20', '--rate-limit', '0'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    let sim: SimChild | undefined;
    const ready = new Promise<SimChild>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
      lines.on('line', (line) => {
        const message = JSON.parse(line) as { event?: string; systems?: SimSystemInfo[]; id?: number };
        if (message.event === 'ready') resolve((sim = new SimChild(child, message.systems!)));
        else if (message.id !== undefined) sim?.replies.get(message.id)?.();
      });
    });
    return ready;
  }

  fault(index: number, fault: string): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.child.stdin!.write(`${JSON.stringify({ cmd: 'fault', index, fault, id })}\n`);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }
}

describe.skipIf(!process.env.TNC_HEAVY)(`one sweep of ${SYSTEMS} systems`, () => {
  let sim: SimChild;
  let client: TrueNASClient;
  let keyring: TestKeyring;

  beforeAll(async () => {
    sim = await SimChild.start(SYSTEMS);
    keyring = await keyringFor(sim, () => 'jsonrpc');
    client = new TrueNASClient();
    await eachLimited(sim.systems, 16, (system) => mintAndStore(client, sim, keyring, system.index));
    await Promise.all(HUNG.map((index) => sim.fault(index, 'hang')));
  }, 900_000);

  afterAll(async () => {
    client?.close();
    await sim?.stop();
    await keyring?.cleanUp();
  });

  it('measures wall time, CPU time, peak RSS and event-loop delay', async () => {
    const checker = createKeyChecker(keyring.store, client, { timeoutMs: TIMEOUT_MS });
    const poller = new Poller({ check: checker.check, timeoutMs: TIMEOUT_MS, concurrency: CONCURRENCY, intervalMs: 3_600_000 });
    poller.setSystems(keyring.ids);
    let deliveries = 0;
    poller.subscribe(() => deliveries++);

    const sweep = async (label: string) => {
      const startRss = process.memoryUsage.rss();
      let peakRss = startRss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const before = new Map(poller.all().map((s) => [s.id, s.lastChecked]));
      const started = performance.now();
      const cpu = process.cpuUsage();
      deliveries = 0;
      if (label === 'first') poller.start();
      else poller.checkNow();
      await waitFor(() => poller.all().every((s) => s.lastChecked !== before.get(s.id)), 'a full sweep', 120_000);
      const wallMs = performance.now() - started;
      const { user, system } = process.cpuUsage(cpu);
      loop.disable();
      clearInterval(sampler);
      console.info(
        `${label} sweep of ${SYSTEMS} systems (${HUNG.length} hung, timeout ${TIMEOUT_MS} ms, concurrency ${CONCURRENCY}): ` +
          `wall ${(wallMs / 1000).toFixed(1)} s, CPU ${((user + system) / 1000).toFixed(0)} ms ` +
          `(user ${(user / 1000).toFixed(0)}, system ${(system / 1000).toFixed(0)}), RSS ${(startRss / 2 ** 20).toFixed(0)} -> peak ${(peakRss / 2 ** 20).toFixed(0)} MiB, ` +
          `event-loop delay p95 ${(loop.percentile(95) / 1e6).toFixed(1)} ms max ${(loop.max / 1e6).toFixed(1)} ms, ` +
          `${deliveries} deliveries`,
      );
    };

    await sweep('first');
    await sweep('second');
    poller.stop();
    checker.forget();

    const timedOut = poller.all().filter((s) => s.reason === 'timeout').length;
    expect(timedOut).toBe(HUNG.length);
    expect(poller.all().filter((s) => s.connected).length).toBe(SYSTEMS - HUNG.length);
  }, 600_000);
});
