import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { KEYRING_FILE, type KeyringStore } from '../store/keyring-store.js';
import type { CliOptions } from './cli-args.js';
import type { SimSystemInfo } from './sim/types.js';

export interface Demo {
  dataDir: string;
  /** What the dashboard shows so a newcomer knows how to sign in. */
  lines: string[];
  /** Lists and pins the simulator's systems in the store (updating them on a reused data dir). */
  registerSystems(store: KeyringStore): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
/** Marks a data directory the demo made, so `--demo --data-dir` can be pointed at it again. */
const DEMO_MARKER = 'demo-data-dir';

/**
 * `--demo --data-dir DIR` lists simulated systems in DIR's keyring: never in a real one. DIR
 * must be new, or one an earlier demo made.
 */
function claimDemoDataDir(dataDir: string): void {
  const marker = join(dataDir, DEMO_MARKER);
  if (existsSync(marker)) return;
  if (existsSync(join(dataDir, KEYRING_FILE))) {
    throw new Error(`--demo will not use ${dataDir}: it holds a keyring that is not a demo's (use another --data-dir, or none)`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(marker, 'Made by tnc --demo: its keyring lists simulated systems only.\n', { mode: 0o600 });
}
const OTP_SYSTEM = 1;
const REST_ONLY_SYSTEM = 2;

function simulatorArgs(systems: number): string[] {
  const versions = Array.from({ length: systems }, (_, i) => (i === REST_ONLY_SYSTEM ? '24.10' : '25.10'));
  // A real server's failed-login delay (1–2.5 s) is kept small so the demo stays brisk. The
  // scenario gives the first system a degraded pool and a critical alert, the second an
  // update: every dashboard column has something to show.
  const args = ['--systems', String(systems), '--versions', versions.join(','), '--fail-delay-ms', '300,600', '--scenario', 'demo'];
  if (systems > OTP_SYSTEM) args.push('--otp-system', String(OTP_SYSTEM));
  return args;
}

function waitForReady(child: ChildProcess): Promise<SimSystemInfo[]> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('demo simulator did not start in time')), READY_TIMEOUT_MS);
    const settle = () => {
      clearTimeout(timer);
      lines.removeAllListeners('line');
    };
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line) as { event?: string; systems?: SimSystemInfo[] };
        if (message.event === 'ready' && message.systems) {
          settle();
          resolve(message.systems);
        }
      } catch {
        // Not the ready line.
      }
    });
    child.once('exit', (code) => {
      settle();
      reject(new Error(`demo simulator exited (code ${code}) before it was ready`));
    });
  });
}

function describe(systems: SimSystemInfo[]): string[] {
  const admin = systems[0]?.users[0];
  const lines = [
    `Demo: ${systems.length} simulated TrueNAS systems on this machine. Sign in as ${admin?.username ?? 'truenas_admin'} / ${admin?.password ?? 'truenas-demo'}.`,
  ];
  for (const system of systems) {
    const otpUser = system.users.find((user) => user.otp);
    if (otpUser) lines.push(`${system.hostname} has 2FA: ${otpUser.username} / ${otpUser.password}, code ${otpUser.otp}.`);
    if (system.version === '24.10') lines.push(`${system.hostname} runs TrueNAS 24.10 (REST only).`);
  }
  return lines;
}

export async function startDemo(options: CliOptions): Promise<Demo> {
  if (options.dataDir) claimDemoDataDir(options.dataDir);
  const ownDataDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'tnc-demo-'));
  const simMain = new URL('./sim/main.js', import.meta.url);
  // A child process: the simulator's work never competes with the UI's event loop.
  const child = spawn(process.execPath, [simMain.pathname, ...simulatorArgs(options.demoSystems)], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const cleanUp = () => {
    child.kill('SIGTERM');
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  let systems: SimSystemInfo[];
  try {
    systems = await waitForReady(child);
  } catch (error) {
    cleanUp();
    throw error;
  }
  return {
    dataDir: ownDataDir ?? options.dataDir!,
    lines: describe(systems),
    async registerSystems(store) {
      for (const system of systems) {
        const known = store.listSystems().find((record) => record.name === system.hostname);
        const fields = { address: system.url, fingerprint: system.fingerprint };
        if (known) await store.updateSystem(known.id, fields);
        else await store.addSystem({ name: system.hostname, ...fields });
      }
    },
    async stop() {
      process.removeListener('exit', cleanUp);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      cleanUp();
      if (child.exitCode === null && child.signalCode === null) await exited;
    },
  };
}
