import { describe, expect, it } from 'vitest';
import { dialogs, focusedButton } from '../../src/app/dialogs.js';
import { tableHeight } from '../../src/app/layout.js';
import {
  bodyHeight,
  headerButtons,
  initialState,
  reducer,
  selectedSystem,
  topDialog,
  visibleSystems,
  type Action,
  type AppState,
} from '../../src/app/state.js';
import { connectedText, keyText, type SystemView } from '../../src/app/systems.js';

function systems(count: number): SystemView[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `id-${i}`,
    name: `nas-${String(i).padStart(4, '0')}`,
    address: `10.0.${Math.floor(i / 256)}.${i % 256}`,
    key: i % 2 === 0 ? 'stored' : null,
  }));
}

function run(state: AppState, ...actions: Action[]): AppState {
  return actions.reduce(reducer, state);
}

const viewport = { columns: 100, rows: 30 };

function loaded(count: number): AppState {
  return run(initialState(viewport), { type: 'systemsLoaded', systems: systems(count) });
}

describe('table cursor', () => {
  it('moves with the keys and keeps the cursor row inside the window', () => {
    const height = bodyHeight(loaded(1000));
    expect(height).toBe(tableHeight(viewport, 0));
    let state = run(loaded(1000), { type: 'cursorMoved', move: 'bottom' });
    expect(state.views.dashboard).toEqual({ cursor: 999, scroll: 1000 - height });
    state = run(state, { type: 'cursorMoved', move: 'top' });
    expect(state.views.dashboard).toEqual({ cursor: 0, scroll: 0 });
    state = run(state, { type: 'cursorMoved', move: 'pageDown' }, { type: 'cursorMoved', move: 'pageDown' });
    const { cursor, scroll } = state.views.dashboard;
    expect(cursor).toBe(2 * (height - 1));
    expect(cursor).toBeGreaterThanOrEqual(scroll);
    expect(cursor).toBeLessThan(scroll + height);
    state = run(state, { type: 'cursorMoved', move: 'up' });
    expect(state.views.dashboard.cursor).toBe(cursor - 1);
  });

  it('stops at both ends', () => {
    const top = loaded(3);
    expect(run(top, { type: 'cursorMoved', move: 'up' })).toBe(top);
    const bottom = run(top, { type: 'cursorMoved', move: 'bottom' });
    expect(run(bottom, { type: 'cursorMoved', move: 'down' })).toBe(bottom);
  });

  it('keeps the cursor visible when the terminal shrinks', () => {
    let state = run(loaded(1000), { type: 'cursorMoved', move: 'pageDown' });
    state = run(state, { type: 'resized', viewport: { columns: 100, rows: 24 } });
    const { cursor, scroll } = state.views.dashboard;
    expect(cursor - scroll).toBeLessThan(bodyHeight(state));
  });

  it('clamps the cursor when systems go away', () => {
    let state = run(loaded(10), { type: 'cursorMoved', move: 'bottom' });
    state = run(state, { type: 'systemsLoaded', systems: systems(4) });
    expect(selectedSystem(state)?.id).toBe('id-3');
  });

  it('keeps a cursor per screen', () => {
    let state = run(loaded(10), { type: 'cursorMoved', move: 'bottom' }, { type: 'screenChanged', screen: 'keyring' });
    expect(selectedSystem(state)?.id).toBe('id-0');
    state = run(state, { type: 'screenChanged', screen: 'dashboard' });
    expect(selectedSystem(state)?.id).toBe('id-9');
  });

  it('selects a system by id', () => {
    const state = run(loaded(100), { type: 'systemSelected', id: 'id-77' });
    expect(selectedSystem(state)?.id).toBe('id-77');
  });
});

describe('filter', () => {
  it('filters the dashboard by name or address and starts at the top', () => {
    let state = run(loaded(300), { type: 'cursorMoved', move: 'bottom' }, { type: 'filterStarted' }, { type: 'filterChanged', text: 'NAS-001' });
    expect(visibleSystems(state).map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_, i) => `nas-001${i}`));
    expect(state.views.dashboard.cursor).toBe(0);
    state = run(state, { type: 'filterChanged', text: '10.0.1.' });
    expect(visibleSystems(state).every((s) => s.address.startsWith('10.0.1.'))).toBe(true);
    expect(visibleSystems(state, 'keyring')).toHaveLength(300);
  });

  it('Esc clears it, and does nothing when there is none', () => {
    let state = run(loaded(30), { type: 'filterStarted' }, { type: 'filterChanged', text: 'nas-0001' }, { type: 'filterDone' });
    expect(state.filter).toEqual({ text: 'nas-0001', editing: false, problems: false });
    state = run(state, { type: 'filterCleared' });
    expect(visibleSystems(state)).toHaveLength(30);
    const moved = run(state, { type: 'cursorMoved', move: 'bottom' });
    expect(run(moved, { type: 'filterCleared' })).toBe(moved);
  });
});

describe('header focus', () => {
  it('cycles the enabled header buttons and the table with Tab', () => {
    let state = run(loaded(3), { type: 'keyringChanged', state: 'none', name: null }, { type: 'screenChanged', screen: 'keyring' });
    expect(headerButtons('keyring', 'none').map((b) => `${b.label}${b.disabled ? ' (disabled)' : ''}`)).toEqual([
      '← Dashboard',
      'Reset (disabled)',
      'Create Keyring',
    ]);
    state = run(state, { type: 'focusMoved', step: 1 });
    expect(state.focus).toBe(0);
    state = run(state, { type: 'focusMoved', step: 1 });
    expect(state.focus).toBe(2);
    state = run(state, { type: 'focusMoved', step: 1 });
    expect(state.focus).toBe('table');
    expect(run(state, { type: 'focusMoved', step: -1 }).focus).toBe(2);
  });

  it('falls back to the table when the focused button goes away', () => {
    let state = run(loaded(3), { type: 'keyringChanged', state: 'locked', name: 'home' });
    expect(headerButtons('dashboard', 'locked').map((b) => b.label)).toEqual(['Add System', 'Keyring', 'Unlock']);
    state = run(state, { type: 'focusMoved', step: -1 });
    expect(state.focus).toBe(2);
    state = run(state, { type: 'keyringChanged', state: 'unlocked', name: 'home' });
    expect(state.focus).toBe('table');
  });
});

describe('dialogs', () => {
  it('stacks dialogs and closes only the top one of the named kind', () => {
    let state = run(loaded(1), { type: 'dialogOpened', dialog: dialogs.unlock() }, { type: 'dialogOpened', dialog: dialogs.help('dialog') });
    expect(run(state, { type: 'dialogClosed', kind: 'unlock' })).toBe(state);
    state = run(state, { type: 'dialogClosed', kind: 'help' });
    expect(topDialog(state)?.kind).toBe('unlock');
  });

  it('ignores a late result meant for a dialog that is gone', () => {
    const state = run(loaded(1), { type: 'dialogOpened', dialog: dialogs.resetKeyring() });
    expect(run(state, { type: 'dialogFailed', kind: 'unlock', error: 'Wrong passphrase' })).toBe(state);
  });

  it('edits the top dialog', () => {
    let state = run(loaded(1), { type: 'dialogOpened', dialog: dialogs.unlock() }, { type: 'dialogFieldChanged', index: 0, value: 'abc' });
    state = run(state, { type: 'dialogFocusMoved', step: 1 });
    expect(focusedButton(topDialog(state)!)?.id).toBe('ok');
    state = run(state, { type: 'dialogFailed', kind: 'unlock', error: 'Wrong passphrase', clear: ['passphrase'] });
    expect(topDialog(state)).toMatchObject({ error: 'Wrong passphrase', focus: 0, busy: null });
    expect(topDialog(state)!.fields[0]!.value).toBe('');
  });
});

describe('statuses', () => {
  it('merges a batch and keeps the other statuses as they were', () => {
    const first = { id: 'id-0', connected: true, checking: false, failures: 0 };
    const second = { id: 'id-1', connected: false, reason: 'locked' as const, checking: false, failures: 1 };
    let state = run(loaded(3), { type: 'statusesChanged', statuses: [first, second] });
    state = run(state, { type: 'statusesChanged', statuses: [{ ...second, reason: 'timeout' }] });
    expect(state.statuses.get('id-0')).toBe(first);
    expect(state.statuses.get('id-1')?.reason).toBe('timeout');
    expect(run(state, { type: 'statusesChanged', statuses: [] })).toBe(state);
  });

  it('words Connected and Key as the seed does', () => {
    expect(connectedText(undefined)).toBe('…');
    expect(connectedText({ id: 'a', connected: null, checking: true, failures: 0 })).toBe('…');
    expect(connectedText({ id: 'a', connected: true, checking: false, failures: 0 })).toBe('True');
    expect(connectedText({ id: 'a', connected: false, reason: 'locked', checking: false, failures: 1 })).toBe('False · locked');
    expect(keyText({ id: 'a', name: 'n', address: 'a', key: 'stored' })).toBe('Stored');
    expect(keyText({ id: 'a', name: 'n', address: 'a', key: null })).toBe('');
  });
});

describe('problems only (!)', () => {
  const critical = { counts: { critical: 1, error: 0, warning: 0, notice: 0, info: 0 }, items: [] };
  const calm = { counts: { critical: 0, error: 0, warning: 0, notice: 0, info: 0 }, items: [] };
  const health = (alerts: typeof calm) => ({ info: null, alerts, pools: [], update: null, keyExpiresAt: null });
  const status = (id: string, connected: boolean, alerts = calm) => ({
    id,
    connected,
    checking: false,
    failures: 0,
    ...(connected ? { health: health(alerts) } : { reason: 'unreachable' as const }),
  });

  it('shows just the systems with a problem, follows status changes, and shows all again', () => {
    let state = run(loaded(4), {
      type: 'statusesChanged',
      statuses: [status('id-0', true), status('id-1', false), status('id-2', true, critical), status('id-3', true)],
    });
    state = run(state, { type: 'cursorMoved', move: 'bottom' }, { type: 'problemsToggled' });
    expect(visibleSystems(state).map((s) => s.id)).toEqual(['id-1', 'id-2']);
    expect(selectedSystem(state)?.id).toBe('id-1');
    // id-1 comes back, id-3 gets an alert: the list follows.
    state = run(state, { type: 'statusesChanged', statuses: [status('id-1', true), status('id-3', true, critical)] });
    expect(visibleSystems(state).map((s) => s.id)).toEqual(['id-2', 'id-3']);
    state = run(state, { type: 'problemsToggled' });
    expect(visibleSystems(state)).toHaveLength(4);
  });

  it('combines with the text filter', () => {
    const state = run(
      loaded(12),
      { type: 'statusesChanged', statuses: [status('id-1', false), status('id-10', false), status('id-11', true)] },
      { type: 'problemsToggled' },
      { type: 'filterChanged', text: 'nas-001' },
    );
    expect(visibleSystems(state).map((s) => s.id)).toEqual(['id-10']);
  });
});

describe('System screen', () => {
  it('opens on the selected system, scrolls within its lines, and goes back to the dashboard', () => {
    let state = run(loaded(3), { type: 'cursorMoved', move: 'down' }, { type: 'detailOpened' });
    expect(state.screen).toBe('system');
    expect(selectedSystem(state)?.id).toBe('id-1');
    expect(headerButtons('system', 'none').map((b) => b.label)).toEqual(['← Dashboard']);
    const small = run(state, { type: 'resized', viewport: { columns: 80, rows: 24 } });
    const bottom = run(small, { type: 'cursorMoved', move: 'bottom' });
    expect(bottom.detail!.scroll).toBeGreaterThan(0);
    expect(run(bottom, { type: 'cursorMoved', move: 'down' })).toBe(bottom);
    expect(run(bottom, { type: 'cursorMoved', move: 'up' }).detail!.scroll).toBe(bottom.detail!.scroll - 1);
    expect(run(bottom, { type: 'cursorMoved', move: 'top' }).detail!.scroll).toBe(0);
    state = run(bottom, { type: 'screenChanged', screen: 'dashboard' });
    expect(state.detail).toBeNull();
    expect(selectedSystem(state)?.id).toBe('id-1');
  });

  it('has nothing to open without a system', () => {
    const empty = run(initialState(viewport), { type: 'detailOpened' });
    expect(empty.screen).toBe('dashboard');
  });
});
