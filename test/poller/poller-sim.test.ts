// The poller with every real part: the simulator, the client over TLS and WebSocket, and the
// keyring in a temp dir.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { createKeyChecker, type KeyChecker } from '../../src/poller/key-checker.js';
import { Poller } from '../../src/poller/poller.js';
import { eachLimited, keyringFor, mintAndStore, waitFor, type TestKeyring } from './helpers.js';
import { RELEASES } from '../../src/sim/release.js';

const SYSTEMS = 300;
const TIMEOUT_MS = 2000;
const HUNG = Array.from({ length: 15 }, (_, i) => 3 + 20 * i);
const DOWN = Array.from({ length: 15 }, (_, i) => 7 + 20 * i);
/** Added without a remembered transport: the sweep discovers and stores it. */
const UNDISCOVERED = [1, 101, 201];

let baseline: Map<string, number>;
let sim: Simulator;
let client: TrueNASClient;
let keyring: TestKeyring;
const pollers: Poller[] = [];
const checkers: KeyChecker[] = [];

function resourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function extraResources(than: Map<string, number>): string[] {
  return [...resourceCounts()]
    .filter(([type, count]) => count > (than.get(type) ?? 0))
    .map(([type, count]) => `${type} ${than.get(type) ?? 0} -> ${count}`);
}

async function expectNoResourcesBeyond(than: Map<string, number>, what: string): Promise<void> {
  await waitFor(() => extraResources(than).length === 0, what, 5000).catch(() => {
    throw new Error(`${what}: still open: ${extraResources(than).join(', ')}`);
  });
}

function pollerFor(ids: string[], options: { intervalMs: number; maxBackoffMs?: number; timeoutMs?: number }): Poller {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const checker = createKeyChecker(keyring.store, client, { timeoutMs });
  const poller = new Poller({ check: checker.check, ...options, timeoutMs });
  poller.setSystems(ids);
  pollers.push(poller);
  checkers.push(checker);
  return poller;
}

function stopPollers(): void {
  for (const poller of pollers.splice(0)) poller.stop();
  for (const checker of checkers.splice(0)) checker.forget();
}

beforeAll(async () => {
  baseline = resourceCounts();
  sim = await startSimulator({ systems: SYSTEMS, failDelayMs: [5, 20], rateLimitPerMinute: 0 });
  keyring = await keyringFor(sim, (index) => (UNDISCOVERED.includes(index) ? undefined : 'jsonrpc'));
  client = new TrueNASClient({ timeoutMs: 10_000 });
  await eachLimited(sim.systems, 16, (system) => mintAndStore(client, sim, keyring, system.index));
}, 180_000);

let closed = false;
async function closeAll(): Promise<void> {
  stopPollers();
  if (closed) return;
  closed = true;
  client?.close();
  await sim?.close();
}

afterAll(async () => {
  await closeAll();
  await keyring?.cleanUp();
});

it('one sweep of 300 systems: healthy ones connect, hung ones time out, down ones are unreachable', async () => {
  await Promise.all([...HUNG.map((i) => sim.setFault(i, 'hang')), ...DOWN.map((i) => sim.setFault(i, 'down'))]);
  const poller = pollerFor(keyring.ids, { intervalMs: 600_000 });
  const started = performance.now();
  const cpu = process.cpuUsage();
  poller.start();
  await waitFor(() => poller.all().every((s) => s.lastChecked !== undefined), 'every system checked once', 60_000);
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  stopPollers();
  console.info(
    `poller sweep: ${SYSTEMS} systems (${HUNG.length} hung, ${DOWN.length} down, timeout ${TIMEOUT_MS} ms): ` +
      `${Math.round(wallMs)} ms wall, ${Math.round((user + system) / 1000)} ms CPU (simulator included)`,
  );

  const byReason = new Map<string, number[]>();
  for (const [index, id] of keyring.ids.entries()) {
    const status = poller.get(id)!;
    const outcome = status.connected ? 'connected' : String(status.reason);
    byReason.set(outcome, [...(byReason.get(outcome) ?? []), index]);
  }
  expect(byReason.get('timeout')).toEqual(HUNG);
  expect(byReason.get('unreachable')).toEqual(DOWN);
  expect(byReason.get('connected')).toHaveLength(SYSTEMS - HUNG.length - DOWN.length);
  expect(byReason.size).toBe(3);
  expect(poller.get(keyring.ids[0]!)?.health?.info).toMatchObject({ hostname: 'truenas-1', version: RELEASES['25.10'].release });
  const { store } = keyring;
  await waitFor(() => UNDISCOVERED.every((i) => store.getSystem(keyring.ids[i]!)?.transport === 'jsonrpc'), 'transports remembered');

  await Promise.all([...HUNG, ...DOWN].map((i) => sim.setFault(i, 'none')));
}, 120_000);

it('a system going down, a revoked key and a rotated certificate each show within about one interval', async () => {
  const INTERVAL_MS = 1000;
  const [goesDown, revoked, rotated, steady] = [10, 11, 12, 13];
  const ids = [goesDown, revoked, rotated, steady].map((i) => keyring.ids[i]!);
  const poller = pollerFor(ids, { intervalMs: INTERVAL_MS, maxBackoffMs: 4 * INTERVAL_MS });
  const status = (index: number) => poller.get(keyring.ids[index]!);
  poller.start();
  await waitFor(() => ids.every((id) => poller.get(id)?.connected === true), 'all four connected');

  await Promise.all([sim.setFault(goesDown, 'down'), sim.rotateCertificate(rotated)]);
  sim.revokeKeys(revoked);
  // One interval (with jitter) plus the time of one check: a bounded wait, not a timing.
  const oneInterval = 1.1 * INTERVAL_MS + TIMEOUT_MS;
  await waitFor(
    () =>
      status(goesDown)?.reason === 'unreachable' &&
      status(revoked)?.reason === 'key rejected' &&
      status(rotated)?.reason === 'certificate changed',
    'down, revoked and rotated systems reported',
    oneInterval,
  );
  for (const index of [goesDown, revoked, rotated]) expect(status(index)?.connected).toBe(false);
  expect(status(steady)).toMatchObject({ connected: true, failures: 0 });

  await sim.setFault(goesDown, 'none');
  // Back on the next check: at most the backoff cap (with jitter) plus one check.
  await waitFor(() => status(goesDown)?.connected === true, 'the system back up', 1.1 * 4 * INTERVAL_MS + TIMEOUT_MS);
  expect(status(goesDown)).toMatchObject({ failures: 0, reason: undefined });
  expect(status(revoked)?.reason).toBe('key rejected');
  expect(status(rotated)?.reason).toBe('certificate changed');
}, 60_000);

it('stop leaves no open handle: its own at once, and none once client and simulator close', async () => {
  const idle = resourceCounts();
  // A deadline far beyond the wait below: only stop() aborting the hung check can free it.
  const poller = pollerFor(keyring.ids.slice(0, 40), { intervalMs: 100, timeoutMs: 60_000 });
  await sim.setFault(0, 'hang');
  poller.start();
  await waitFor(() => poller.get(keyring.ids[0]!)?.checking === true, 'a hung check in flight');
  await waitFor(() => poller.all().filter((s) => s.lastChecked !== undefined).length >= 20, 'checks under way');

  stopPollers();
  await expectNoResourcesBeyond(idle, 'after stop, with client and simulator still open');
  await closeAll();
  await expectNoResourcesBeyond(baseline, 'after closing everything');
});
