// The controller against the real parts: a keyring store in a temp dir, the TrueNAS client
// and the simulator on loopback. Driven by commands and field changes, as the keys would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { focusedButton } from '../../src/app/dialogs.js';
import { topDialog } from '../../src/app/state.js';
import { TrueNASClient } from '../../src/client/client.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { OTP, PASSWORD, useControllerHarness } from './controller-harness.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    systems: 3,
    failDelayMs: [20, 40],
    rateLimitPerMinute: 0,
    overrides: { 1: { users: [{ username: 'truenas_admin', password: PASSWORD, otp: OTP }] }, 2: { version: '24.10' } },
  });
});
afterAll(() => sim.close());

const { open, statusText, untilConnected, addAndSignIn, tncKeys } = useControllerHarness(() => sim);

describe('Add System, Trust Certificate, Sign In', () => {
  it('pins the certificate, mints a key, names the system after the server and polls it with the in-memory key', async () => {
    const h = await open();
    const before = tncKeys(0).length;
    const id = await addAndSignIn(h, 0);
    const record = h.store.getSystem(id)!;
    expect(record.fingerprint).toBe(sim.systems[0]!.fingerprint);
    expect(record.name).toBe(sim.systems[0]!.hostname);
    expect(h.store.hasEntry(id)).toBe(false);
    expect(tncKeys(0)).toHaveLength(before + 1);
    await untilConnected(h, id, 'True');
    expect(h.state().statuses.get(id)?.health?.info?.version).toMatch(/^25\.10/);
  });

  it('asks for the 2FA code when the account has one', async () => {
    const h = await open();
    const id = await addAndSignIn(h, 1, { name: 'otp-box' });
    expect(h.store.getSystem(id)!.name).toBe('otp-box');
    await untilConnected(h, id, 'True');
  });

  it('signs in to a REST-only 24.10 system', async () => {
    const h = await open();
    const id = await addAndSignIn(h, 2);
    await untilConnected(h, id, 'True');
    expect(h.store.getSystem(id)!.transport).toBe('rest');
  });

  it('says so on a wrong password, clears it and stays open; an Enter typed with the password submits', async () => {
    const h = await open(undefined, (store) =>
      store.addSystem({ name: 'nas', address: sim.systems[0]!.url, fingerprint: sim.systems[0]!.fingerprint }),
    );
    const system = h.store.listSystems()[0]!;
    h.run('activate');
    await h.untilDialog('signIn');
    h.fill({ password: 'wrong' });
    h.run('dialogNext', 'dialogEnter');
    const failed = await h.until('wrong password shown', (s) => topDialog(s)?.error === 'Wrong username or password');
    expect(topDialog(failed)!.fields.find((f) => f.id === 'password')!.value).toBe('');
    h.fill({ password: `${PASSWORD}\r` });
    await h.untilDialog(null);
    await untilConnected(h, system.id, 'True');
  });

  it('Cancel on Trust Certificate leaves the system listed as False · untrusted; Enter asks again', async () => {
    const h = await open();
    h.run('addSystem');
    h.fill({ address: sim.systems[0]!.url });
    h.run('dialogEnter', 'dialogEnter');
    await h.untilDialog('trustCertificate');
    h.run('dialogEnter');
    await h.untilDialog(null);
    const id = h.store.listSystems()[0]!.id;
    expect(h.store.getSystem(id)!.fingerprint).toBeUndefined();
    expect(statusText(h, id)).toBe('False · untrusted');
    h.run('activate');
    await h.untilDialog('trustCertificate');
  });
});

describe('keyring', () => {
  it('Create Keyring stores every key of this run at once; quitting then leaves nothing behind', async () => {
    const h = await open();
    const id = await addAndSignIn(h, 0);
    const keysOnServer = tncKeys(0).length;
    h.run('openKeyring', 'createKeyring');
    await h.untilDialog('createKeyring');
    h.fill({ name: 'home', passphrase: 'pass phrase', confirm: 'pass phrase' });
    h.run('dialogNext', 'dialogNext', 'dialogNext', 'dialogEnter');
    await h.untilDialog(null);
    expect(h.state().keyring).toEqual({ state: 'unlocked', name: 'home' });
    expect(h.store.hasEntry(id)).toBe(true);
    expect(h.state().systems.find((s) => s.id === id)?.key).toBe('stored');
    await untilConnected(h, id, 'True');
    await h.controller.quit(false);
    expect(tncKeys(0)).toHaveLength(keysOnServer);
    expect(h.store.listLeftovers()).toEqual([]);
    expect(h.store.keyringState()).toBe('locked');
  });

  it('a second sign-in replaces the stored key and deletes the old one on the server', async () => {
    const h = await open();
    await h.store.createKeyring('home', 'pw');
    const id = await addAndSignIn(h, 0);
    const first = h.store.listEntries()[0]!.meta.keyId;
    h.run('activate');
    await h.untilDialog('signIn');
    h.fill({ password: PASSWORD });
    h.run('dialogNext', 'dialogEnter');
    await h.untilDialog(null);
    const second = h.store.listEntries()[0]!.meta.keyId;
    expect(second).not.toBe(first);
    expect(sim.apiKeys(0).some((k) => k.id === first)).toBe(false);
    await untilConnected(h, id, 'True');
  });

  it('Unlock at start: wrong passphrase stays open and clears; the right one connects every stored system', async () => {
    const first = await open();
    await first.store.createKeyring('home', 'pw');
    const id = await addAndSignIn(first, 0);
    await first.controller.quit(false);
    const h = await open(first.dir);
    const state = await h.untilDialog('unlock');
    expect(state.keyring.state).toBe('locked');
    await untilConnected(h, id, 'False · locked');
    h.fill({ passphrase: 'nope' });
    h.run('dialogEnter');
    const wrong = await h.until('wrong passphrase', (s) => topDialog(s)?.error === 'Wrong passphrase');
    expect(topDialog(wrong)!.fields[0]!.value).toBe('');
    h.fill({ passphrase: 'pw' });
    h.run('dialogEnter');
    await h.untilDialog(null);
    await untilConnected(h, id, 'True');
  });

  it('with the keyring locked, Add System asks for the passphrase first, then goes on to Add System', async () => {
    const first = await open();
    await first.store.createKeyring('home', 'pw');
    await first.controller.quit(false);
    const h = await open(first.dir);
    await h.untilDialog('unlock');
    h.run('dialogCancel');
    await h.untilDialog(null);
    h.run('addSystem');
    const asked = await h.untilDialog('unlock');
    const dialog = topDialog(asked)!;
    expect(dialog.kind === 'unlock' && dialog.purpose).toMatch(/Adding a system needs the keyring unlocked/);
    h.fill({ passphrase: 'pw' });
    h.run('dialogEnter');
    await h.untilDialog('addSystem');
    expect(h.store.keyringState()).toBe('unlocked');
  });

  it('at unlock, deletes the leftovers the keyring vouches for with each system’s stored key, asking no password', async () => {
    const first = await open();
    await first.store.createKeyring('home', 'pw');
    const id = await addAndSignIn(first, 0);
    // A key an earlier run could not delete, recorded while the keyring was unlocked.
    const client = new TrueNASClient({ timeoutMs: 5_000 });
    const record = first.store.getSystem(id)!;
    const old = await client.signIn({ address: record.address, fingerprint: record.fingerprint }, { username: 'truenas_admin', password: PASSWORD });
    client.close();
    await first.store.putLeftover({ systemId: id, systemName: record.name, address: record.address, keyId: old.keyId, keyName: old.keyName, username: old.username, why: 'undeleted' });
    await first.controller.quit(false);
    expect(sim.apiKeys(0).some((key) => key.name === old.keyName)).toBe(true);
    const h = await open(first.dir);
    await h.untilDialog('unlock');
    h.fill({ passphrase: 'pw' });
    h.run('dialogEnter');
    await h.untilDialog(null);
    await h.until('the leftover deleted', () => h.store.listLeftovers().length === 0);
    expect(sim.apiKeys(0).some((key) => key.name === old.keyName)).toBe(false);
  });

  it('Reset lists the keys it leaves on the servers', async () => {
    const h = await open();
    await h.store.createKeyring('home', 'pw');
    await addAndSignIn(h, 0);
    const keyName = h.store.listEntries()[0]!.meta.keyName;
    h.run('openKeyring', 'resetKeyring');
    await h.untilDialog('resetKeyring');
    h.run('buttonPrev', 'dialogEnter');
    const done = await h.untilDialog('resetDone');
    const dialog = topDialog(done)!;
    expect(dialog.kind === 'resetDone' && dialog.leftovers.join('\n')).toContain(keyName);
    expect(done.keyring.state).toBe('none');
  });
});

describe('Remove System and quitting', () => {
  it('Remove deletes the stored key on the server when unlocked and reachable', async () => {
    const h = await open();
    await h.store.createKeyring('home', 'pw');
    const id = await addAndSignIn(h, 0);
    const keyId = h.store.listEntries()[0]!.meta.keyId;
    await untilConnected(h, id, 'True');
    h.run('removeSystem');
    const confirm = await h.untilDialog('removeSystem');
    expect(focusedButton(topDialog(confirm)!)?.id).toBe('cancel');
    h.run('dialogEnter');
    await h.untilDialog(null);
    expect(h.store.getSystem(id)).toBeDefined();
    h.run('removeSystem');
    await h.untilDialog('removeSystem');
    h.run('buttonPrev', 'dialogEnter');
    await h.untilDialog(null);
    expect(h.store.getSystem(id)).toBeUndefined();
    expect(sim.apiKeys(0).some((k) => k.id === keyId)).toBe(false);
  });

  it('removing one system leaves the other systems’ kept sessions alone: no new login there', async () => {
    const h = await open();
    await h.store.createKeyring('home', 'pw');
    const kept = await addAndSignIn(h, 0);
    const removed = await addAndSignIn(h, 1, { name: 'gone' });
    await untilConnected(h, kept, 'True');
    await untilConnected(h, removed, 'True');
    const keyLogins = () => sim.logins(0).filter((login) => login.mechanism === 'API_KEY_PLAIN').length;
    const before = keyLogins();
    const checkedBefore = h.state().statuses.get(kept)!.lastChecked!;
    h.dispatchSelect(removed);
    h.run('removeSystem');
    await h.untilDialog('removeSystem');
    h.run('buttonPrev', 'dialogEnter');
    await h.untilDialog(null);
    expect([h.store.getSystem(removed), h.store.getSystem(kept)?.id]).toEqual([undefined, kept]);
    h.run('refresh');
    await h.until('a fresh check of the one left', (s) => (s.statuses.get(kept)?.lastChecked ?? 0) > checkedBefore && s.statuses.get(kept)?.connected === true);
    expect(keyLogins()).toBe(before);
  });

  it('quitting deletes unstored keys; one that cannot be deleted is recorded and announced at the next start', async () => {
    const h = await open();
    await addAndSignIn(h, 0);
    const id = await addAndSignIn(h, 2);
    const reachable = tncKeys(0).length;
    await sim.setFault(2, 'down');
    try {
      await h.controller.quit(false);
    } finally {
      await sim.setFault(2, 'none');
    }
    expect(tncKeys(0)).toHaveLength(reachable - 1);
    const leftovers = h.store.listLeftovers();
    expect(leftovers).toEqual([expect.objectContaining({ systemId: id, why: 'unstored' })]);
    const next = await open(h.dir);
    const message = next.state().message;
    expect(message?.tone).toBe('warning');
    expect(message?.text).toContain(leftovers[0]!.keyName);
  });
});

describe('certificate changed', () => {
  it('shows the new fingerprint beside the pinned one and asks again; Cancel keeps the old pin', async () => {
    const h = await open();
    await h.store.createKeyring('home', 'pw');
    const id = await addAndSignIn(h, 1, { name: 'rotating' });
    await untilConnected(h, id, 'True');
    const pinned = sim.systems[1]!.fingerprint;
    await sim.rotateCertificate(1);
    h.run('refresh');
    await untilConnected(h, id, 'False · certificate changed');
    h.run('activate');
    const trust = await h.untilDialog('trustCertificate');
    const dialog = topDialog(trust)!;
    expect(dialog.kind === 'trustCertificate' && [dialog.pinned, dialog.certificate.fingerprint]).toEqual([pinned, sim.systems[1]!.fingerprint]);
    h.run('dialogEnter');
    await h.untilDialog(null);
    expect(statusText(h, id)).toBe('False · certificate changed');
    expect(h.store.getSystem(id)!.fingerprint).toBe(pinned);
  });
});
