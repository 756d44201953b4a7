// `tnc status`: one sweep of the poller the UI runs (its concurrency, deadline and handling of
// hung systems), with the key checker the UI uses, then a table or SPEC §6's JSON array.
import { cleanText } from '../../store/clean-text.js';
import type { KeyringStore } from '../../store/keyring-store.js';
import type { SystemRecord } from '../../store/types.js';
import { alertCountsJson, alertsText, healthFacts, poolsJson, poolsText, updateJson, updateText } from '../app/health-text.js';
import { addressText, connectedText } from '../app/systems.js';
import { TrueNASClient } from '../client/client.js';
import { createKeyChecker } from '../poller/key-checker.js';
import { Poller } from '../poller/poller.js';
import type { SystemStatus } from '../poller/types.js';
import { readCaFile } from '../ca-file.js';
import type { RemoteOptions, StatusCommand } from './args.js';
import { openKeyringFile, unlockKeyring } from './keyring.js';
import { EXIT_NOT_CONNECTED, EXIT_OK, jsonText, table, writeOut } from './output.js';

/** One system in `tnc status --json` (SPEC §6); what is not known is null. */
export interface StatusJson {
  name: string;
  address: string;
  version: string | null;
  connected: boolean;
  /** Why not connected, in the words of the UI's Connected column; null when connected. */
  reason: string | null;
  alerts: ReturnType<typeof alertCountsJson>;
  pools: ReturnType<typeof poolsJson>;
  update: ReturnType<typeof updateJson>;
}

/**
 * The one mapping from a system and its check's outcome to what `status` prints: the JSON
 * object, and the table's cells in the words of the dashboard.
 */
function statusRow(system: SystemRecord, status: SystemStatus | undefined): { json: StatusJson; cells: string[] } {
  const facts = healthFacts(status);
  const connected = facts.connected === true;
  const version = connected ? status?.health?.info?.version : undefined;
  const json: StatusJson = {
    name: cleanText(system.name),
    address: cleanText(system.address),
    version: version === undefined ? null : cleanText(version),
    connected,
    reason: connected ? null : (facts.reason ?? 'not checked'),
    alerts: alertCountsJson(facts.alerts),
    pools: poolsJson(facts.pools),
    update: updateJson(facts.update),
  };
  const cells = [
    json.name,
    addressText(json),
    json.version ?? '',
    connectedText(status),
    alertsText(facts.alerts),
    poolsText(facts.pools),
    updateText(facts.update),
  ];
  return { json, cells };
}

const HEADERS = ['Name', 'Address', 'Version', 'Connected', 'Alerts', 'Pools', 'Update'];

/** Long enough that no system is checked twice in one sweep. */
const NO_SECOND_CHECK_MS = 24 * 3600_000;

/** Every system checked once by a Poller, which is then stopped: the statuses by system id. */
async function sweepOnce(store: KeyringStore, client: TrueNASClient, ids: string[], options: RemoteOptions): Promise<Map<string, SystemStatus>> {
  const checker = createKeyChecker(store, client, { timeoutMs: options.timeoutMs });
  const poller = new Poller({
    check: checker.check,
    intervalMs: NO_SECOND_CHECK_MS,
    timeoutMs: options.timeoutMs,
    concurrency: options.concurrency,
    batchMs: 0,
  });
  poller.setSystems(ids);
  try {
    await new Promise<void>((resolve) => {
      const pending = new Set(ids);
      if (pending.size === 0) return resolve();
      const unsubscribe = poller.subscribe((changed) => {
        for (const status of changed) if (status.lastChecked !== undefined && !status.checking) pending.delete(status.id);
        if (pending.size > 0) return;
        unsubscribe();
        resolve();
      });
      poller.start();
    });
    return new Map(poller.all().map((status) => [status.id, status]));
  } finally {
    poller.stop();
    checker.forget();
  }
}

export async function runStatus(command: StatusCommand): Promise<number> {
  const ca = command.caFile === undefined ? undefined : readCaFile(command.caFile);
  const store = await openKeyringFile(command.dataDir);
  const client = new TrueNASClient({ ca, timeoutMs: command.timeoutMs });
  try {
    await unlockKeyring(store, command.passphraseFd);
    const systems = store.listSystems();
    const statuses = await sweepOnce(store, client, systems.map((system) => system.id), command);
    const rows = systems.map((system) => statusRow(system, statuses.get(system.id)));
    await writeOut(command.json ? jsonText(rows.map((row) => row.json)) : table(HEADERS, rows.map((row) => row.cells)));
    return rows.every((row) => row.json.connected) ? EXIT_OK : EXIT_NOT_CONNECTED;
  } finally {
    client.close();
    // Queued behind a transport the checker may still be remembering, so no write is cut off.
    await store.reload().catch(() => undefined);
    store.lock();
  }
}
