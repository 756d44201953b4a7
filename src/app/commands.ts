// What the user can ask for. Keys map to these in components/keymap.ts; the controller
// carries them out. One list, so the key map, the footer, the help overlay and the
// controller can never disagree about what exists.

export const COMMANDS = [
  'help',
  'quitNow',
  'quit',
  'cursorUp',
  'cursorDown',
  'cursorTop',
  'cursorBottom',
  'pageUp',
  'pageDown',
  'focusNext',
  'focusPrev',
  'activate',
  'addSystem',
  'removeSystem',
  'openKeyring',
  'unlock',
  'refresh',
  'filter',
  'filterDone',
  'filterClear',
  'problemsOnly',
  'openSystem',
  'recheck',
  'back',
  'resetKeyring',
  'createKeyring',
  'dialogNext',
  'dialogPrev',
  'dialogEnter',
  'dialogCancel',
  'buttonPrev',
  'buttonNext',
] as const;

export type Command = (typeof COMMANDS)[number];
