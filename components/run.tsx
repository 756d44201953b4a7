// Runs the full-screen application until the user quits. The caller (src/cli.ts) owns the
// alternate screen, signals and fatal errors; this owns Ink, the controller and cleanup.
// No JSX in this file: it would import React before loadUi() has set the environment up.
import type { KeyringStore } from '../store/keyring-store.js';
import type { TrueNASClient } from '../src/client/client.js';
import { Controller } from '../src/app/controller.js';
import { drawnBy, FrameWriter } from './frame/frame-writer.js';
import { PacedStdin } from './input/paced-stdin.js';

export interface RunContext {
  store: KeyringStore;
  client: TrueNASClient;
  options: { pollIntervalMs: number; timeoutMs: number; concurrency: number };
  /** Demo credentials shown on the dashboard. */
  demo?: { lines: string[] };
  /** Aborted on SIGHUP or SIGTERM: quit with the short clean-up a signal leaves time for. */
  stop?: AbortSignal;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/**
 * Ink and React read the environment once, when first loaded: Ink draws nothing until it
 * exits when `CI` is set, and React runs its slow development build unless NODE_ENV says
 * production. A terminal session is interactive whatever CI says, and production unless
 * NODE_ENV says otherwise, so the UI modules load with the environment adjusted, then it is
 * put back.
 */
async function loadUi() {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION, NODE_ENV: process.env.NODE_ENV };
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  process.env.NODE_ENV ??= 'production';
  try {
    const [{ render }, { appElement }, { themeFor }] = await Promise.all([import('ink'), import('./App.js'), import('./theme.js')]);
    return { render, appElement, themeFor };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function firstLine(error: Error): string {
  return error.message.split('\n')[0] ?? 'rendering failed';
}

export async function runApp(ctx: RunContext): Promise<number> {
  const screen = new FrameWriter(ctx.stdout ?? process.stdout);
  const stdin = new PacedStdin(ctx.stdin ?? process.stdin);
  const { render, appElement, themeFor } = await loadUi();
  const controller = new Controller(
    { store: ctx.store, client: ctx.client },
    {
      ...ctx.options,
      viewport: { columns: screen.columns || 80, rows: screen.rows || 24 },
      demoLines: ctx.demo?.lines,
    },
  );
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure ??= new Error(`display failed: ${firstLine(error)}`);
    void controller.quit(true);
  };
  controller.start();
  ctx.stop?.addEventListener('abort', () => void controller.quit(false, true), { once: true });
  let instance: ReturnType<typeof render> | undefined;
  try {
    instance = render(appElement({ store: controller.appStore, actions: controller, theme: themeFor(process.env), onError }), {
      ...drawnBy(screen),
      stdin: stdin as unknown as NodeJS.ReadStream,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    const code = await controller.exited;
    if (failure) throw failure;
    return code;
  } finally {
    // Quitting (and its cleanup) is idempotent: this only matters when rendering threw.
    await controller.quit(true);
    instance?.unmount();
    stdin.close();
    screen.close();
  }
}
