// `tnc call`: one JSON-RPC call with a system's stored API key, midclt style; with --all, the
// same call on every system that has a key, a bounded number at a time. The key comes from
// the one place the UI's checks take it from, and never appears in what is printed.
import { cleanText } from '../../store/clean-text.js';
import type { KeyringStore } from '../../store/keyring-store.js';
import type { SystemRecord } from '../../store/types.js';
import { TrueNASClient } from '../client/client.js';
import { KeyUnavailableError, type KeyUnavailableReason } from '../poller/errors.js';
import { usableKey } from '../poller/key-checker.js';
import { readCaFile } from '../ca-file.js';
import type { CallCommand } from './args.js';
import { findSystem, openKeyringFile, requireKeyring, unlockKeyring } from './keyring.js';
import { CommandError, errorLine, EXIT_FATAL, EXIT_OK, jsonText, writeError, writeOut } from './output.js';

const KEY_UNAVAILABLE: Record<KeyUnavailableReason, string> = {
  'no key': 'no API key stored (sign in to the system in tnc first)',
  locked: 'the keyring is locked',
  damaged: 'the stored API key is damaged (sign in to the system in tnc again)',
  'record changed': 'the record was changed outside tnc: trust it again and sign in, in tnc',
};

function failureText(error: unknown): string {
  if (error instanceof KeyUnavailableError) return KEY_UNAVAILABLE[error.reason];
  return errorLine(error);
}

/** Runs `work` over `items`, at most `limit` at once, keeping their order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Keys of the --all object: the system's name, with its address when two share a name. */
function resultKeys(systems: readonly SystemRecord[]): string[] {
  const names = systems.map((system) => cleanText(system.name));
  return names.map((name, i) =>
    names.indexOf(name) === names.lastIndexOf(name) ? name : `${name} (${cleanText(systems[i]!.address)})`,
  );
}

/** The systems the command means, checked before anyone is asked for a passphrase. */
function targets(store: KeyringStore, command: CallCommand): SystemRecord[] {
  if (command.system === null) return store.listSystems().filter((system) => store.hasEntry(system.id));
  const system = findSystem(store, command.system);
  if (!store.hasEntry(system.id)) throw new CommandError(`${cleanText(system.name)}: ${KEY_UNAVAILABLE['no key']}`);
  return [system];
}

export async function runCall(command: CallCommand): Promise<number> {
  const ca = command.caFile === undefined ? undefined : readCaFile(command.caFile);
  const store = await openKeyringFile(command.dataDir);
  requireKeyring(store);
  const systems = targets(store, command);
  const client = new TrueNASClient({ ca, timeoutMs: command.timeoutMs });
  const usedKeys: string[] = [];
  // A method could echo a key back (none of TrueNAS's do): the stored keys never reach stdout.
  const withoutKeys = (text: string) => usedKeys.reduce((out, key) => out.split(key).join('***'), text);
  // Async, so that a key tnc may not use (usableKey throws) is a rejection like any other failure.
  const callOn = async (system: SystemRecord): Promise<unknown> => {
    const { target, credential } = usableKey(store, undefined, system.id);
    usedKeys.push(credential.apiKey);
    return client.call(target, credential, command.method, command.params, { timeoutMs: command.timeoutMs });
  };
  try {
    await unlockKeyring(store, command.passphraseFd);
    if (command.system !== null) {
      const system = systems[0]!;
      const result = await callOn(system).catch((error: unknown) => {
        throw new CommandError(`${cleanText(system.name)}: ${failureText(error)}`);
      });
      await writeOut(withoutKeys(jsonText(result)));
      return EXIT_OK;
    }
    const outcomes = await mapLimit(systems, command.concurrency, (system) =>
      callOn(system).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, result: { error: failureText(error) } }),
      ),
    );
    const keys = resultKeys(systems);
    await writeOut(withoutKeys(jsonText(Object.fromEntries(outcomes.map((outcome, i) => [keys[i]!, outcome.result])))));
    const failed = outcomes.filter((outcome) => !outcome.ok).length;
    if (failed === 0) return EXIT_OK;
    writeError(`${failed} of ${systems.length} systems failed (see their "error")`);
    return EXIT_FATAL;
  } finally {
    client.close();
    store.lock();
  }
}
