import { afterEach, describe, expect, it } from 'vitest';
import { focusedButton } from '../../src/app/dialogs.js';
import { topDialog } from '../../src/app/state.js';
import type { SystemView } from '../../src/app/systems.js';
import type { KeyringStore } from '../../store/keyring-store.js';
import { startApp, type StartedApp } from './app-harness.js';
import { flat, KEYS } from './render-helper.js';

const apps: StartedApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(...args: Parameters<typeof startApp>): Promise<StartedApp> {
  const app = await startApp(...args);
  apps.push(app);
  return app;
}

/** Unreachable at once: nothing listens on port 1. */
const DEAD = '127.0.0.1:1';

async function keyringWithOneKey(store: KeyringStore, lock: boolean): Promise<void> {
  await store.createKeyring('home', 'pw');
  const system = await store.addSystem({ name: 'nas1', address: DEAD });
  await store.storeKey(system.id, 'key-1', { keyId: 7, keyName: 'tnc-abc', username: 'truenas_admin', storedAt: new Date().toISOString() });
  if (lock) store.lock();
}

describe('Create Keyring Passphrase', () => {
  it('keeps Ok disabled, saying why, until the fields are complete and match; Enter from Confirm creates it', async () => {
    const app = await start();
    await app.waitForContent('No keyring');
    await app.sendInputAndWaitForChange('K');
    await app.sendInputAndWaitForChange('c');
    let frame = await app.waitForContent('Create Keyring Passphrase');
    expect(flat(frame)).toContain('creating API keys and encrypting them client-side with a passphrase');
    expect(flat(frame)).toContain('TrueNAS user credentials are never stored');
    expect(flat(frame)).toContain('a passphrase different from your TrueNAS user password');
    expect(frame).toContain('[Ok]');
    expect(frame).toContain('Ok is disabled: Enter a name for the keyring');

    await app.type('home');
    expect(app.lastFrame()).toContain('Ok is disabled: Enter a passphrase');
    await app.sendInputAndWaitForChange(KEYS.enter);
    await app.type('pw');
    expect(app.lastFrame()).toContain('Ok is disabled: Confirm the passphrase');
    await app.sendInputAndWaitForChange(KEYS.enter);
    await app.type('px');
    frame = app.lastFrame();
    expect(frame).toContain('Ok is disabled: Passphrases do not match');
    // Enter from the last field does nothing while Ok is disabled.
    app.sendInput(KEYS.enter);
    await app.sendInputAndWaitForChange(KEYS.backspace);
    frame = await app.type('w');
    expect(frame).not.toContain('Ok is disabled');
    expect(frame).not.toContain('[Ok]');
    expect(frame).not.toMatch(/pw|px/);
    expect(app.store.keyringState()).toBe('none');

    await app.sendInputAndWaitForChange(KEYS.enter);
    frame = await app.waitForContent('Unlocked: home');
    expect(frame).not.toContain('Create Keyring Passphrase');
    expect(app.store.keyringState()).toBe('unlocked');
  });
});

describe('Reset Keyring', () => {
  it('starts on Cancel so Enter changes nothing; Ok resets and lists the keys left on servers', async () => {
    const app = await start({ prepare: (store) => keyringWithOneKey(store, false) });
    await app.waitForContent('Unlocked: home');
    await app.sendInputAndWaitForChange('K');
    let frame = await app.sendInputAndWaitForChange('r');
    expect(frame).toContain('Reset Keyring');
    expect(flat(frame)).toContain('permanently removes the encryption keys from the database');
    expect(flat(frame)).toContain('Every TrueNAS server must then be authenticated by hand');
    expect(frame).toMatch(/ Ok \s+›Cancel‹/);
    const dialog = topDialog(app.controller.appStore.getState());
    expect(dialog && focusedButton(dialog)?.id).toBe('cancel');

    frame = await app.sendInputAndWaitForChange(KEYS.enter);
    expect(frame).not.toContain('permanently removes');
    expect(app.store.keyringState()).toBe('unlocked');

    await app.sendInputAndWaitForChange('r');
    await app.sendInputAndWaitForChange(KEYS.left);
    await app.sendInputAndWaitForChange(KEYS.enter);
    frame = await app.waitForContent('Keyring Reset');
    expect(frame).toContain('tnc-abc on nas1 (127.0.0.1:1)');
    expect(flat(frame)).toContain('Credentials → Users → API keys');
    expect(app.store.keyringState()).toBe('none');
    await app.sendInputAndWaitForChange(KEYS.enter);
    await app.waitForContent('No keyring');
  });
});

describe('Unlock Keyring at start', () => {
  it('says so on a wrong passphrase, clears the field and stays open; the right one unlocks', async () => {
    const app = await start({ prepare: (store) => keyringWithOneKey(store, true) });
    await app.waitForContent('Unlock Keyring');
    await app.type('bad');
    expect(app.lastFrame()).toContain('***');
    await app.sendInputAndWaitForChange(KEYS.enter);
    const frame = await app.waitForContent('Wrong passphrase');
    expect(frame).not.toContain('***');
    expect(frame).toContain('Unlock Keyring');
    await app.type('pw');
    await app.sendInputAndWaitForChange(KEYS.enter);
    await app.waitForContent('Unlocked: home');
    expect(app.store.keyringState()).toBe('unlocked');
  });

  it('Cancel continues locked: the key stays Stored and the system shows False · locked', async () => {
    const app = await start({ prepare: (store) => keyringWithOneKey(store, true) });
    await app.waitForContent('Unlock Keyring');
    await app.sendInputAndWaitForChange(KEYS.escape);
    await app.waitForContent(/nas1.*False · locked/);
    await app.sendInputAndWaitForChange('K');
    const frame = await app.waitForContent(/nas1\s+Stored\s+False · locked/);
    expect(frame).toMatch(/← Dashboard\s+Reset\s+Unlock/);
  });
});

describe('keys that must not surprise', () => {
  it('Esc closes dialogs, clears the filter and goes back, but never quits', async () => {
    const app = await start();
    await app.waitForContent('No keyring');
    await app.sendInputAndWaitForChange('a');
    await app.waitForContent('Add System');
    let frame = await app.sendInputAndWaitForChange(KEYS.escape);
    expect(frame).not.toContain('Address:');
    await app.sendInputAndWaitForChange('?');
    await app.waitForContent('Everywhere');
    frame = await app.sendInputAndWaitForChange(KEYS.escape);
    expect(frame).not.toContain('Everywhere');
    await app.sendInputAndWaitForChange('K');
    frame = await app.sendInputAndWaitForChange(KEYS.escape);
    expect(frame).not.toContain('· Keyring');
    app.sendInput(KEYS.escape);
    app.sendInput(KEYS.escape);
    await app.sendInputAndWaitForChange('?');
    expect(app.controller.appStore.getState().quitting).toBe(false);
  });

  it('q typed in a text field is text; on a screen it quits', async () => {
    const app = await start();
    await app.waitForContent('No keyring');
    await app.sendInputAndWaitForChange('a');
    const frame = await app.type('q?');
    expect(frame).toMatch(/Address\s+q\?/);
    expect(app.controller.appStore.getState().quitting).toBe(false);
    await app.sendInputAndWaitForChange(KEYS.escape);
    app.sendInput('q');
    await expect(app.controller.exited).resolves.toBe(0);
  });

  it('Ctrl+C quits at once, also from a text field', async () => {
    const app = await start();
    await app.sendInputAndWaitForChange('a');
    app.sendInput(KEYS.ctrlC);
    await expect(app.controller.exited).resolves.toBe(0);
  });

  it('below 80×24 the keys do nothing until the terminal is big enough', async () => {
    const app = await start({ size: { columns: 70, rows: 20 } });
    await app.waitForContent('terminal too small: need 80×24, have 70×20');
    app.sendInput('a');
    app.sendInput('K');
    app.resize(100, 30);
    const frame = await app.waitForContent('No keyring');
    expect(frame).not.toContain('Add System\n');
    expect(topDialog(app.controller.appStore.getState())).toBeNull();
    expect(app.controller.appStore.getState().screen).toBe('dashboard');
  });
});

describe('Dashboard', () => {
  it('filters with / and clears with Esc', async () => {
    const app = await start({
      prepare: async (store) => {
        for (const name of ['alpha', 'beta', 'gamma']) await store.addSystem({ name, address: `${name}.invalid` });
      },
    });
    await app.waitForContent('gamma');
    await app.sendInputAndWaitForChange('/');
    let frame = await app.type('be');
    expect(frame).toContain('beta');
    expect(frame).not.toContain('alpha');
    frame = await app.sendInputAndWaitForChange(KEYS.enter);
    expect(frame).toContain('Filter: be');
    frame = await app.sendInputAndWaitForChange(KEYS.escape);
    expect(frame).toContain('alpha');
    expect(frame).toContain('gamma');
  });

  it('keeps the cursor row visible through G, PgDn and g with 1,000 systems', async () => {
    const app = await start();
    await app.waitForContent('No keyring');
    const systems: SystemView[] = Array.from({ length: 1000 }, (_, i) => ({
      id: `id-${i}`,
      name: `nas-${String(i).padStart(4, '0')}`,
      address: `10.1.${Math.floor(i / 250)}.${i % 250}`,
      key: null,
    }));
    app.controller.appStore.dispatch({ type: 'systemsLoaded', systems });
    await app.waitForContent('nas-0000');
    const cursorLine = () => app.lastFrame().split('\n').find((line) => line.startsWith('›'));
    let frame = await app.sendInputAndWaitForChange('G');
    expect(cursorLine()).toContain('nas-0999');
    expect(frame.split('\n').filter((l) => /nas-\d{4}/.test(l)).length).toBeLessThan(30);
    await app.sendInputAndWaitForChange('g');
    expect(cursorLine()).toContain('nas-0000');
    frame = await app.sendInputAndWaitForChange(KEYS.pageDown);
    const { cursor } = app.controller.appStore.getState().views.dashboard;
    expect(cursor).toBeGreaterThan(0);
    expect(cursorLine()).toContain(`nas-${String(cursor).padStart(4, '0')}`);
    await app.sendInputAndWaitForChange('j');
    expect(cursorLine()).toContain(`nas-${String(cursor + 1).padStart(4, '0')}`);
  });

  it('Tab moves focus to the header buttons; Enter presses the focused one', async () => {
    const app = await start();
    await app.waitForContent('No keyring');
    await app.sendInputAndWaitForChange('K');
    await app.sendInputAndWaitForChange(KEYS.tab);
    expect(app.controller.appStore.getState().focus).toBe(0);
    const frame = await app.sendInputAndWaitForChange(KEYS.enter);
    expect(frame).not.toContain('· Keyring');
  });
});
