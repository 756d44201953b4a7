// The dialogs as data: which fields and buttons each one has, where focus goes, and when a
// button may be pressed. Pure functions; the reducer and the controller both use them.
import type { CertificateInfo } from '../client/types.js';

export type ButtonId = 'ok' | 'cancel' | 'trust' | 'remove' | 'close';

export interface DialogField {
  id: string;
  label: string;
  value: string;
  secret: boolean;
}

export interface DialogButton {
  id: ButtonId;
  label: string;
}

export interface Busy {
  label: string;
  /** Whether Cancel may interrupt it (network calls can be aborted, key derivation cannot). */
  cancellable: boolean;
}

interface DialogCommon {
  fields: readonly DialogField[];
  buttons: readonly DialogButton[];
  /** Index over the fields, then the buttons. */
  focus: number;
  error: string | null;
  busy: Busy | null;
}

export type HelpScope = 'dashboard' | 'keyring' | 'system' | 'dialog';

export type Dialog = DialogCommon &
  (
    | { kind: 'addSystem' }
    | {
        kind: 'trustCertificate';
        systemId: string;
        systemName: string;
        certificate: CertificateInfo;
        pinned: string | null;
        /** The record was changed outside tnc: the user must check it before it is vouched for again. */
        recordChanged: boolean;
      }
    | { kind: 'signIn'; systemId: string; systemName: string; step: 'password' | 'otp' }
    | { kind: 'createKeyring' }
    | { kind: 'unlock'; purpose: string | null }
    | { kind: 'resetKeyring' }
    | { kind: 'resetDone'; leftovers: readonly string[] }
    | { kind: 'removeSystem'; systemId: string; systemName: string; address: string }
    | { kind: 'help'; scope: HelpScope }
  );

export type DialogKind = Dialog['kind'];
export type DialogOf<K extends DialogKind> = Extract<Dialog, { kind: K }>;

const OK: DialogButton = { id: 'ok', label: 'Ok' };
const CANCEL: DialogButton = { id: 'cancel', label: 'Cancel' };

function field(id: string, label: string, secret = false, value = ''): DialogField {
  return { id, label, value, secret };
}

function common(fields: DialogField[], buttons: DialogButton[], focusButton?: ButtonId): DialogCommon {
  const buttonIndex = focusButton ? buttons.findIndex((button) => button.id === focusButton) : -1;
  // The first field when there are fields; otherwise the named button, so a stray Enter
  // never destroys or trusts anything.
  const focus = fields.length > 0 ? 0 : fields.length + Math.max(0, buttonIndex);
  return { fields, buttons, focus, error: null, busy: null };
}

export const dialogs = {
  addSystem: (): Dialog => ({ kind: 'addSystem', ...common([field('address', 'Address'), field('name', 'Name')], [OK, CANCEL]) }),
  trustCertificate: (systemId: string, systemName: string, certificate: CertificateInfo, pinned: string | null, recordChanged = false): Dialog => ({
    kind: 'trustCertificate',
    systemId,
    systemName,
    certificate,
    pinned,
    recordChanged,
    ...common([], [{ id: 'trust', label: 'Trust' }, CANCEL], 'cancel'),
  }),
  signIn: (systemId: string, systemName: string, username: string): Dialog => ({
    kind: 'signIn',
    systemId,
    systemName,
    step: 'password',
    ...common([field('username', 'Username', false, username), field('password', 'Password', true)], [OK, CANCEL]),
  }),
  createKeyring: (): Dialog => ({
    kind: 'createKeyring',
    ...common([field('name', 'Name'), field('passphrase', 'Passphrase', true), field('confirm', 'Confirm', true)], [OK, CANCEL]),
  }),
  /** `purpose`: what the user asked for that needs the keyring unlocked first. */
  unlock: (purpose: string | null = null): Dialog => ({
    kind: 'unlock',
    purpose,
    ...common([field('passphrase', 'Passphrase', true)], [{ id: 'ok', label: 'OK' }, CANCEL]),
  }),
  resetKeyring: (): Dialog => ({ kind: 'resetKeyring', ...common([], [OK, CANCEL], 'cancel') }),
  resetDone: (leftovers: readonly string[]): Dialog => ({ kind: 'resetDone', leftovers, ...common([], [OK]) }),
  removeSystem: (systemId: string, systemName: string, address: string): Dialog => ({
    kind: 'removeSystem',
    systemId,
    systemName,
    address,
    ...common([], [{ id: 'remove', label: 'Remove' }, CANCEL], 'cancel'),
  }),
  help: (scope: HelpScope): Dialog => ({ kind: 'help', scope, ...common([], [{ id: 'close', label: 'Close' }]) }),
};

/** The second step of Sign In, when the server asks for a 2FA code. */
export function otpStep(dialog: DialogOf<'signIn'>, error: string | null): Dialog {
  return { ...dialog, step: 'otp', fields: [field('otp', '2FA code')], focus: 0, error, busy: null };
}

export function fieldValue(dialog: Dialog, id: string): string {
  return dialog.fields.find((f) => f.id === id)?.value ?? '';
}

/** Why the form cannot be submitted yet, in words the dialog shows; null when it can. */
function incompleteReason(dialog: Dialog): string | null {
  const value = (id: string) => fieldValue(dialog, id);
  switch (dialog.kind) {
    case 'addSystem':
      return value('address').trim() === '' ? 'Enter the address of the TrueNAS system' : null;
    case 'signIn':
      if (dialog.step === 'otp') return value('otp').trim() === '' ? 'Enter the 2FA code' : null;
      if (value('username').trim() === '') return 'Enter a username';
      return value('password') === '' ? 'Enter the password' : null;
    case 'createKeyring':
      if (value('name').trim() === '') return 'Enter a name for the keyring';
      if (value('passphrase') === '') return 'Enter a passphrase';
      if (value('confirm') === '') return 'Confirm the passphrase';
      return value('passphrase') === value('confirm') ? null : 'Passphrases do not match';
    case 'unlock':
      return value('passphrase') === '' ? 'Enter the passphrase' : null;
    default:
      return null;
  }
}

/** Why a button cannot be pressed now; null when it can. */
export function disabledReason(dialog: Dialog, id: ButtonId): string | null {
  if (id === 'cancel') return dialog.busy && !dialog.busy.cancellable ? dialog.busy.label : null;
  if (dialog.busy) return dialog.busy.label;
  return id === dialog.buttons[0]?.id ? incompleteReason(dialog) : null;
}

export function focusedField(dialog: Dialog): DialogField | null {
  return dialog.fields[dialog.focus] ?? null;
}

export function focusedButton(dialog: Dialog): DialogButton | null {
  return dialog.buttons[dialog.focus - dialog.fields.length] ?? null;
}

function isFocusable(dialog: Dialog, index: number): boolean {
  if (index < dialog.fields.length) return true;
  const button = dialog.buttons[index - dialog.fields.length];
  return button !== undefined && disabledReason(dialog, button.id) === null;
}

function stepFocus(dialog: Dialog, step: 1 | -1, from: number, to: number): Dialog {
  const span = to - from;
  if (span <= 0) return dialog;
  for (let i = 1; i <= span; i += 1) {
    const index = from + ((((dialog.focus - from + step * i) % span) + span) % span);
    if (isFocusable(dialog, index)) return index === dialog.focus ? dialog : { ...dialog, focus: index };
  }
  return dialog;
}

/** Tab / ↓ and Shift+Tab / ↑: through the fields and the buttons that can be pressed. */
export function moveFocus(dialog: Dialog, step: 1 | -1): Dialog {
  return stepFocus(dialog, step, 0, dialog.fields.length + dialog.buttons.length);
}

/** ← / →: only between buttons, and only when a button has the focus. */
export function moveButtonFocus(dialog: Dialog, step: 1 | -1): Dialog {
  if (focusedButton(dialog) === null) return dialog;
  return stepFocus(dialog, step, dialog.fields.length, dialog.fields.length + dialog.buttons.length);
}

export function withFieldValue(dialog: Dialog, index: number, value: string): Dialog {
  const current = dialog.fields[index];
  if (!current || current.value === value) return dialog;
  const fields = dialog.fields.map((f, i) => (i === index ? { ...f, value } : f));
  return { ...dialog, fields, error: null };
}

/** Clears the named fields (a wrong passphrase is never left in a field) and puts focus on the first. */
export function withClearedFields(dialog: Dialog, ids: readonly string[]): Dialog {
  const fields = dialog.fields.map((f) => (ids.includes(f.id) ? { ...f, value: '' } : f));
  const first = dialog.fields.findIndex((f) => ids.includes(f.id));
  return { ...dialog, fields, focus: first >= 0 ? first : dialog.focus };
}

export type EnterOutcome = { kind: 'focus'; dialog: Dialog } | { kind: 'press'; button: ButtonId } | { kind: 'none' };

/** Enter: in a field, the next field or (from the last) the first button when it can be pressed; on a button, press it. */
export function enterOutcome(dialog: Dialog): EnterOutcome {
  const button = focusedButton(dialog);
  if (button) return disabledReason(dialog, button.id) === null ? { kind: 'press', button: button.id } : { kind: 'none' };
  if (dialog.focus < dialog.fields.length - 1) return { kind: 'focus', dialog: { ...dialog, focus: dialog.focus + 1 } };
  const primary = dialog.buttons[0];
  return primary && disabledReason(dialog, primary.id) === null ? { kind: 'press', button: primary.id } : { kind: 'none' };
}
