// Drives the controller against the real parts, as the keys would: a keyring store in a temp
// dir, the TrueNAS client and a simulator on loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { KeyringStore } from '../../store/keyring-store.js';
import type { Command } from '../../src/app/commands.js';
import { Controller } from '../../src/app/controller.js';
import { focusedButton, type DialogKind } from '../../src/app/dialogs.js';
import { topDialog, type AppState } from '../../src/app/state.js';
import { connectedText } from '../../src/app/systems.js';
import { TrueNASClient } from '../../src/client/client.js';
import type { Simulator } from '../../src/sim/types.js';

export const LOW_KDF = { opslimit: 1, memlimit: 8 * 1024 * 1024 };
export const PASSWORD = 'truenas-demo';
export const OTP = '123456';

export interface Harness {
  controller: Controller;
  store: KeyringStore;
  client: TrueNASClient;
  dir: string;
  state(): AppState;
  until(what: string, predicate: (state: AppState) => boolean): Promise<AppState>;
  untilDialog(kind: DialogKind | null): Promise<AppState>;
  fill(values: Record<string, string>): void;
  run(...commands: Command[]): void;
  /** Puts the cursor on a system, as the arrow keys would. */
  dispatchSelect(id: string): void;
}

/** Controllers opened by the returned functions are quit, and their directories removed, after each test. */
export function useControllerHarness(simulator: () => Simulator) {
  const harnesses: Harness[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) {
      await h.controller.quit(true);
      h.client.close();
    }
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function open(dir?: string, prepare?: (store: KeyringStore) => Promise<unknown>): Promise<Harness> {
    const dataDir = dir ?? (await mkdtemp(join(tmpdir(), 'tnc-controller-')));
    if (!dir) dirs.push(dataDir);
    const store = await KeyringStore.open(dataDir, { kdf: LOW_KDF });
    await prepare?.(store);
    const client = new TrueNASClient({ timeoutMs: 5_000 });
    const controller = new Controller(
      { store, client },
      { pollIntervalMs: 60_000, timeoutMs: 5_000, concurrency: 4, viewport: { columns: 100, rows: 30 } },
    );
    const state = () => controller.appStore.getState();
    const until = (what: string, predicate: (s: AppState) => boolean) =>
      new Promise<AppState>((resolve, reject) => {
        const check = () => {
          if (!predicate(state())) return;
          stop();
          resolve(state());
        };
        const timer = setTimeout(() => {
          stop();
          reject(new Error(`never happened: ${what}; top dialog ${JSON.stringify(topDialog(state()))}, message ${JSON.stringify(state().message)}`));
        }, 15_000);
        const unsubscribe = controller.appStore.subscribe(check);
        // Some conditions are outside the app state (the store, a simulator): look again now and then.
        const poll = setInterval(check, 50);
        const stop = () => {
          clearTimeout(timer);
          clearInterval(poll);
          unsubscribe();
        };
        check();
      });
    const h: Harness = {
      controller,
      store,
      client,
      dir: dataDir,
      state,
      until,
      untilDialog: (kind) =>
        until(`dialog ${kind}`, (s) => {
          const top = topDialog(s);
          return kind === null ? top === null : top?.kind === kind && top.busy === null;
        }),
      fill(values) {
        const dialog = topDialog(state())!;
        dialog.fields.forEach((field, index) => {
          if (field.id in values) controller.changeField(index, values[field.id]!);
        });
      },
      run: (...commands) => commands.forEach((command) => controller.command(command)),
      dispatchSelect: (id) => controller.appStore.dispatch({ type: 'systemSelected', id }),
    };
    harnesses.push(h);
    controller.start();
    return h;
  }

  function statusText(h: Harness, id: string): string {
    const state = h.state();
    return connectedText(state.statuses.get(id), state.systems.find((s) => s.id === id));
  }

  function untilConnected(h: Harness, id: string, text: string): Promise<AppState> {
    return h.until(`${id} shows ${text}`, () => statusText(h, id) === text);
  }

  /** Add System → Trust Certificate → Sign In, answering each dialog as a user would. */
  async function addAndSignIn(h: Harness, index: number, options: { name?: string } = {}): Promise<string> {
    const sim = simulator();
    h.run('addSystem');
    h.fill({ address: sim.systems[index]!.url, name: options.name ?? '' });
    h.run('dialogEnter', 'dialogEnter');
    const trust = await h.untilDialog('trustCertificate');
    const dialog = topDialog(trust)!;
    expect(dialog.kind === 'trustCertificate' && dialog.certificate.fingerprint).toBe(sim.systems[index]!.fingerprint);
    expect(focusedButton(dialog)?.id).toBe('cancel');
    h.run('buttonPrev', 'dialogEnter');
    const signIn = await h.untilDialog('signIn');
    expect(topDialog(signIn)!.fields[0]!.value).toBe('truenas_admin');
    h.fill({ password: PASSWORD });
    h.run('dialogNext', 'dialogEnter');
    const id = h.store.listSystems().find((s) => s.address === sim.systems[index]!.url)!.id;
    if (sim.systems[index]!.users.some((u) => u.otp)) {
      await h.until('2FA step', (s) => {
        const top = topDialog(s);
        return top?.kind === 'signIn' && top.step === 'otp' && top.busy === null;
      });
      h.fill({ otp: OTP });
      h.run('dialogEnter');
    }
    await h.untilDialog(null);
    return id;
  }

  /** The tnc keys on a simulated system that still work. */
  function tncKeys(index: number) {
    return simulator()
      .apiKeys(index)
      .filter((k) => k.name.startsWith('tnc-') && !k.revoked);
  }

  return { open, statusText, untilConnected, addAndSignIn, tncKeys };
}
