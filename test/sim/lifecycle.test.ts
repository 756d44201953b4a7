import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/simulator.js';
import { RpcClient, login } from './raw-client.js';

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

describe('close()', () => {
  it('ends servers, sessions, hung sockets and pending delays, leaving no handle behind', async () => {
    const baseline = resources();
    const sim = await startSimulator({ systems: 3, failDelayMs: [600_000, 600_000], slowMs: 600_000 });
    const session = await RpcClient.connect(sim.systems[0]!.url);
    const pendingLogin = await RpcClient.connect(sim.systems[0]!.url);
    void login(pendingLogin, 'truenas_admin', 'wrong');
    const slowSession = await RpcClient.connect(sim.systems[1]!.url);
    await sim.setFault(1, 'slow');
    void slowSession.call('core.ping');
    await sim.setFault(2, 'hang');
    const hung = tls.connect({ host: '127.0.0.1', port: sim.systems[2]!.port, rejectUnauthorized: false });
    hung.on('error', () => {});
    await new Promise<void>((resolve) => hung.once('connect', () => resolve()));
    const hungClosed = new Promise<void>((resolve) => hung.once('close', () => resolve()));
    const closed = [session, pendingLogin, slowSession].map((c) => c.closed());
    expect(Object.keys(resources()).length).toBeGreaterThan(0);

    await sim.close();
    // The server side is gone; our own client sockets close in response.
    await Promise.all([...closed, hungClosed]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(resources()).toEqual(baseline);
  });

  it('leaves nothing behind when a port cannot be bound', async () => {
    const baseline = resources();
    await expect(startSimulator({ systems: 2, host: '192.0.2.1' })).rejects.toThrow(/EADDRNOTAVAIL/);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(resources()).toEqual(baseline);
  });
});
