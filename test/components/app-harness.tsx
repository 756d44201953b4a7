// The real application (controller, keyring store in a temp dir, client) rendered at a
// chosen size; and, for drawing tests, the components over a bare state store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyringStore } from '../../store/keyring-store.js';
import { App } from '../../components/App.js';
import { colorTheme, type Theme } from '../../components/theme.js';
import type { AppActions } from '../../components/app-context.js';
import { createAppStore, type AppStore } from '../../src/app/app-store.js';
import { Controller } from '../../src/app/controller.js';
import { initialState, type AppState } from '../../src/app/state.js';
import { TrueNASClient } from '../../src/client/client.js';
import { renderSized, type Rendered } from './render-helper.js';

export const LOW_KDF = { opslimit: 1, memlimit: 8 * 1024 * 1024 };

export interface Size {
  columns: number;
  rows: number;
}

export interface StartedApp extends Rendered {
  controller: Controller;
  store: KeyringStore;
  client: TrueNASClient;
  close(): Promise<void>;
}

function failOnRenderError(error: Error): void {
  throw error;
}

export async function startApp(
  options: { size?: Size; theme?: Theme; prepare?: (store: KeyringStore) => Promise<void>; timeoutMs?: number } = {},
): Promise<StartedApp> {
  const size = options.size ?? { columns: 100, rows: 30 };
  const dir = await mkdtemp(join(tmpdir(), 'tnc-ui-'));
  const store = await KeyringStore.open(dir, { kdf: LOW_KDF });
  await options.prepare?.(store);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const client = new TrueNASClient({ timeoutMs });
  const controller = new Controller({ store, client }, { pollIntervalMs: 60_000, timeoutMs, concurrency: 4, viewport: size });
  controller.start();
  const ui = renderSized(
    <App store={controller.appStore} actions={controller} theme={options.theme ?? colorTheme} onError={failOnRenderError} />,
    size,
  );
  return {
    ...ui,
    controller,
    store,
    client,
    async close() {
      await controller.quit(true);
      ui.unmount();
      client.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Drawing tests change the state directly; only resizes need an action. */
function drawingActions(store: AppStore): AppActions {
  return {
    command: () => undefined,
    changeField: () => undefined,
    changeFilter: () => undefined,
    resize: (viewport) => store.dispatch({ type: 'resized', viewport }),
  };
}

export function renderState(prepare: (state: AppState) => AppState, options: { size?: Size; theme?: Theme } = {}) {
  const size = options.size ?? { columns: 100, rows: 30 };
  const store = createAppStore(prepare(initialState(size)));
  const ui = renderSized(
    <App store={store} actions={drawingActions(store)} theme={options.theme ?? colorTheme} onError={failOnRenderError} />,
    size,
  );
  return { ...ui, store };
}
