// The application state and its reducer: everything the screens show, changed only by
// actions. No I/O here; src/app/controller.ts performs the effects and dispatches results.
import type { SystemStatus } from '../poller/types.js';
import type { Command } from './commands.js';
import {
  moveButtonFocus,
  moveFocus,
  withClearedFields,
  withFieldValue,
  type Busy,
  type Dialog,
  type DialogKind,
} from './dialogs.js';
import { hasProblem, healthFacts } from './health-text.js';
import { isTooSmall, tableHeight, type Viewport } from './layout.js';
import { detailLinesOf } from './system-detail.js';
import { matchesFilter, type SystemView } from './systems.js';
import { fitView, moveCursor, moveTarget, TOP, type CursorMove, type TableView } from './table-view.js';

/** The screens with a table of systems. */
export type TableScreen = 'dashboard' | 'keyring';
export type Screen = TableScreen | 'system';
export type KeyringState = 'none' | 'locked' | 'unlocked';
export type HeaderButtonId = 'addSystem' | 'openKeyring' | 'unlock' | 'back' | 'resetKeyring' | 'createKeyring';

export interface HeaderButton {
  id: HeaderButtonId;
  label: string;
  disabled: boolean;
}

/** A header button by its index, or the table. */
export type Focus = 'table' | number;

export type Tone = 'info' | 'success' | 'warning' | 'error';

export interface StatusMessage {
  text: string;
  tone: Tone;
  /** Shows a spinner: something is under way. */
  busy?: boolean;
}

export interface AppState {
  viewport: Viewport;
  screen: Screen;
  keyring: { state: KeyringState; name: string | null };
  systems: readonly SystemView[];
  statuses: ReadonlyMap<string, SystemStatus>;
  views: Readonly<Record<TableScreen, TableView>>;
  focus: Focus;
  /** `problems`: only the systems that need attention (`!`). */
  filter: { text: string; editing: boolean; problems: boolean };
  /** The System screen: whose, and the first line shown. */
  detail: { id: string; scroll: number } | null;
  /** The top dialog is the last; it alone takes input. */
  dialogs: readonly Dialog[];
  message: StatusMessage | null;
  /** Demo credentials shown on the dashboard. */
  demoLines: readonly string[];
  quitting: boolean;
}

export type Action =
  | { type: 'resized'; viewport: Viewport }
  | { type: 'systemsLoaded'; systems: readonly SystemView[] }
  | { type: 'keyringChanged'; state: KeyringState; name: string | null }
  | { type: 'statusesChanged'; statuses: readonly SystemStatus[] }
  | { type: 'screenChanged'; screen: Screen }
  | { type: 'cursorMoved'; move: CursorMove }
  /** Puts the cursor on a system of the current screen's table, when it is listed there. */
  | { type: 'systemSelected'; id: string }
  | { type: 'focusMoved'; step: 1 | -1 }
  | { type: 'filterStarted' }
  | { type: 'filterChanged'; text: string }
  | { type: 'filterDone' }
  | { type: 'filterCleared' }
  | { type: 'problemsToggled' }
  /** The System screen of the selected system. */
  | { type: 'detailOpened' }
  | { type: 'dialogOpened'; dialog: Dialog }
  /** Closes the top dialog when it is of this kind (a late async result must not close another). */
  | { type: 'dialogClosed'; kind: DialogKind }
  | { type: 'dialogReplaced'; kind: DialogKind; dialog: Dialog }
  | { type: 'dialogFocusMoved'; step: 1 | -1; buttonsOnly?: boolean }
  | { type: 'dialogFieldChanged'; index: number; value: string }
  | { type: 'dialogBusy'; kind: DialogKind; busy: Busy | null }
  | { type: 'dialogFailed'; kind: DialogKind; error: string; clear?: readonly string[] }
  | { type: 'messageShown'; message: StatusMessage | null }
  | { type: 'quitStarted' };

export function initialState(viewport: Viewport, demoLines: readonly string[] = []): AppState {
  return {
    viewport,
    screen: 'dashboard',
    keyring: { state: 'none', name: null },
    systems: [],
    statuses: new Map(),
    views: { dashboard: TOP, keyring: TOP },
    focus: 'table',
    filter: { text: '', editing: false, problems: false },
    detail: null,
    dialogs: [],
    message: null,
    demoLines,
    quitting: false,
  };
}

let filterMemo: {
  systems: readonly SystemView[];
  text: string;
  statuses: ReadonlyMap<string, SystemStatus> | null;
  result: readonly SystemView[];
} | null = null;

/** The table the current screen shows (the System screen belongs to the dashboard's). */
function tableScreen(state: AppState): TableScreen {
  return state.screen === 'keyring' ? 'keyring' : 'dashboard';
}

/**
 * The rows of a screen's table: the dashboard's are filtered (by name or address, and to the
 * systems with a problem when `!` is on), the keyring's are all.
 */
export function visibleSystems(state: AppState, screen: TableScreen = tableScreen(state)): readonly SystemView[] {
  const text = screen === 'dashboard' ? state.filter.text.trim() : '';
  // The problems filter follows every status change; the text filter does not need to.
  const statuses = screen === 'dashboard' && state.filter.problems ? state.statuses : null;
  if (text === '' && statuses === null) return state.systems;
  if (filterMemo?.systems !== state.systems || filterMemo.text !== text || filterMemo.statuses !== statuses) {
    const result = state.systems.filter(
      (s) => matchesFilter(s, text) && (statuses === null || hasProblem(healthFacts(statuses.get(s.id))) || Boolean(s.untrusted)),
    );
    filterMemo = { systems: state.systems, text, statuses, result };
  }
  return filterMemo.result;
}

/** Lines a screen spends above or below its table besides the fixed chrome. */
export function extraLines(state: AppState, screen: TableScreen = tableScreen(state)): number {
  return screen === 'dashboard' ? state.demoLines.length : 0;
}

export function bodyHeight(state: AppState, screen: TableScreen = tableScreen(state)): number {
  return tableHeight(state.viewport, extraLines(state, screen));
}

/** The system under the cursor, or the one the System screen shows. */
export function selectedSystem(state: AppState): SystemView | null {
  if (state.screen === 'system') return state.systems.find((s) => s.id === state.detail?.id) ?? null;
  const screen = tableScreen(state);
  return visibleSystems(state, screen)[state.views[screen].cursor] ?? null;
}

/** Lines the System screen has room for: a table's, plus the heading line it does not need (and no demo lines). */
export function detailHeight(state: AppState): number {
  return tableHeight(state.viewport, 0) + 1;
}

function detailLineCount(state: AppState): number {
  const system = selectedSystem(state);
  return system ? detailLinesOf(system, state.statuses.get(system.id), state.viewport.columns).length : 0;
}

function scrollDetail(state: AppState, move: CursorMove): AppState {
  if (!state.detail) return state;
  const height = detailHeight(state);
  const last = Math.max(0, detailLineCount(state) - height);
  const current = Math.min(state.detail.scroll, last);
  const scroll = Math.max(0, Math.min(last, moveTarget(current, move, last, height)));
  return scroll === state.detail.scroll ? state : { ...state, detail: { ...state.detail, scroll } };
}

export function topDialog(state: AppState): Dialog | null {
  return state.dialogs[state.dialogs.length - 1] ?? null;
}

export function tooSmall(state: AppState): boolean {
  return isTooSmall(state.viewport);
}

export function headerButtons(screen: Screen, keyring: KeyringState): HeaderButton[] {
  if (screen === 'system') return [{ id: 'back', label: '← Dashboard', disabled: false }];
  if (screen === 'dashboard') {
    const buttons: HeaderButton[] = [
      { id: 'addSystem', label: 'Add System', disabled: false },
      { id: 'openKeyring', label: 'Keyring', disabled: false },
    ];
    if (keyring === 'locked') buttons.push({ id: 'unlock', label: 'Unlock', disabled: false });
    return buttons;
  }
  const buttons: HeaderButton[] = [
    { id: 'back', label: '← Dashboard', disabled: false },
    { id: 'resetKeyring', label: 'Reset', disabled: keyring === 'none' },
  ];
  if (keyring === 'none') buttons.push({ id: 'createKeyring', label: 'Create Keyring', disabled: false });
  if (keyring === 'locked') buttons.push({ id: 'unlock', label: 'Unlock', disabled: false });
  return buttons;
}

const UNAVAILABLE: Record<KeyringState, readonly Command[]> = {
  none: ['unlock', 'resetKeyring'],
  locked: ['createKeyring'],
  unlocked: ['unlock', 'createKeyring'],
};

/** Commands that can do nothing in this keyring state (the footer leaves them out). */
export function unavailableCommands(keyring: KeyringState): readonly Command[] {
  return UNAVAILABLE[keyring];
}

export function focusedHeaderButton(state: AppState): HeaderButton | null {
  return state.focus === 'table' ? null : (headerButtons(state.screen, state.keyring.state)[state.focus] ?? null);
}

/** Re-fits both tables after anything that changes their rows or height. */
function refit(state: AppState): AppState {
  const fit = (screen: TableScreen) =>
    fitView(state.views[screen], visibleSystems(state, screen).length, bodyHeight(state, screen));
  const dashboard = fit('dashboard');
  const keyring = fit('keyring');
  // A header button can vanish or become disabled (Unlock after unlocking): focus falls back to the table.
  const button = state.focus === 'table' ? null : headerButtons(state.screen, state.keyring.state)[state.focus];
  const focus = button && !button.disabled ? state.focus : 'table';
  if (dashboard === state.views.dashboard && keyring === state.views.keyring && focus === state.focus) return state;
  return { ...state, views: { dashboard, keyring }, focus };
}

/** Tab order: the enabled header buttons left to right, then the table. */
function nextFocus(state: AppState, step: 1 | -1): Focus {
  const stops: Focus[] = [
    ...headerButtons(state.screen, state.keyring.state).flatMap((b, i) => (b.disabled ? [] : [i])),
    'table',
  ];
  const at = stops.indexOf(state.focus);
  return stops[(at + step + stops.length) % stops.length] ?? 'table';
}

function updateTop(state: AppState, kind: DialogKind | null, change: (dialog: Dialog) => Dialog): AppState {
  const top = topDialog(state);
  if (!top || (kind !== null && top.kind !== kind)) return state;
  const next = change(top);
  return next === top ? state : { ...state, dialogs: [...state.dialogs.slice(0, -1), next] };
}

export function reducer(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'resized':
      if (action.viewport.columns === state.viewport.columns && action.viewport.rows === state.viewport.rows) return state;
      return refit({ ...state, viewport: action.viewport });
    case 'systemsLoaded':
      return refit({ ...state, systems: action.systems });
    case 'keyringChanged':
      return refit({ ...state, keyring: { state: action.state, name: action.name } });
    case 'statusesChanged': {
      if (action.statuses.length === 0) return state;
      const statuses = new Map(state.statuses);
      for (const status of action.statuses) statuses.set(status.id, status);
      const next = { ...state, statuses };
      // Rows come and go under `!` as systems get or lose a problem.
      return state.filter.problems ? refit(next) : next;
    }
    case 'screenChanged':
      return action.screen === state.screen ? state : { ...state, screen: action.screen, focus: 'table', detail: null };
    case 'detailOpened': {
      const system = selectedSystem(state);
      if (!system || state.screen !== 'dashboard') return state;
      return { ...state, screen: 'system', focus: 'table', detail: { id: system.id, scroll: 0 } };
    }
    case 'cursorMoved': {
      if (state.screen === 'system') return scrollDetail(state, action.move);
      const screen = tableScreen(state);
      const view = moveCursor(state.views[screen], action.move, visibleSystems(state).length, bodyHeight(state));
      return view === state.views[screen] ? state : { ...state, views: { ...state.views, [screen]: view } };
    }
    case 'systemSelected': {
      const screen = tableScreen(state);
      const index = visibleSystems(state, screen).findIndex((s) => s.id === action.id);
      if (index < 0) return state;
      const view = fitView({ ...state.views[screen], cursor: index }, visibleSystems(state, screen).length, bodyHeight(state, screen));
      return { ...state, views: { ...state.views, [screen]: view }, focus: 'table' };
    }
    case 'focusMoved':
      return { ...state, focus: nextFocus(state, action.step) };
    case 'filterStarted':
      return { ...state, filter: { ...state.filter, editing: true }, focus: 'table' };
    case 'problemsToggled':
      return refit({ ...state, filter: { ...state.filter, problems: !state.filter.problems }, views: { ...state.views, dashboard: TOP } });
    case 'filterChanged':
      return refit({ ...state, filter: { ...state.filter, text: action.text }, views: { ...state.views, dashboard: TOP } });
    case 'filterDone':
      return { ...state, filter: { ...state.filter, text: state.filter.text.trim(), editing: false } };
    case 'filterCleared':
      if (state.filter.text === '' && !state.filter.editing) return state;
      return refit({ ...state, filter: { ...state.filter, text: '', editing: false }, views: { ...state.views, dashboard: TOP } });
    case 'dialogOpened':
      return { ...state, dialogs: [...state.dialogs, action.dialog] };
    case 'dialogClosed':
      return topDialog(state)?.kind === action.kind ? { ...state, dialogs: state.dialogs.slice(0, -1) } : state;
    case 'dialogReplaced':
      return updateTop(state, action.kind, () => action.dialog);
    case 'dialogFocusMoved':
      return updateTop(state, null, (d) => (action.buttonsOnly ? moveButtonFocus(d, action.step) : moveFocus(d, action.step)));
    case 'dialogFieldChanged':
      return updateTop(state, null, (d) => withFieldValue(d, action.index, action.value));
    case 'dialogBusy':
      return updateTop(state, action.kind, (d) => ({ ...d, busy: action.busy, error: action.busy ? null : d.error }));
    case 'dialogFailed':
      return updateTop(state, action.kind, (d) => ({
        ...(action.clear ? withClearedFields(d, action.clear) : d),
        busy: null,
        error: action.error,
      }));
    case 'messageShown':
      return { ...state, message: action.message };
    case 'quitStarted':
      return { ...state, quitting: true };
  }
}
