// Run as a child process by lifecycle.test.ts (from dist/): opens every kind of resource the
// simulator can hold, closes it, and prints what the process still has. A plain Node process
// has nothing else open but its stdio, so whatever else is left is a leak.
import tls from 'node:tls';
import { startSimulator } from '../../src/sim/simulator.js';
import { RpcClient, login } from './raw-client.js';

/** Everything but the stdio pipes the parent gave us (the simulator opens no pipes). */
function resources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== 'PipeWrap' && r !== 'TTYWrap');
}

async function nextLoopTurn(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function busySimulator(): Promise<{ before: string[]; after: string[] }> {
  const sim = await startSimulator({ systems: 3, failDelayMs: [600_000, 600_000], slowMs: 600_000 });
  const session = await RpcClient.connect(sim.systems[0]!.url);
  const pendingLogin = await RpcClient.connect(sim.systems[0]!.url);
  void login(pendingLogin, 'truenas_admin', 'wrong');
  // Calls on one connection are read in order: once this answers, the fail delay is running.
  await pendingLogin.call('core.set_options', [{}]);
  const slowSession = await RpcClient.connect(sim.systems[1]!.url);
  await sim.setFault(1, 'slow');
  void slowSession.call('core.set_options', [{}]);
  await sim.setFault(2, 'hang');
  const hung = tls.connect({ host: '127.0.0.1', port: sim.systems[2]!.port, rejectUnauthorized: false });
  hung.on('error', () => {});
  await new Promise<void>((resolve) => hung.once('connect', () => resolve()));
  const closed = [session, pendingLogin, slowSession].map((c) => c.closed());
  const hungClosed = new Promise<void>((resolve) => hung.once('close', () => resolve()));
  const before = resources();
  await sim.close();
  // The server side is gone; our own client sockets close in response.
  await Promise.all([...closed, hungClosed]);
  await nextLoopTurn();
  return { before, after: resources() };
}

async function unbindableHost(): Promise<{ error: string; after: string[] }> {
  let error = '';
  try {
    await startSimulator({ systems: 2, host: '192.0.2.1' });
  } catch (err) {
    error = (err as Error).message;
  }
  await nextLoopTurn();
  return { error, after: resources() };
}

const report = { busy: await busySimulator(), unbindable: await unbindableHost() };
process.stdout.write(`${JSON.stringify(report)}\n`);
