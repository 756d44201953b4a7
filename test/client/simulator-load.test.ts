import { afterAll, beforeAll, expect, it } from 'vitest';
import { TrueNASClient } from '../../src/client/client.js';
import type { ApiKeyCredential, SystemTarget } from '../../src/client/types.js';
import { startSimulator } from '../../src/sim/simulator.js';
import type { Simulator } from '../../src/sim/types.js';
import { reasonOf } from './helpers/outcome.js';
import { eventually, networkResourceCount } from './helpers/raw-servers.js';

const HUNG = 0;
const HEALTHY = [1, 2, 3, 4];
const CHECKS = 200;

let sim: Simulator;
let baseline = 0;

beforeAll(async () => {
  sim = await startSimulator({ systems: 1 + HEALTHY.length, failDelayMs: [50, 100], rateLimitPerMinute: 0 });
  baseline = networkResourceCount();
});

afterAll(async () => {
  await sim.close();
});

function target(index: number): SystemTarget {
  const system = sim.systems[index]!;
  return { address: system.url, fingerprint: system.fingerprint, transport: 'jsonrpc' };
}

it('a hung system never delays checks of healthy ones, and close() leaves nothing open', async () => {
  const client = new TrueNASClient({ timeoutMs: 60_000 });
  const creds = new Map<number, ApiKeyCredential>();
  for (const index of [HUNG, ...HEALTHY]) {
    const minted = await client.signIn(target(index), { username: 'truenas_admin', password: 'truenas-demo' });
    creds.set(index, { username: minted.username, apiKey: minted.key });
  }
  await sim.setFault(HUNG, 'hang');

  let hungSettled = 0;
  const hung = Array.from({ length: CHECKS }, () =>
    reasonOf(client.checkKey(target(HUNG), creds.get(HUNG)!)).finally(() => hungSettled++),
  );
  const healthy = Array.from({ length: CHECKS }, (_, i) => {
    const index = HEALTHY[i % HEALTHY.length]!;
    return reasonOf(client.checkKey(target(index), creds.get(index)!));
  });

  expect(await Promise.all(healthy)).toEqual(healthy.map(() => 'resolved'));
  // Every healthy check is done while the hung ones still wait for their (long) deadline.
  expect(hungSettled).toBe(0);

  client.close();
  expect(await Promise.all(hung)).toEqual(hung.map(() => 'cancelled'));
  // The simulator still runs: only the client closing its own sockets brings the count back.
  await eventually(() => networkResourceCount() <= baseline, `back to ${baseline} network resources`);
});
