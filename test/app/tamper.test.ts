// Someone who can write keyring.json but lacks the passphrase edits it between two runs. A
// second simulated system stands in for their server: whatever they edit, it must receive no
// login with any key, and no key tnc did not mint may be deleted on the real one.
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topDialog } from '../../src/app/state.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { RpcClient, login } from '../sim/raw-client.js';
import { PASSWORD, useControllerHarness, type Harness } from './controller-harness.js';

const NAS = 0;
const ATTACKER = 1;
const PASSPHRASE = 'pw';

// One per test: every test mints keys, and TrueNAS allows a user ten.
let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ systems: 2, failDelayMs: [5, 10], rateLimitPerMinute: 0 });
});
afterEach(() => sim.close());

const { open, statusText, untilConnected, addAndSignIn } = useControllerHarness(() => sim);

/** An API key of another integration on the NAS (a backup script's), made over the real API. */
async function otherIntegrationKey(name: string): Promise<number> {
  const rpc = await RpcClient.connect(sim.systems[NAS]!.url);
  try {
    await login(rpc, 'truenas_admin', PASSWORD);
    const created = await rpc.call('api_key.create', [{ name, username: 'truenas_admin' }]);
    return created.result.id as number;
  } finally {
    rpc.close();
  }
}

const keyLogins = (index: number) => sim.logins(index).filter((login) => login.mechanism.startsWith('API_KEY'));

interface Scene {
  dir: string;
  nasId: string;
  tncKeyName: string;
  backupId: number;
  backupName: string;
}

let scenes = 0;

/** A keyring holding the NAS's key, quit; then the file as the attacker left it. */
async function scene(tamper: (file: any, scene: Scene) => void): Promise<Scene> {
  const h = await open();
  await h.store.createKeyring('home', PASSPHRASE);
  const nasId = await addAndSignIn(h, NAS);
  await untilConnected(h, nasId, 'True');
  await h.controller.quit(false);
  const backupName = `backup-script-${scenes++}`;
  const made: Scene = { dir: h.dir, nasId, tncKeyName: h.store.getEntry(nasId)!.meta.keyName, backupId: await otherIntegrationKey(backupName), backupName };
  const path = h.store.filePath;
  const file = JSON.parse(await readFile(path, 'utf8'));
  tamper(file, made);
  await writeFile(path, JSON.stringify(file), { mode: 0o600 });
  return made;
}

async function unlocked(dir: string): Promise<Harness> {
  const h = await open(dir);
  await h.untilDialog('unlock');
  h.fill({ passphrase: PASSPHRASE });
  h.run('dialogEnter');
  await h.untilDialog(null);
  return h;
}

const nas = (file: any, id: string) => file.systems.find((system: { id: string }) => system.id === id);
const attacker = () => ({ address: sim.systems[ATTACKER]!.url, fingerprint: sim.systems[ATTACKER]!.fingerprint });

const RECORD_TAMPERS: Array<[string, (file: any, scene: Scene) => void]> = [
  ['the address, to the attacker', (file, s) => (nas(file, s.nasId).address = attacker().address)],
  ['address and fingerprint, to the attacker', (file, s) => Object.assign(nas(file, s.nasId), attacker())],
  ['address to the attacker, fingerprint removed', (file, s) => {
    nas(file, s.nasId).address = attacker().address;
    delete nas(file, s.nasId).fingerprint;
  }],
  ['the transport', (file, s) => (nas(file, s.nasId).transport = 'rest')],
  ['the username', (file, s) => (nas(file, s.nasId).username = 'root')],
  ['the key id, to the backup script key', (file, s) => (file.keyring.entries[s.nasId].meta.keyId = s.backupId)],
  ['key id and name, to the backup script key', (file, s) =>
    Object.assign(file.keyring.entries[s.nasId].meta, { keyId: s.backupId, keyName: s.backupName })],
];

describe('a keyring file edited by someone else', () => {
  it.each(RECORD_TAMPERS)('%s: the record shows changed, no key is sent anywhere, and removing it deletes nothing', async (_, tamper) => {
    const s = await scene(tamper);
    const nasLogins = keyLogins(NAS).length;
    const attackerLogins = keyLogins(ATTACKER).length;
    const h = await unlocked(s.dir);
    await untilConnected(h, s.nasId, 'False · record changed');
    expect(h.state().message?.text).toMatch(/1 system record changed outside tnc/);
    h.run('refresh');
    await h.until('a second check', (state) => (state.statuses.get(s.nasId)?.lastChecked ?? 0) > 0);
    await untilConnected(h, s.nasId, 'False · record changed');

    h.run('removeSystem');
    await h.untilDialog('removeSystem');
    h.run('buttonPrev', 'dialogEnter');
    await h.untilDialog(null);
    expect(h.state().message?.text).toMatch(/changed outside tnc, so its API key .* was not deleted/);
    expect(keyLogins(ATTACKER).length).toBe(attackerLogins);
    expect(keyLogins(NAS).length).toBe(nasLogins);
    const left = sim.apiKeys(NAS).map((key) => key.name);
    expect(left).toContain(s.backupName);
    expect(left).toContain(s.tncKeyName);
  });

  it('system ids swapped between two records: both show changed and neither server gets a key', async () => {
    const h = await open();
    await h.store.createKeyring('home', PASSPHRASE);
    const a = await addAndSignIn(h, NAS);
    const b = await addAndSignIn(h, ATTACKER);
    await untilConnected(h, b, 'True');
    await h.controller.quit(false);
    const file = JSON.parse(await readFile(h.store.filePath, 'utf8'));
    nas(file, a).id = 'swap';
    nas(file, b).id = a;
    nas(file, 'swap').id = b;
    await writeFile(h.store.filePath, JSON.stringify(file), { mode: 0o600 });
    const before = [keyLogins(NAS).length, keyLogins(ATTACKER).length];
    const again = await unlocked(h.dir);
    await untilConnected(again, a, 'False · record changed');
    await untilConnected(again, b, 'False · record changed');
    expect([keyLogins(NAS).length, keyLogins(ATTACKER).length]).toEqual(before);
  });

  it('a leftover pointing at the backup script key is never deleted, nor one with its id under a tnc name', async () => {
    const s = await scene((file, made) => {
      const base = { systemId: made.nasId, systemName: 'nas', address: sim.systems[NAS]!.url, username: 'truenas_admin', why: 'undeleted' };
      file.leftovers.push({ ...base, keyId: made.backupId, keyName: made.backupName });
      file.leftovers.push({ ...base, keyId: made.backupId, keyName: 'tnc-00000000-0000-4000-8000-00000000beef' });
    });
    const h = await unlocked(s.dir);
    await untilConnected(h, s.nasId, 'True');
    // Leftovers are cleaned at unlock and after a sign-in: do both.
    h.run('activate');
    await h.untilDialog('signIn');
    h.fill({ password: PASSWORD });
    h.run('dialogNext', 'dialogEnter');
    await h.untilDialog(null);
    await untilConnected(h, s.nasId, 'True');
    await h.until('leftover clean-up done', () => keyLogins(NAS).length > 0);
    expect(sim.apiKeys(NAS).some((key) => key.id === s.backupId && key.name === s.backupName)).toBe(true);
    expect(h.store.listLeftovers().map((leftover) => [leftover.keyName, leftover.verified])).toEqual([
      [s.backupName, false],
      ['tnc-00000000-0000-4000-8000-00000000beef', false],
    ]);
  });

  it('Enter on a changed record asks to trust it again, warning; Cancel sends nothing', async () => {
    const s = await scene((file, made) => Object.assign(nas(file, made.nasId), attacker()));
    const attackerLogins = sim.logins(ATTACKER).length;
    const h = await unlocked(s.dir);
    await untilConnected(h, s.nasId, 'False · record changed');
    h.run('activate');
    const trust = await h.untilDialog('trustCertificate');
    const dialog = topDialog(trust)!;
    // The pin matches the attacker's certificate (they edited both): still asked, with the warning.
    expect(dialog.kind === 'trustCertificate' && [dialog.recordChanged, dialog.certificate.fingerprint]).toEqual([true, attacker().fingerprint]);
    h.run('dialogEnter'); // focus starts on Cancel
    await h.untilDialog(null);
    expect(sim.logins(ATTACKER).length).toBe(attackerLogins);
    expect(statusText(h, s.nasId)).toBe('False · record changed');
  });

  it('after trusting the real server again and signing in, the record holds and the old key is left alone', async () => {
    const s = await scene((file, made) => (file.keyring.entries[made.nasId].meta.keyId = made.backupId));
    const h = await unlocked(s.dir);
    await untilConnected(h, s.nasId, 'False · record changed');
    h.run('activate');
    await h.untilDialog('trustCertificate');
    h.run('buttonPrev', 'dialogEnter');
    await h.untilDialog('signIn');
    h.fill({ password: PASSWORD });
    h.run('dialogNext', 'dialogEnter');
    await h.untilDialog(null);
    await untilConnected(h, s.nasId, 'True');
    expect(h.state().message?.text).toMatch(/previous key .* was not deleted because its record had been changed/);
    // It names the key the changed record held, not the one just stored.
    expect(h.state().message?.text).toContain(`previous key ${s.tncKeyName} `);
    expect(h.state().message?.text).not.toContain(`previous key ${h.store.getEntry(s.nasId)!.meta.keyName}`);
    const left = sim.apiKeys(NAS).map((key) => key.name);
    expect(left).toContain(s.backupName);
    expect(left).toContain(s.tncKeyName);
    expect(h.store.recordChanged(s.nasId)).toBe(false);
  });
});

describe('a file edited while tnc runs without a keyring', () => {
  /** This run's key for the NAS (no keyring: it lives in memory), then the file pointed at the attacker. */
  async function sessionKeyThenTamper(): Promise<{ h: Harness; id: string; attackerLogins: number }> {
    const h = await open();
    const id = await addAndSignIn(h, NAS);
    await untilConnected(h, id, 'True');
    const path = h.store.filePath;
    const file = JSON.parse(await readFile(path, 'utf8'));
    Object.assign(nas(file, id), attacker());
    await writeFile(path, JSON.stringify(file), { mode: 0o600 });
    await h.store.reload();
    return { h, id, attackerLogins: keyLogins(ATTACKER).length };
  }

  it('quitting deletes this run’s key only on the server it was minted for: the attacker gets no login, the key stays listed', async () => {
    const { h, attackerLogins } = await sessionKeyThenTamper();
    const listed = h.store.listLeftovers().map((leftover) => leftover.keyName);
    expect(listed).toHaveLength(1);
    await h.controller.quit(false);
    expect(keyLogins(ATTACKER).slice(attackerLogins)).toEqual([]);
    expect(h.store.listLeftovers().map((leftover) => leftover.keyName)).toEqual(listed);
  });

  it('Create Keyring stores no key for the changed record, so none goes to the attacker', async () => {
    const { h, id, attackerLogins } = await sessionKeyThenTamper();
    h.run('openKeyring', 'createKeyring');
    await h.untilDialog('createKeyring');
    h.fill({ name: 'home', passphrase: PASSPHRASE, confirm: PASSPHRASE });
    h.run('dialogNext', 'dialogNext', 'dialogNext', 'dialogEnter');
    await h.untilDialog(null);
    await untilConnected(h, id, 'False · record changed');
    expect(h.store.hasEntry(id)).toBe(false);
    expect(keyLogins(ATTACKER).slice(attackerLogins)).toEqual([]);
  });
});
