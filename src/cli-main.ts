// The program: arguments, the checks that come before any terminal work, the full-screen
// run and every way out of it. `src/cli.ts` is the installed entry; tests start it through
// an entry of their own that adds the hooks below (not in the package).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { KdfParams } from '../store/types.js';
import { readCaFile } from './ca-file.js';
import { parseCli, resolveDataDir, USAGE, UsageError, type CliOptions } from './cli-args.js';
import { isCommandName, parseCommand } from './commands/args.js';
import { enterFullScreen, type FullScreen } from './terminal.js';

const EXIT_FATAL = 1;
const EXIT_USAGE = 2;
/** After SIGHUP or SIGTERM, the clean-up (SPEC §8: within 2 s) must not keep the process for long. */
const SIGNAL_EXIT_MS = 2_500;

/** What only tests may change: a cheaper KDF for new keyrings, and an injected crash. */
export interface TestHooks {
  kdf?: KdfParams;
  /** Throw an uncaught error when SIGUSR2 arrives: a test sends it once the first frame is up. */
  crashOnSignal?: boolean;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

let screen: FullScreen | undefined;
/** SIGHUP or SIGTERM arrived: the run ends with the clean-up of keys, then exits 1. */
let signalled = false;

function fail(code: number, message: string): never {
  // Leave the alternate screen first, or the message would vanish with it.
  screen?.restore();
  process.stderr.write(`tnc: ${message}\n`);
  process.exit(code);
}

/** Errors may carry secrets in nested fields or stacks: only the first line of the message is shown. */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? 'unknown error';
}

async function run(options: CliOptions, ca: Buffer | undefined, hooks: TestHooks): Promise<number> {
  // The UI lives in components/, which sit above src/: the entry point is the one place that
  // reaches up, lazily, so `--help` and the no-TTY error never load React. It starts loading
  // now, while the store opens (and the demo's simulator starts).
  const app = import('../components/run.js');
  app.catch(() => undefined);
  const { KeyringStore } = await import('../store/keyring-store.js');
  const { TrueNASClient } = await import('./client/client.js');

  const demo = options.demo ? await (await import('./demo.js')).startDemo(options) : undefined;
  const dataDir = demo?.dataDir ?? resolveDataDir(options.dataDir, process.env, homedir());
  try {
    const store = await KeyringStore.open(dataDir, hooks.kdf ? { kdf: hooks.kdf } : undefined);
    if (demo) await demo.registerSystems(store);
    const client = new TrueNASClient({ ca, timeoutMs: options.timeoutMs });
    const { runApp } = await app;
    const fullScreen = enterFullScreen(process.stdin, process.stdout);
    screen = fullScreen;
    const stop = new AbortController();
    const onSignal = () => {
      if (signalled) return;
      // The SSH session may be gone: writes to the terminal fail from now on, and that must
      // not cut short the clean-up of keys (their 'error' events would be fatal otherwise).
      for (const stream of [process.stdout, process.stdin]) stream.on('error', () => undefined);
      setTimeout(() => fail(EXIT_FATAL, 'terminated by signal'), SIGNAL_EXIT_MS);
      signalled = true;
      stop.abort();
    };
    // `on`, not `once`: Ink's signal-exit re-raises a signal nobody else listens to any more,
    // which would kill the process in the middle of the clean-up.
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    try {
      return await runApp({
        store,
        client,
        options: { pollIntervalMs: options.pollIntervalMs, timeoutMs: options.timeoutMs, concurrency: options.concurrency },
        demo: demo ? { lines: demo.lines } : undefined,
        stop: stop.signal,
      });
    } finally {
      fullScreen.restore();
      client.close();
      store.lock();
    }
  } finally {
    await demo?.stop();
  }
}

export async function main(argv: string[], hooks: TestHooks = {}): Promise<void> {
  try {
    await start(argv, hooks);
  } catch (error) {
    fail(EXIT_FATAL, oneLine(error));
  }
}

/** `tnc list | status | call`: for shells and scripts, no terminal needed. */
async function runSubcommand(argv: string[]): Promise<never> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) fail(EXIT_USAGE, error.message);
    throw error;
  }
  const { runCommand } = await import('./commands/run.js');
  process.exit(await runCommand(command));
}

async function start(argv: string[], hooks: TestHooks): Promise<void> {
  if (isCommandName(argv[0])) return runSubcommand(argv);
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) fail(EXIT_USAGE, `${error.message}\n${USAGE}`);
    throw error;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`tnc ${packageVersion()}\n`);
    return;
  }
  let ca: Buffer | undefined;
  try {
    ca = parsed.options.caFile ? readCaFile(parsed.options.caFile) : undefined;
  } catch (error) {
    fail(EXIT_FATAL, oneLine(error));
  }
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    fail(EXIT_USAGE, 'needs an interactive terminal (stdin and stdout must be a TTY)');
  }
  process.on('uncaughtException', (error) => fail(EXIT_FATAL, oneLine(error)));
  process.on('unhandledRejection', (error) => fail(EXIT_FATAL, oneLine(error)));
  if (hooks.crashOnSignal) {
    // `on`, not `once`: signal-exit (in Ink) re-raises a signal that no other listener holds.
    process.on('SIGUSR2', () =>
      setImmediate(() => {
        throw new Error('injected failure');
      }),
    );
  }
  const code = await run(parsed.options, ca, hooks);
  if (signalled) fail(EXIT_FATAL, 'terminated by signal');
  process.exit(code);
}
