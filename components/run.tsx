// Runs the full-screen application until the user quits. The caller (src/cli.ts) owns the
// alternate screen, signals and fatal errors; this owns Ink, the controller and cleanup.
import type { KeyringStore } from '../store/keyring-store.js';
import type { TrueNASClient } from '../src/client/client.js';
import { Controller } from '../src/app/controller.js';
import { themeFor } from './theme.js';

export interface RunContext {
  store: KeyringStore;
  client: TrueNASClient;
  options: { pollIntervalMs: number; timeoutMs: number; concurrency: number };
  /** Demo credentials shown on the dashboard. */
  demo?: { lines: string[] };
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/**
 * Ink decides once, when first imported, whether it runs in CI (`CI` set), and then writes
 * nothing until it exits. A terminal session is interactive whatever the environment says,
 * so Ink is loaded with the variables hidden.
 */
async function loadInk(): Promise<typeof import('ink')> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    return await import('ink');
  } finally {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  }
}

function firstLine(error: Error): string {
  return error.message.split('\n')[0] ?? 'rendering failed';
}

export async function runApp(ctx: RunContext): Promise<number> {
  const stdout = ctx.stdout ?? process.stdout;
  const stdin = ctx.stdin ?? process.stdin;
  const { render } = await loadInk();
  const { App } = await import('./App.js');
  const controller = new Controller(
    { store: ctx.store, client: ctx.client },
    {
      ...ctx.options,
      viewport: { columns: stdout.columns || 80, rows: stdout.rows || 24 },
      demoLines: ctx.demo?.lines,
    },
  );
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure ??= new Error(`display failed: ${firstLine(error)}`);
    void controller.quit(true);
  };
  controller.start();
  const start = () => render(
    <App store={controller.appStore} actions={controller} theme={themeFor(process.env)} onError={onError} />,
    {
      stdout,
      stdin,
      exitOnCtrlC: false,
      patchConsole: false,
      incrementalRendering: true,
      // A key press must reach the screen within a frame of 16 ms, not Ink's default 33 ms.
      maxFps: 60,
    },
  );
  let instance: ReturnType<typeof render>;
  try {
    instance = start();
  } catch (error) {
    await controller.quit(true);
    throw error;
  }
  try {
    const code = await controller.exited;
    if (failure) throw failure;
    return code;
  } finally {
    instance.unmount();
  }
}
