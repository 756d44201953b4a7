// The TrueNAS simulator in a child process, so its work never shares the measured event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SimFault, SimSystemInfo } from '../src/sim/types.js';
import { SIM_MAIN } from './paths.js';

type Reply = Record<string, unknown> & { id?: number; ok?: boolean; error?: string };

export class SimProcess {
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private nextId = 1;

  private constructor(
    private readonly child: ChildProcess,
    readonly systems: SimSystemInfo[],
  ) {}

  private received(line: string): void {
    const reply = JSON.parse(line) as Reply;
    if (typeof reply.id !== 'number') return;
    this.pending.get(reply.id)?.(reply);
    this.pending.delete(reply.id);
  }

  /**
   * Failed logins answer at once and logins are not rate-limited: the benchmarks sign in 1,000
   * times. Every system has 10 alerts and 2 pools, as SPEC §10's memory budget says.
   */
  static async start(systems: number): Promise<SimProcess> {
    const args = ['--systems', String(systems), '--rate-limit', '0', '--fail-delay-ms', '0', '--alerts', '10', '--pools', '2'];
    const child = spawn(process.execPath, [SIM_MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    try {
      const ready = await new Promise<SimSystemInfo[]>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`simulator exited (${code}) before it was ready`)));
        lines.once('line', (line) => {
          const message = JSON.parse(line) as { event?: string; systems?: SimSystemInfo[] };
          if (message.event === 'ready' && message.systems) resolve(message.systems);
          else reject(new Error(`unexpected first line from the simulator: ${line.slice(0, 200)}`));
        });
      });
      const sim = new SimProcess(child, ready);
      lines.on('line', (line) => sim.received(line));
      return sim;
    } catch (error) {
      child.kill();
      throw error;
    }
  }

  /** The child's pid, to read its CPU time from /proc. */
  get pid(): number {
    return this.child.pid!;
  }

  async setFault(index: number, fault: SimFault): Promise<void> {
    const reply = await this.command({ cmd: 'fault', index, fault });
    if (!reply.ok) throw new Error(`simulator refused fault ${fault} on ${index}: ${reply.error}`);
  }

  /** Ends stdin (the simulator's cue to close every server) and waits for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }

  private command(command: Record<string, unknown>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin!.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }
}
