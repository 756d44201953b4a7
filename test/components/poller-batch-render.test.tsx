// A poller batch that changes only systems off screen must not render: with 1,000 systems
// most batches are like that, and every render is a full frame a key press would wait for.
import { Profiler } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App.js';
import type { AppActions } from '../../components/app-context.js';
import { colorTheme } from '../../components/theme.js';
import { createAppStore } from '../../src/app/app-store.js';
import { initialState, reducer } from '../../src/app/state.js';
import type { SystemStatus } from '../../src/poller/types.js';
import { renderSized } from './render-helper.js';

const size = { columns: 100, rows: 30 };
const status = (id: string, connected: boolean): SystemStatus => ({ id, connected, checking: false, failures: 0, lastChecked: Date.UTC(2025, 0, 1) });
const noActions: AppActions = { command: () => undefined, changeField: () => undefined, changeFilter: () => undefined, resize: () => undefined };

describe('poller batches and rendering', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  it('renders for a visible row and not for rows off screen', async () => {
    const systems = Array.from({ length: 1000 }, (_, i) => ({ id: `id-${i}`, name: `nas-${i}`, address: `nas-${i}.lan`, key: null }));
    const store = createAppStore(reducer(initialState(size), { type: 'systemsLoaded', systems }));
    let commits = 0;
    const ui = renderSized(
      <Profiler id="app" onRender={() => (commits += 1)}>
        <App store={store} actions={noActions} theme={colorTheme} onError={(error) => { throw error; }} />
      </Profiler>,
      size,
    );
    unmount = ui.unmount;
    await ui.waitForContent('nas-0');
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
    await settle();

    const before = commits;
    store.dispatch({ type: 'statusesChanged', statuses: [status('id-999', true), status('id-500', false)] });
    await settle();
    expect(commits).toBe(before);

    store.dispatch({ type: 'statusesChanged', statuses: [status('id-1', true)] });
    await ui.waitForContent(/nas-1\s.*True/);
    expect(commits).toBeGreaterThan(before);
  });
});
