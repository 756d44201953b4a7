import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/app/commands.js';
import { unavailableCommands } from '../../src/app/state.js';
import {
  commandFor,
  footerBindings,
  helpSections,
  keyLabel,
  KEYMAP,
  keyName,
  type InputContext,
} from '../../components/keymap.js';

const CONTEXTS: InputContext[] = ['dashboard', 'keyring', 'system', 'filter', 'dialogField', 'dialogButton'];

// SPEC §5, row by row: [contexts where it applies, key, command].
const SPEC: Array<[InputContext[], string, string]> = [
  [['dashboard', 'keyring', 'dialogButton'], '?', 'help'],
  [CONTEXTS, 'ctrl+c', 'quitNow'],
  [['dashboard', 'keyring'], 'q', 'quit'],
  [['dashboard', 'keyring'], 'up', 'cursorUp'],
  [['dashboard', 'keyring'], 'k', 'cursorUp'],
  [['dashboard', 'keyring'], 'down', 'cursorDown'],
  [['dashboard', 'keyring'], 'j', 'cursorDown'],
  [['dashboard', 'keyring'], 'g', 'cursorTop'],
  [['dashboard', 'keyring'], 'G', 'cursorBottom'],
  [['dashboard', 'keyring'], 'pageup', 'pageUp'],
  [['dashboard', 'keyring'], 'pagedown', 'pageDown'],
  [['dashboard', 'keyring'], 'tab', 'focusNext'],
  [['dashboard', 'keyring'], 'shift+tab', 'focusPrev'],
  [['dashboard'], 'a', 'addSystem'],
  [['dashboard'], 'enter', 'activate'],
  [['dashboard'], 'x', 'removeSystem'],
  [['dashboard'], 'K', 'openKeyring'],
  [['dashboard', 'keyring'], 'u', 'unlock'],
  [['dashboard'], 'R', 'refresh'],
  [['dashboard'], '/', 'filter'],
  [['dashboard', 'filter'], 'escape', 'filterClear'],
  [['keyring'], 'escape', 'back'],
  [['keyring'], 'backspace', 'back'],
  [['keyring'], 'b', 'back'],
  [['keyring'], 'r', 'resetKeyring'],
  [['keyring'], 'c', 'createKeyring'],
  [['keyring'], 'enter', 'activate'],
  [['dialogField', 'dialogButton'], 'tab', 'dialogNext'],
  [['dialogField', 'dialogButton'], 'down', 'dialogNext'],
  [['dialogField', 'dialogButton'], 'shift+tab', 'dialogPrev'],
  [['dialogField', 'dialogButton'], 'up', 'dialogPrev'],
  [['dialogField', 'dialogButton'], 'enter', 'dialogEnter'],
  [['dialogField', 'dialogButton'], 'escape', 'dialogCancel'],
  [['dialogButton'], 'left', 'buttonPrev'],
  [['dialogButton'], 'right', 'buttonNext'],
];

const noKey: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

describe('the key map of SPEC §5', () => {
  it.each(SPEC)('in %j, %s does %s', (contexts, key, command) => {
    for (const context of contexts) expect(commandFor(context, key), `${context}`).toBe(command);
  });

  it('maps only to commands the controller knows', () => {
    for (const binding of KEYMAP) expect(COMMANDS).toContain(binding.command);
  });

  it('never quits on Esc', () => {
    for (const context of CONTEXTS) expect(['quit', 'quitNow']).not.toContain(commandFor(context, 'escape'));
  });

  it('leaves printable keys to a text field: q and ? are text there', () => {
    for (const context of ['dialogField', 'filter'] as const) {
      for (const key of ['q', '?', 'a', 'j', 'K', '/', 'b']) expect(commandFor(context, key)).toBeNull();
    }
  });

  it('names Ink key events', () => {
    expect(keyName('c', { ...noKey, ctrl: true })).toBe('ctrl+c');
    expect(keyName('', { ...noKey, tab: true, shift: true })).toBe('shift+tab');
    expect(keyName('', { ...noKey, delete: true })).toBe('backspace');
    expect(keyName('', { ...noKey, backspace: true })).toBe('backspace');
    expect(keyName('', { ...noKey, pageDown: true })).toBe('pagedown');
    expect(keyName('', { ...noKey, escape: true, meta: true })).toBe('escape');
    expect(keyName('G', { ...noKey, shift: true })).toBe('G');
    expect(keyName('', noKey)).toBeNull();
  });
});

describe('footer and help come from the key map', () => {
  it('fits the footer in 80 columns in every context and keyring state', () => {
    for (const context of CONTEXTS) {
      for (const keyring of ['none', 'locked', 'unlocked'] as const) {
        const text = footerBindings(context, unavailableCommands(keyring))
          .map((b) => `${keyLabel(b.keys[0]!)} ${b.footer}`)
          .join('  ');
        expect(text.length, `${context}/${keyring}: ${text}`).toBeLessThanOrEqual(80);
      }
    }
  });

  it('shows help and quit on both screens, and unlock only when it can do something', () => {
    const commands = (context: InputContext, keyring: 'none' | 'locked' | 'unlocked') =>
      footerBindings(context, unavailableCommands(keyring)).map((b) => b.command);
    expect(commands('dashboard', 'locked')).toEqual(expect.arrayContaining(['help', 'quit', 'addSystem', 'unlock']));
    expect(commands('dashboard', 'unlocked')).not.toContain('unlock');
    expect(commands('keyring', 'none')).toEqual(expect.arrayContaining(['back', 'createKeyring']));
    expect(commands('keyring', 'none')).not.toContain('resetKeyring');
  });

  it('lists every binding in the help of its screen', () => {
    const listed = new Set(
      (['dashboard', 'keyring', 'system', 'dialog'] as const).flatMap((scope) => helpSections(scope).flatMap((s) => s.bindings)),
    );
    for (const binding of KEYMAP) expect(listed.has(binding), binding.command).toBe(true);
  });
});
