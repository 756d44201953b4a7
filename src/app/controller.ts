// The effects of the application: turns commands and dialog submissions into calls on the
// keyring store, the TrueNAS client and the poller, and dispatches what came of them.
import { WrongPassphraseError } from '../../store/errors.js';
import type { KeyringStore } from '../../store/keyring-store.js';
import type { SystemRecord } from '../../store/types.js';
import { originOf, parseAddress } from '../client/address.js';
import type { TrueNASClient } from '../client/client.js';
import type { CertificateInfo } from '../client/types.js';
import { createKeyChecker } from '../poller/key-checker.js';
import { Poller } from '../poller/poller.js';
import { createAppStore, type AppStore } from './app-store.js';
import type { Command } from './commands.js';
import type { CursorMove } from './table-view.js';
import { dialogs, enterOutcome, fieldValue, otpStep, type ButtonId, type Dialog, type DialogOf } from './dialogs.js';
import { errorText, reasonOf } from './errors-text.js';
import { KeyLifecycle, type SignedIn } from './key-lifecycle.js';
import type { Viewport } from './layout.js';
import type { KeyView, SystemView } from './systems.js';
import {
  focusedHeaderButton,
  initialState,
  selectedSystem,
  tooSmall,
  topDialog,
  type Action,
  type AppState,
  type HeaderButtonId,
  type StatusMessage,
} from './state.js';

export interface ControllerOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  concurrency: number;
  viewport: Viewport;
  demoLines?: readonly string[];
}

/** Deleting unstored keys must not hold up quitting for long. */
const QUIT_DEADLINE_MS = 3_000;
/** SIGHUP and SIGTERM: the SSH session is gone or the system is shutting down. */
const SIGNAL_DEADLINE_MS = 2_000;
const DEFAULT_USERNAME = 'truenas_admin';
const STATUS_BATCH_MS = 250;

const CURSOR_MOVES = {
  cursorUp: 'up',
  cursorDown: 'down',
  cursorTop: 'top',
  cursorBottom: 'bottom',
  pageUp: 'pageUp',
  pageDown: 'pageDown',
} as const satisfies Partial<Record<Command, CursorMove>>;
const API_KEYS_HINT = 'delete them in TrueNAS under Credentials → Users → API keys';

/** The work a dialog started was cancelled by the user: the dialog has closed already. */
class Cancelled extends Error {}

/** The certificate's common name, else the host it was fetched from. */
function certificateName(certificate: CertificateInfo): string {
  return /CN=([^,/]+)/.exec(certificate.subject)?.[1]?.trim() || certificate.host;
}

/**
 * Keys that arrive in one burst (a slow link, a script) reach a text field as one string,
 * Enter included. Control characters are never part of a field; a line end is Enter.
 */
function typedText(value: string): { text: string; enter: boolean } {
  return { text: value.replace(/[\u0000-\u001f\u007f]/g, ''), enter: /[\r\n]/.test(value) };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export class Controller {
  readonly appStore: AppStore;
  /** Resolves with the exit code once quitting has finished its cleanup. */
  readonly exited: Promise<number>;

  private readonly store: KeyringStore;
  private readonly client: TrueNASClient;
  private readonly poller: Poller;
  private readonly checker: ReturnType<typeof createKeyChecker>;
  private readonly keys: KeyLifecycle;
  private readonly timeoutMs: number;
  /** Systems added without a name: they take the server's hostname after sign-in. */
  private readonly unnamed = new Set<string>();
  /** Systems whose certificate the user declined in this run. */
  private readonly declined = new Set<string>();
  private unsubscribePoller: (() => void) | null = null;
  /** Aborts the cancellable work of the top dialog. */
  private work: AbortController | null = null;
  private otpAnswer: ((code: string | null) => void) | null = null;
  private certificateCheck = false;
  /** What the user asked for that needs the keyring unlocked first; done once it is. */
  private afterUnlock: (() => void) | null = null;
  private resolveExit!: (code: number) => void;

  constructor(deps: { store: KeyringStore; client: TrueNASClient }, options: ControllerOptions) {
    this.store = deps.store;
    this.client = deps.client;
    this.timeoutMs = options.timeoutMs;
    this.appStore = createAppStore(initialState(options.viewport, options.demoLines));
    this.keys = new KeyLifecycle(this.store, this.client, options.timeoutMs);
    this.checker = createKeyChecker(this.store, this.client, { timeoutMs: options.timeoutMs, sessionKeys: this.keys.sessionKeys });
    this.poller = new Poller({
      check: this.checker.check,
      intervalMs: options.pollIntervalMs,
      timeoutMs: options.timeoutMs,
      concurrency: options.concurrency,
      // A few renders a second (SPEC §8): each full frame costs the key presses waiting behind it.
      batchMs: STATUS_BATCH_MS,
    });
    this.exited = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }

  private get state(): AppState {
    return this.appStore.getState();
  }

  private dispatch(action: Action): void {
    this.appStore.dispatch(action);
  }

  private say(text: string, tone: StatusMessage['tone'] = 'info', busy = false): void {
    this.dispatch({ type: 'messageShown', message: { text, tone, busy } });
  }

  start(): void {
    this.reloadSystems();
    this.reloadKeyring();
    // One dispatch per poller batch: a sweep over many systems re-renders a few times, not once per system.
    this.unsubscribePoller = this.poller.subscribe((changed) => this.dispatch({ type: 'statusesChanged', statuses: changed }));
    this.poller.start();
    const leftovers = this.store.listLeftovers();
    if (leftovers.length > 0) {
      const names = leftovers.map((k) => `${k.keyName} (${k.systemName})`).join(', ');
      this.say(`${plural(leftovers.length, 'API key')} tnc could not delete remain on servers: ${names}; ${API_KEYS_HINT}`, 'warning');
    }
    if (this.store.keyringState() === 'locked') this.openDialog(dialogs.unlock());
  }

  /**
   * With a keyring, what changes a record (adding a system, trusting a certificate, signing
   * in) needs it unlocked, so that it can vouch for the change: ask for the passphrase first.
   */
  private whenUnlocked(purpose: string, then: () => void): void {
    if (this.store.keyringState() !== 'locked') return then();
    this.afterUnlock = then;
    this.openDialog(dialogs.unlock(purpose));
  }

  resize(viewport: Viewport): void {
    this.dispatch({ type: 'resized', viewport });
  }

  changeField(index: number, value: string): void {
    if (topDialog(this.state)?.busy) return;
    const typed = typedText(value);
    this.dispatch({ type: 'dialogFieldChanged', index, value: typed.text });
    if (typed.enter) this.command('dialogEnter');
  }

  changeFilter(text: string): void {
    const typed = typedText(text);
    this.dispatch({ type: 'filterChanged', text: typed.text });
    if (typed.enter) this.command('filterDone');
  }

  command(command: Command): void {
    const state = this.state;
    if (state.quitting) return;
    if (command === 'quitNow') {
      void this.quit(true);
      return;
    }
    if (tooSmall(state)) {
      if (command === 'quit') void this.quit(false);
      return;
    }
    const dialog = topDialog(state);
    if (dialog) this.dialogCommand(dialog, command);
    else this.screenCommand(command);
  }

  private screenCommand(command: Command): void {
    const state = this.state;
    switch (command) {
      case 'help':
        return this.openDialog(dialogs.help(state.screen));
      case 'quit':
        return void this.quit(false);
      case 'cursorUp':
      case 'cursorDown':
      case 'cursorTop':
      case 'cursorBottom':
      case 'pageUp':
      case 'pageDown':
        return this.dispatch({ type: 'cursorMoved', move: CURSOR_MOVES[command] });
      case 'focusNext':
        return this.dispatch({ type: 'focusMoved', step: 1 });
      case 'focusPrev':
        return this.dispatch({ type: 'focusMoved', step: -1 });
      case 'activate': {
        const button = focusedHeaderButton(state);
        if (button) return this.pressHeader(button.id);
        return this.signInSelected();
      }
      case 'addSystem':
        return this.pressHeader('addSystem');
      case 'openKeyring':
        return this.pressHeader('openKeyring');
      case 'unlock':
        return this.pressHeader('unlock');
      case 'back':
        return this.pressHeader('back');
      case 'resetKeyring':
        return this.pressHeader('resetKeyring');
      case 'createKeyring':
        return this.pressHeader('createKeyring');
      case 'removeSystem': {
        const system = selectedSystem(state);
        if (!system) return this.say('No system selected', 'warning');
        return this.openDialog(dialogs.removeSystem(system.id, system.name, system.address));
      }
      case 'refresh':
        this.poller.checkNow();
        return this.say('Checking every system now');
      case 'filter':
        return this.dispatch({ type: 'filterStarted' });
      case 'filterDone':
        return this.dispatch({ type: 'filterDone' });
      case 'filterClear':
        return this.dispatch({ type: 'filterCleared' });
      case 'problemsOnly':
        this.dispatch({ type: 'problemsToggled' });
        return this.say(this.state.filter.problems ? 'Showing only systems with a problem (! shows all)' : 'Showing all systems');
      case 'openSystem':
        if (!selectedSystem(state)) return this.say('No system selected: press a to add one', 'warning');
        return this.dispatch({ type: 'detailOpened' });
      case 'recheck': {
        const system = selectedSystem(state);
        if (!system) return;
        this.poller.checkNow(system.id);
        return this.say(`Checking ${system.name} now`);
      }
      default:
        return;
    }
  }

  private openDialog(dialog: Dialog): void {
    // Key derivation needs a worker with libsodium loaded: start it while the passphrase is typed.
    if (dialog.kind === 'unlock' || dialog.kind === 'createKeyring') this.store.prepareUnlock();
    this.dispatch({ type: 'dialogOpened', dialog });
  }

  private pressHeader(id: HeaderButtonId): void {
    const keyring = this.state.keyring.state;
    switch (id) {
      case 'addSystem':
        return this.whenUnlocked('Adding a system needs the keyring unlocked, so that it can vouch for the new record.', () =>
          this.openDialog(dialogs.addSystem()),
        );
      case 'openKeyring':
        return this.dispatch({ type: 'screenChanged', screen: 'keyring' });
      case 'back':
        return this.dispatch({ type: 'screenChanged', screen: 'dashboard' });
      case 'unlock':
        if (keyring === 'locked') return this.openDialog(dialogs.unlock());
        return this.say(keyring === 'none' ? 'There is no keyring yet: create one on the Keyring screen' : 'The keyring is unlocked already');
      case 'resetKeyring':
        if (keyring === 'none') return this.say('There is no keyring to reset');
        return this.openDialog(dialogs.resetKeyring());
      case 'createKeyring':
        if (keyring !== 'none') return this.say('A keyring exists already: reset it to create a new one');
        return this.openDialog(dialogs.createKeyring());
    }
  }

  private dialogCommand(dialog: Dialog, command: Command): void {
    if (command === 'dialogCancel') return this.cancel(dialog);
    if (dialog.busy) return;
    switch (command) {
      case 'help':
        if (dialog.kind !== 'help') this.openDialog(dialogs.help('dialog'));
        return;
      case 'dialogNext':
        return this.dispatch({ type: 'dialogFocusMoved', step: 1 });
      case 'dialogPrev':
        return this.dispatch({ type: 'dialogFocusMoved', step: -1 });
      case 'buttonNext':
        return this.dispatch({ type: 'dialogFocusMoved', step: 1, buttonsOnly: true });
      case 'buttonPrev':
        return this.dispatch({ type: 'dialogFocusMoved', step: -1, buttonsOnly: true });
      case 'dialogEnter': {
        const outcome = enterOutcome(dialog);
        if (outcome.kind === 'focus') this.dispatch({ type: 'dialogReplaced', kind: dialog.kind, dialog: outcome.dialog });
        if (outcome.kind === 'press') this.press(dialog, outcome.button);
        return;
      }
      default:
        return;
    }
  }

  private cancel(dialog: Dialog): void {
    if (dialog.busy) {
      if (dialog.busy.cancellable) this.work?.abort();
      return;
    }
    if (dialog.kind === 'signIn' && this.otpAnswer) {
      // The sign-in waits for the code: answering null ends it, and its failure closes nothing twice.
      this.answerOtp(null);
    }
    this.dispatch({ type: 'dialogClosed', kind: dialog.kind });
    if (dialog.kind === 'unlock') {
      this.afterUnlock = null;
      this.say('The keyring stays locked: systems with a stored key show False · locked');
    }
    if (dialog.kind === 'trustCertificate' && dialog.pinned === null) {
      this.declined.add(dialog.systemId);
      this.reloadSystems();
      this.say(`${dialog.systemName}: certificate not trusted`, 'warning');
    } else if (dialog.kind === 'trustCertificate') {
      // The old pin stays, and so does `certificate changed`.
      this.say(`${dialog.systemName}: the new certificate was not trusted`, 'warning');
    }
  }

  private press(dialog: Dialog, button: ButtonId): void {
    if (button === 'cancel') return this.cancel(dialog);
    switch (dialog.kind) {
      case 'addSystem':
        return void this.addSystem(dialog);
      case 'trustCertificate':
        return this.trust(dialog);
      case 'signIn':
        return dialog.step === 'otp' ? this.submitOtp(dialog) : void this.signIn(dialog);
      case 'createKeyring':
        return void this.createKeyring(dialog);
      case 'unlock':
        return void this.unlock(dialog);
      case 'resetKeyring':
        return void this.reset(dialog);
      case 'removeSystem':
        return void this.removeSystem(dialog);
      case 'resetDone':
      case 'help':
        return this.dispatch({ type: 'dialogClosed', kind: dialog.kind });
    }
  }

  /**
   * Runs the work a dialog's button started, with the dialog showing `label` beside a
   * spinner. Failures become the dialog's one-line error; a cancelled run closes it.
   */
  private async dialogWork<T>(
    dialog: Dialog,
    label: string,
    cancellable: boolean,
    work: (signal: AbortSignal) => Promise<T>,
    onError?: (error: unknown) => boolean,
  ): Promise<T | Cancelled> {
    const controller = new AbortController();
    this.work = controller;
    this.dispatch({ type: 'dialogBusy', kind: dialog.kind, busy: { label, cancellable } });
    try {
      return await work(controller.signal);
    } catch (error) {
      if (controller.signal.aborted || reasonOf(error) === 'cancelled') {
        this.dispatch({ type: 'dialogClosed', kind: dialog.kind });
        return new Cancelled();
      }
      if (!onError?.(error)) this.dispatch({ type: 'dialogFailed', kind: dialog.kind, error: errorText(error) });
      return new Cancelled();
    } finally {
      if (this.work === controller) this.work = null;
    }
  }

  private reloadSystems(): void {
    const entries = new Map(this.store.listEntries().map((entry) => [entry.systemId, entry]));
    const systems: SystemView[] = this.store.listSystems().map((record) => {
      const entry = entries.get(record.id);
      const session = this.keys.sessionKeys.get(record.id);
      const keyInfo: KeyView | undefined = session
        ? { name: session.keyName, id: session.keyId, user: session.username, storedAt: null }
        : entry && { name: entry.meta.keyName, id: entry.meta.keyId, user: entry.meta.username, storedAt: entry.meta.storedAt };
      return {
        id: record.id,
        name: record.name,
        address: record.address,
        fingerprint: record.fingerprint,
        key: entry?.state ?? null,
        ...(keyInfo ? { keyInfo } : {}),
        untrusted: this.declined.has(record.id),
      };
    });
    this.dispatch({ type: 'systemsLoaded', systems });
    this.poller.setSystems(systems.map((system) => system.id));
  }

  private reloadKeyring(): void {
    this.dispatch({ type: 'keyringChanged', state: this.store.keyringState(), name: this.store.keyringName() });
  }

  /** After any change of keys: the checker must not use a cached key, and rows show the news soon. */
  private keysChanged(id?: string): void {
    this.checker.forget(id);
    this.reloadSystems();
    this.reloadKeyring();
    this.poller.checkNow(id);
  }

  // --- Add System, Trust Certificate, Sign In ------------------------------------------

  /** What is wrong with an address the user typed, before any connection is made. */
  private addressProblem(address: string): string | null {
    let origin: string;
    try {
      origin = parseAddress(address).origin;
    } catch (error) {
      return errorText(error);
    }
    const twin = this.store.listSystems().find((record) => originOf(record.address) === origin);
    return twin ? `This system is listed already as ${twin.name}` : null;
  }

  private async addSystem(dialog: Dialog): Promise<void> {
    const address = fieldValue(dialog, 'address').trim();
    const name = fieldValue(dialog, 'name').trim();
    const problem = this.addressProblem(address);
    if (problem) return this.dispatch({ type: 'dialogFailed', kind: 'addSystem', error: problem });
    const result = await this.dialogWork(dialog, 'Fetching the certificate…', true, async (signal) => {
      const certificate = await this.client.fetchCertificate(address, { signal });
      const record = await this.store.addSystem({ name: name || certificateName(certificate), address });
      return { record, certificate };
    });
    if (result instanceof Cancelled) return;
    const { record, certificate } = result;
    if (!name) this.unnamed.add(record.id);
    this.reloadSystems();
    this.dispatch({ type: 'dialogClosed', kind: 'addSystem' });
    this.dispatch({ type: 'systemSelected', id: record.id });
    this.afterCertificate(record, certificate);
  }

  /**
   * Trust Certificate when the certificate is neither CA-trusted nor the pinned one, or when
   * the record was changed outside tnc (then even a matching pin proves nothing); else Sign In.
   */
  private afterCertificate(record: SystemRecord, certificate: CertificateInfo): void {
    const changed = this.store.recordChanged(record.id);
    const trusted = !changed && (certificate.trustedByCA || certificate.fingerprint === record.fingerprint);
    const dialog = trusted
      ? dialogs.signIn(record.id, record.name, record.username ?? DEFAULT_USERNAME)
      : dialogs.trustCertificate(record.id, record.name, certificate, record.fingerprint ?? null, changed);
    this.openDialog(dialog);
  }

  private signInSelected(): void {
    const system = selectedSystem(this.state);
    if (!system) return this.say('No system selected: press a to add one', 'warning');
    if (this.certificateCheck) return;
    this.whenUnlocked('Signing in needs the keyring unlocked, so that the new key can be stored in it.', () => {
      void this.checkCertificateThenSignIn(system.id);
    });
  }

  /** A password goes out only after the certificate is trusted, so Sign In starts by looking at it. */
  private async checkCertificateThenSignIn(id: string): Promise<void> {
    const record = this.store.getSystem(id);
    if (!record) return;
    this.certificateCheck = true;
    this.say(`Checking the certificate of ${record.name}…`, 'info', true);
    try {
      const certificate = await this.client.fetchCertificate(record.address, { timeoutMs: this.timeoutMs });
      this.dispatch({ type: 'messageShown', message: null });
      if (!this.state.quitting) this.afterCertificate(record, certificate);
    } catch (error) {
      this.say(`${record.name}: ${errorText(error)}`, 'error');
    } finally {
      this.certificateCheck = false;
    }
  }

  private trust(dialog: DialogOf<'trustCertificate'>): void {
    this.whenUnlocked('Trusting a certificate needs the keyring unlocked, so that it can vouch for the pin.', () => void this.pin(dialog));
  }

  private async pin(dialog: DialogOf<'trustCertificate'>): Promise<void> {
    const result = await this.dialogWork(dialog, 'Pinning the certificate…', false, () =>
      this.store.updateSystem(dialog.systemId, { fingerprint: dialog.certificate.fingerprint }),
    );
    if (result instanceof Cancelled) return;
    this.declined.delete(dialog.systemId);
    this.checker.forget(dialog.systemId);
    this.reloadSystems();
    this.poller.checkNow(dialog.systemId);
    this.dispatch({
      type: 'dialogReplaced',
      kind: 'trustCertificate',
      dialog: dialogs.signIn(result.id, result.name, result.username ?? DEFAULT_USERNAME),
    });
  }

  private async signIn(dialog: DialogOf<'signIn'>): Promise<void> {
    const record = this.store.getSystem(dialog.systemId);
    if (!record) return this.dispatch({ type: 'dialogClosed', kind: 'signIn' });
    const username = fieldValue(dialog, 'username').trim();
    const password = fieldValue(dialog, 'password');
    let otpAsked = 0;
    const askOtp = () =>
      new Promise<string | null>((resolve) => {
        this.otpAnswer = resolve;
        const current = topDialog(this.state);
        if (current?.kind !== 'signIn') return resolve(null);
        const error = otpAsked > 0 ? 'Wrong 2FA code: try again' : null;
        otpAsked += 1;
        this.dispatch({ type: 'dialogReplaced', kind: 'signIn', dialog: otpStep(current, error) });
      });
    const result = await this.dialogWork(
      dialog,
      `Signing in to ${record.name}…`,
      true,
      (signal) => this.keys.signIn(record, { username, password, askOtp }, { signal, takeHostname: this.unnamed.has(record.id) }),
      (error) => {
        // Back to the first step, password cleared, whatever step the failure came in.
        const again = dialogs.signIn(record.id, record.name, username);
        this.dispatch({ type: 'dialogReplaced', kind: 'signIn', dialog: { ...again, focus: 1, error: errorText(error) } });
        return true;
      },
    );
    this.otpAnswer = null;
    if (result instanceof Cancelled) return;
    this.unnamed.delete(record.id);
    this.dispatch({ type: 'dialogClosed', kind: 'signIn' });
    this.keysChanged(record.id);
    this.reportSignIn(this.store.getSystem(record.id)?.name ?? record.name, result);
  }

  private reportSignIn(name: string, result: SignedIn): void {
    const where = result.stored ? `key ${result.minted.keyName} stored in the keyring` : 'the key lives in memory until you create or unlock a keyring';
    if (result.untrustedOldKey) {
      this.say(
        `Signed in to ${name}: ${where}; the previous key ${result.untrustedOldKey} was not deleted because its record had been changed outside tnc: ${API_KEYS_HINT}`,
        'warning',
      );
    } else if (result.replaced && !result.replaced.deleted) {
      this.say(`Signed in to ${name}: ${where}; the previous key ${result.replaced.keyName} could not be deleted yet (tnc retries)`, 'warning');
    } else {
      this.say(`Signed in to ${name}: ${where}`, 'success');
    }
  }

  private submitOtp(dialog: DialogOf<'signIn'>): void {
    this.dispatch({ type: 'dialogBusy', kind: 'signIn', busy: { label: 'Checking the code…', cancellable: true } });
    this.answerOtp(fieldValue(dialog, 'otp').trim());
  }

  private answerOtp(code: string | null): void {
    const answer = this.otpAnswer;
    this.otpAnswer = null;
    answer?.(code);
  }

  // --- Keyring -------------------------------------------------------------------------

  private async createKeyring(dialog: DialogOf<'createKeyring'>): Promise<void> {
    const name = fieldValue(dialog, 'name').trim();
    const result = await this.dialogWork(dialog, 'Creating the keyring…', false, async () => {
      await this.store.createKeyring(name, fieldValue(dialog, 'passphrase'));
      return this.keys.adoptSessionKeys();
    });
    if (result instanceof Cancelled) return;
    this.dispatch({ type: 'dialogClosed', kind: 'createKeyring' });
    this.keysChanged();
    this.say(`Keyring ${name} created${result > 0 ? `: ${plural(result, 'key')} stored` : ''}`, 'success');
  }

  private async unlock(dialog: DialogOf<'unlock'>): Promise<void> {
    const result = await this.dialogWork(
      dialog,
      'Unlocking…',
      false,
      async () => {
        await this.store.unlock(fieldValue(dialog, 'passphrase'));
        return this.keys.adoptSessionKeys();
      },
      (error) => {
        if (!(error instanceof WrongPassphraseError)) return false;
        this.dispatch({ type: 'dialogFailed', kind: 'unlock', error: 'Wrong passphrase', clear: ['passphrase'] });
        return true;
      },
    );
    if (result instanceof Cancelled) return;
    this.dispatch({ type: 'dialogClosed', kind: 'unlock' });
    this.keysChanged();
    void this.keys.cleanAllLeftovers();
    const damaged = this.store.listEntries().filter((entry) => entry.state === 'damaged').length;
    const changed = this.store.listSystems().filter((system) => this.store.recordChanged(system.id)).length;
    if (changed > 0) {
      this.say(
        `Keyring unlocked; ${plural(changed, 'system record')} changed outside tnc: no key goes to ${changed === 1 ? 'it' : 'them'} until you check and trust ${changed === 1 ? 'it' : 'them'} again (Enter)`,
        'warning',
      );
    } else if (damaged > 0) {
      this.say(`Keyring unlocked; ${plural(damaged, 'stored key')} damaged: sign in to those systems again`, 'warning');
    } else {
      this.say('Keyring unlocked', 'success');
    }
    const then = this.afterUnlock;
    this.afterUnlock = null;
    then?.();
  }

  private async reset(dialog: Dialog): Promise<void> {
    const result = await this.dialogWork(dialog, 'Resetting the keyring…', false, () => this.store.reset());
    if (result instanceof Cancelled) return;
    const names = result.map((k) => `${k.keyName} on ${k.systemName} (${k.address})`);
    this.keysChanged();
    this.dispatch({ type: 'dialogReplaced', kind: 'resetKeyring', dialog: dialogs.resetDone(names) });
    this.say('Keyring reset: sign in to each system again', 'warning');
  }

  // --- Remove System -------------------------------------------------------------------

  private async removeSystem(dialog: DialogOf<'removeSystem'>): Promise<void> {
    const record = this.store.getSystem(dialog.systemId);
    if (!record) return this.dispatch({ type: 'dialogClosed', kind: 'removeSystem' });
    const reachable = this.state.statuses.get(record.id)?.connected === true;
    const result = await this.dialogWork(dialog, `Removing ${record.name}…`, false, () => this.keys.removeSystem(record, reachable));
    if (result instanceof Cancelled) return;
    this.unnamed.delete(record.id);
    this.declined.delete(record.id);
    this.dispatch({ type: 'dialogClosed', kind: 'removeSystem' });
    this.keysChanged(record.id);
    if (result.deleted) this.say(`Removed ${record.name} and deleted its API key ${result.keyName} on the server`, 'success');
    else if (result.keyName && result.recordChanged) {
      this.say(`Removed ${record.name}; its record had been changed outside tnc, so its API key ${result.keyName} was not deleted: ${API_KEYS_HINT}`, 'warning');
    } else if (result.keyName) this.say(`Removed ${record.name}; its API key ${result.keyName} stays on the server: ${API_KEYS_HINT}`, 'warning');
    else this.say(`Removed ${record.name}`, 'success');
  }

  // --- Quit ----------------------------------------------------------------------------

  /**
   * Stops polling, deletes this run's unstored keys on their servers (not when quitting at
   * once; they stay listed as leftovers for the next start), forgets every key and locks.
   * `signal`: SIGHUP or SIGTERM, with only a short time left to clean up.
   */
  async quit(now: boolean, signal = false): Promise<number> {
    if (this.state.quitting) return this.exited;
    this.dispatch({ type: 'quitStarted' });
    this.say('Quitting…', 'info', true);
    this.unsubscribePoller?.();
    this.poller.stop();
    this.work?.abort();
    this.answerOtp(null);
    await this.keys.quit(signal ? SIGNAL_DEADLINE_MS : QUIT_DEADLINE_MS, !now);
    this.checker.forget();
    // Queued behind a write still under way (a transport the checker remembers), so the
    // process never exits in the middle of one.
    await this.store.reload().catch(() => undefined);
    this.store.lock();
    this.resolveExit(signal ? 1 : 0);
    return this.exited;
  }
}
