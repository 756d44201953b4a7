import { describe, expect, it } from 'vitest';
import {
  dialogs,
  disabledReason,
  enterOutcome,
  focusedButton,
  focusedField,
  moveButtonFocus,
  moveFocus,
  otpStep,
  withClearedFields,
  withFieldValue,
  type Dialog,
  type DialogOf,
} from '../../src/app/dialogs.js';

function typed(dialog: Dialog, values: Record<string, string>): Dialog {
  return dialog.fields.reduce((d, f, i) => (f.id in values ? withFieldValue(d, i, values[f.id]!) : d), dialog);
}

const certificate = {
  host: 'nas',
  port: 443,
  fingerprint: 'AA:BB',
  subject: 'CN=nas',
  issuer: 'CN=nas',
  validFrom: new Date(0),
  validTo: new Date(0),
  trustedByCA: false,
};

describe('initial focus', () => {
  it('is the first field when the dialog has fields', () => {
    for (const dialog of [dialogs.addSystem(), dialogs.createKeyring(), dialogs.unlock(), dialogs.signIn('id', 'nas', 'truenas_admin')]) {
      expect(focusedField(dialog)?.id).toBe(dialog.fields[0]!.id);
    }
  });

  it('is Cancel in Reset Keyring, Remove System and Trust Certificate', () => {
    for (const dialog of [dialogs.resetKeyring(), dialogs.removeSystem('id', 'nas', 'nas.local'), dialogs.trustCertificate('id', 'nas', certificate, null)]) {
      expect(focusedButton(dialog)?.id).toBe('cancel');
    }
  });

  it('puts the buttons in the seed order: Ok then Cancel, Trust then Cancel', () => {
    expect(dialogs.resetKeyring().buttons.map((b) => b.label)).toEqual(['Ok', 'Cancel']);
    expect(dialogs.createKeyring().buttons.map((b) => b.label)).toEqual(['Ok', 'Cancel']);
    expect(dialogs.unlock().buttons.map((b) => b.label)).toEqual(['OK', 'Cancel']);
    expect(dialogs.trustCertificate('id', 'nas', certificate, null).buttons.map((b) => b.label)).toEqual(['Trust', 'Cancel']);
  });
});

describe('Create Keyring Passphrase', () => {
  it('keeps Ok disabled, saying why, until every field is filled and the passphrases match', () => {
    let dialog = dialogs.createKeyring();
    expect(disabledReason(dialog, 'ok')).toBe('Enter a name for the keyring');
    dialog = typed(dialog, { name: 'home' });
    expect(disabledReason(dialog, 'ok')).toBe('Enter a passphrase');
    dialog = typed(dialog, { passphrase: 'correct horse' });
    expect(disabledReason(dialog, 'ok')).toBe('Confirm the passphrase');
    dialog = typed(dialog, { confirm: 'correct hors' });
    expect(disabledReason(dialog, 'ok')).toBe('Passphrases do not match');
    dialog = typed(dialog, { confirm: 'correct horse' });
    expect(disabledReason(dialog, 'ok')).toBeNull();
    expect(disabledReason(dialog, 'cancel')).toBeNull();
  });

  it('skips the disabled Ok when moving focus, and Enter in the last field does nothing', () => {
    const dialog = { ...typed(dialogs.createKeyring(), { name: 'n', passphrase: 'a', confirm: 'b' }), focus: 2 };
    expect(enterOutcome(dialog)).toEqual({ kind: 'none' });
    const next = moveFocus(dialog, 1);
    expect(focusedButton(next)?.id).toBe('cancel');
    expect(focusedField(moveFocus(next, -1))?.id).toBe('confirm');
  });

  it('submits from the last field once Ok is enabled', () => {
    const dialog = { ...typed(dialogs.createKeyring(), { name: 'n', passphrase: 'a', confirm: 'a' }), focus: 2 };
    expect(enterOutcome(dialog)).toEqual({ kind: 'press', button: 'ok' });
  });
});

describe('focus movement', () => {
  it('Enter in a field that is not the last moves to the next field', () => {
    const outcome = enterOutcome(dialogs.addSystem());
    expect(outcome.kind).toBe('focus');
    if (outcome.kind === 'focus') expect(focusedField(outcome.dialog)?.id).toBe('name');
  });

  it('wraps around fields and buttons with Tab and Shift+Tab', () => {
    const dialog = typed(dialogs.unlock(), { passphrase: 'x' });
    const ok = moveFocus(dialog, 1);
    expect(focusedButton(ok)?.id).toBe('ok');
    const cancel = moveFocus(ok, 1);
    expect(focusedButton(cancel)?.id).toBe('cancel');
    expect(focusedField(moveFocus(cancel, 1))?.id).toBe('passphrase');
    expect(focusedButton(moveFocus(dialog, -1))?.id).toBe('cancel');
  });

  it('moves between buttons with ←/→ only when a button has the focus', () => {
    const reset = dialogs.resetKeyring();
    expect(focusedButton(moveButtonFocus(reset, -1))?.id).toBe('ok');
    expect(focusedButton(moveButtonFocus(reset, 1))?.id).toBe('ok');
    const unlock = dialogs.unlock();
    expect(moveButtonFocus(unlock, 1)).toBe(unlock);
  });

  it('Enter on a button presses it, Cancel included', () => {
    expect(enterOutcome(dialogs.resetKeyring())).toEqual({ kind: 'press', button: 'cancel' });
    const ok = moveButtonFocus(dialogs.resetKeyring(), -1);
    expect(enterOutcome(ok)).toEqual({ kind: 'press', button: 'ok' });
  });
});

describe('busy and errors', () => {
  it('disables Ok while work runs, and Cancel too when the work cannot be interrupted', () => {
    const dialog = typed(dialogs.unlock(), { passphrase: 'x' });
    const deriving = { ...dialog, busy: { label: 'Unlocking…', cancellable: false } };
    expect(disabledReason(deriving, 'ok')).toBe('Unlocking…');
    expect(disabledReason(deriving, 'cancel')).toBe('Unlocking…');
    const signingIn = { ...dialog, busy: { label: 'Signing in…', cancellable: true } };
    expect(disabledReason(signingIn, 'cancel')).toBeNull();
  });

  it('clears a wrong passphrase and focuses its field', () => {
    const dialog = { ...typed(dialogs.unlock(), { passphrase: 'wrong' }), focus: 1 };
    const cleared = withClearedFields(dialog, ['passphrase']);
    expect(cleared.fields[0]!.value).toBe('');
    expect(focusedField(cleared)?.id).toBe('passphrase');
  });

  it('typing clears the last error', () => {
    const dialog = { ...dialogs.unlock(), error: 'Wrong passphrase' };
    expect(withFieldValue(dialog, 0, 'a').error).toBeNull();
  });

  it('asks for the 2FA code in a second step', () => {
    const signIn = dialogs.signIn('id', 'nas', 'truenas_admin') as DialogOf<'signIn'>;
    const otp = otpStep(signIn, null);
    expect(otp.kind === 'signIn' && otp.step).toBe('otp');
    expect(otp.fields.map((f) => f.label)).toEqual(['2FA code']);
    expect(disabledReason(otp, 'ok')).toBe('Enter the 2FA code');
  });
});
