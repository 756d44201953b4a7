import { focusedField } from '../../src/app/dialogs.js';
import { topDialog, type AppState } from '../../src/app/state.js';
import type { InputContext } from '../keymap.js';

/** Which bindings of the key map apply to the next key. */
export function inputContextOf(state: AppState): InputContext {
  const dialog = topDialog(state);
  if (dialog) return focusedField(dialog) ? 'dialogField' : 'dialogButton';
  if (state.screen === 'dashboard' && state.filter.editing) return 'filter';
  return state.screen;
}
