// The key map of SPEC §5 as one table. Input handling, the footer and the help overlay are
// all generated from it, and acceptance scripts drive the program by it: change a key here
// and everything (including the documentation on screen) follows.
import type { Key } from 'ink';
import type { Command } from '../src/app/commands.js';
import type { HelpScope } from '../src/app/dialogs.js';

/** Where a binding applies. An input context is a set of scopes (see `scopesOf`). */
export type Scope = 'everywhere' | 'screens' | 'dashboard' | 'keyring' | 'system' | 'filter' | 'dialogs' | 'dialogButtons';

/** What receives keys right now; derived from the application state by the App. */
export type InputContext = 'dashboard' | 'keyring' | 'system' | 'filter' | 'dialogField' | 'dialogButton';

export interface Binding {
  scope: Scope;
  command: Command;
  /** Key names as `keyName` produces them: a character, or `up`, `enter`, `ctrl+c`, `shift+tab`… */
  keys: readonly string[];
  description: string;
  /** Short label in the footer; bindings without one are listed only by the help overlay. */
  footer?: string;
}

export const KEYMAP: readonly Binding[] = [
  { scope: 'everywhere', command: 'help', keys: ['?'], description: 'help', footer: 'help' },
  { scope: 'everywhere', command: 'quitNow', keys: ['ctrl+c'], description: 'quit at once' },
  { scope: 'screens', command: 'quit', keys: ['q'], description: 'quit', footer: 'quit' },
  { scope: 'screens', command: 'cursorUp', keys: ['up', 'k'], description: 'row up' },
  { scope: 'screens', command: 'cursorDown', keys: ['down', 'j'], description: 'row down' },
  { scope: 'screens', command: 'cursorTop', keys: ['g'], description: 'first row' },
  { scope: 'screens', command: 'cursorBottom', keys: ['G'], description: 'last row' },
  { scope: 'screens', command: 'pageUp', keys: ['pageup'], description: 'page up' },
  { scope: 'screens', command: 'pageDown', keys: ['pagedown'], description: 'page down' },
  { scope: 'screens', command: 'focusNext', keys: ['tab'], description: 'next button / table' },
  { scope: 'screens', command: 'focusPrev', keys: ['shift+tab'], description: 'prev. button / table' },
  { scope: 'dashboard', command: 'addSystem', keys: ['a'], description: 'Add System', footer: 'add' },
  { scope: 'dashboard', command: 'activate', keys: ['enter'], description: 'Sign In / press button', footer: 'sign in' },
  { scope: 'dashboard', command: 'removeSystem', keys: ['x'], description: 'Remove System', footer: 'remove' },
  { scope: 'dashboard', command: 'openKeyring', keys: ['K'], description: 'Keyring screen', footer: 'keyring' },
  { scope: 'dashboard', command: 'unlock', keys: ['u'], description: 'Unlock Keyring', footer: 'unlock' },
  { scope: 'dashboard', command: 'refresh', keys: ['R'], description: 're-check all now' },
  // Filter and problems only are named on the dashboard's hint line, not in the footer (80 columns).
  { scope: 'dashboard', command: 'filter', keys: ['/'], description: 'filter name/address' },
  { scope: 'dashboard', command: 'filterClear', keys: ['escape'], description: 'clear filter' },
  { scope: 'dashboard', command: 'problemsOnly', keys: ['!'], description: 'problems only / all' },
  { scope: 'dashboard', command: 'openSystem', keys: ['i', 'right'], description: 'System screen', footer: 'details' },
  { scope: 'filter', command: 'filterDone', keys: ['enter'], description: 'keep filter', footer: 'done' },
  { scope: 'filter', command: 'filterClear', keys: ['escape'], description: 'clear filter', footer: 'clear' },
  { scope: 'filter', command: 'cursorUp', keys: ['up'], description: 'row up' },
  { scope: 'filter', command: 'cursorDown', keys: ['down'], description: 'row down' },
  { scope: 'keyring', command: 'back', keys: ['escape', 'backspace', 'b'], description: 'back to Dashboard', footer: 'back' },
  { scope: 'keyring', command: 'resetKeyring', keys: ['r'], description: 'Reset Keyring', footer: 'reset' },
  { scope: 'keyring', command: 'createKeyring', keys: ['c'], description: 'Create Keyring', footer: 'create' },
  { scope: 'keyring', command: 'activate', keys: ['enter'], description: 'Sign In / press button', footer: 'sign in' },
  { scope: 'keyring', command: 'unlock', keys: ['u'], description: 'Unlock Keyring', footer: 'unlock' },
  { scope: 'system', command: 'back', keys: ['escape', 'left', 'b'], description: 'back to Dashboard', footer: 'back' },
  { scope: 'system', command: 'activate', keys: ['enter'], description: 'Sign In to this system', footer: 'sign in' },
  { scope: 'system', command: 'recheck', keys: ['R'], description: 're-check it now', footer: 're-check' },
  { scope: 'dialogs', command: 'dialogNext', keys: ['tab', 'down'], description: 'next field/button', footer: 'next' },
  { scope: 'dialogs', command: 'dialogPrev', keys: ['shift+tab', 'up'], description: 'prev. field/button' },
  { scope: 'dialogs', command: 'dialogEnter', keys: ['enter'], description: 'next field / submit', footer: 'ok' },
  { scope: 'dialogs', command: 'dialogCancel', keys: ['escape'], description: 'Cancel', footer: 'cancel' },
  { scope: 'dialogButtons', command: 'buttonPrev', keys: ['left'], description: 'previous button' },
  { scope: 'dialogButtons', command: 'buttonNext', keys: ['right'], description: 'next button' },
];

const SCOPES: Record<InputContext, readonly Scope[]> = {
  dashboard: ['everywhere', 'screens', 'dashboard'],
  keyring: ['everywhere', 'screens', 'keyring'],
  system: ['everywhere', 'screens', 'system'],
  filter: ['everywhere', 'filter'],
  dialogField: ['everywhere', 'dialogs'],
  dialogButton: ['everywhere', 'dialogs', 'dialogButtons'],
};

export function scopesOf(context: InputContext): readonly Scope[] {
  return SCOPES[context];
}

/** In a text field a printable key is text: `q` types q, `?` types ?. */
function isTextField(context: InputContext): boolean {
  return context === 'filter' || context === 'dialogField';
}

function isPrintable(name: string): boolean {
  return [...name].length === 1;
}

/** The key name of an Ink key event, in the vocabulary of `Binding.keys`; null for none. */
export function keyName(input: string, key: Key): string | null {
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  // Ink 6 reports the Backspace key (DEL, 0x7f) as `delete`.
  if (key.backspace || key.delete) return 'backspace';
  return input === '' ? null : input;
}

export function commandFor(context: InputContext, name: string | null): Command | null {
  if (name === null) return null;
  if (isTextField(context) && isPrintable(name)) return null;
  const scopes = SCOPES[context];
  return KEYMAP.find((binding) => scopes.includes(binding.scope) && binding.keys.includes(name))?.command ?? null;
}

const KEY_LABELS: Record<string, string> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  pageup: 'PgUp',
  pagedown: 'PgDn',
  enter: 'Enter',
  escape: 'Esc',
  tab: 'Tab',
  'shift+tab': 'Shift+Tab',
  backspace: 'Backspace',
  'ctrl+c': 'Ctrl+C',
};

export function keyLabel(name: string): string {
  return KEY_LABELS[name] ?? name;
}

export function keysLabel(binding: Binding): string {
  return binding.keys.map(keyLabel).join('/');
}

/** The bindings that apply in a context, most general first, for the help overlay. */
export function bindingsFor(context: InputContext): readonly Binding[] {
  const scopes = SCOPES[context];
  return KEYMAP.filter((binding) => scopes.includes(binding.scope));
}

/**
 * The footer's bindings: help first, then the most specific scope's, the general ones last.
 * Commands that cannot do anything now (`unavailable`, e.g. unlock when not locked) are left out.
 */
export function footerBindings(context: InputContext, unavailable: readonly Command[] = []): readonly Binding[] {
  const shown = (b: Binding) => b.footer !== undefined && !unavailable.includes(b.command);
  const help = KEYMAP.filter((b) => b.command === 'help');
  const rest = [...SCOPES[context]].reverse().flatMap((scope) => KEYMAP.filter((b) => b.scope === scope && b.command !== 'help' && shown(b)));
  return [...help, ...rest];
}

const SCOPE_TITLES: Record<Scope, string> = {
  everywhere: 'Everywhere',
  screens: 'Screens',
  dashboard: 'Dashboard',
  filter: 'Filter (after /)',
  keyring: 'Keyring',
  system: 'System screen',
  dialogs: 'Dialogs',
  dialogButtons: 'Dialog buttons',
};

const HELP_SCOPES: Record<HelpScope, readonly Scope[]> = {
  dashboard: ['everywhere', 'screens', 'dashboard', 'filter'],
  keyring: ['everywhere', 'screens', 'keyring'],
  system: ['everywhere', 'screens', 'system'],
  dialog: ['everywhere', 'dialogs', 'dialogButtons'],
};

export interface HelpSection {
  title: string;
  bindings: readonly Binding[];
}

/** Every binding of a screen (or of the dialogs), grouped as the key map groups them. */
export function helpSections(scope: HelpScope): readonly HelpSection[] {
  return HELP_SCOPES[scope].map((s) => ({ title: SCOPE_TITLES[s], bindings: KEYMAP.filter((b) => b.scope === s) }));
}
