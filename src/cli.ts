#!/usr/bin/env node
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { parseCli, resolveDataDir, USAGE, UsageError, type CliOptions } from './cli-args.js';
import { enterFullScreen, type FullScreen } from './terminal.js';

const EXIT_FATAL = 1;
const EXIT_USAGE = 2;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

let screen: FullScreen | undefined;

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

/** Node accepts any text as `ca` and then trusts nothing: check the file up front. */
function readCaFile(path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`--ca-file ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new Error(`--ca-file ${path}: not a PEM certificate`);
  }
  return pem;
}

async function run(options: CliOptions, ca: Buffer | undefined): Promise<number> {
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
    const store = await KeyringStore.open(dataDir, options.kdf ? { kdf: options.kdf } : undefined);
    if (demo) await demo.registerSystems(store);
    const client = new TrueNASClient({ ca, timeoutMs: options.timeoutMs });
    const { runApp } = await app;
    const fullScreen = enterFullScreen(process.stdin, process.stdout);
    screen = fullScreen;
    const onSignal = () => fail(EXIT_FATAL, 'terminated by signal');
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
    try {
      return await runApp({
        store,
        client,
        options: { pollIntervalMs: options.pollIntervalMs, timeoutMs: options.timeoutMs, concurrency: options.concurrency },
        demo: demo ? { lines: demo.lines } : undefined,
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

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2));
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
  if (process.env.TNC_TEST_CRASH_AFTER_MS) {
    // Reliability tests inject an uncaught error to prove the terminal is restored.
    setTimeout(() => {
      throw new Error('injected failure');
    }, Number(process.env.TNC_TEST_CRASH_AFTER_MS));
  }
  const code = await run(parsed.options, ca);
  process.exit(code);
}

main().catch((error: unknown) => fail(EXIT_FATAL, oneLine(error)));
