// One process serving N simulated TrueNAS systems on loopback, each with its own certificate.
import { randomInt } from 'node:crypto';
import { createCertificate, createCertificates } from './certificate.js';
import { SystemServer, type ServerSettings } from './system-server.js';
import { SystemState } from './system-state.js';
import type { SimFault, SimOptions, SimSystemInfo, SimUser, Simulator } from './types.js';

export const DEFAULT_USER: SimUser = { username: 'truenas_admin', password: 'truenas-demo' };
const DEFAULT_FAIL_DELAY_MS: [number, number] = [1000, 2500];
const DEFAULT_RATE_LIMIT = 20;
const DEFAULT_SLOW_MS = 2000;
const DAY_MS = 86_400_000;

/** The default admin plus the override's users; an override named like the admin replaces it. */
function usersOf(extra: SimUser[] = []): SimUser[] {
  const admin = extra.some((u) => u.username === DEFAULT_USER.username) ? [] : [DEFAULT_USER];
  return [...admin, ...extra].map((u) => ({ ...u }));
}

function settingsOf(opts: SimOptions): ServerSettings {
  const [a, b] = opts.failDelayMs ?? DEFAULT_FAIL_DELAY_MS;
  return {
    host: opts.host ?? '127.0.0.1',
    failDelayMs: [Math.min(a, b), Math.max(a, b)],
    slowMs: opts.slowMs ?? DEFAULT_SLOW_MS,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT,
  };
}

export async function startSimulator(opts: SimOptions): Promise<Simulator> {
  const settings = settingsOf(opts);
  const now = Date.now();
  const states = Array.from({ length: opts.systems }, (_, i) => {
    const o = opts.overrides?.[i] ?? {};
    // Boot times spread over the last month so every system shows its own uptime.
    return new SystemState(i, o.version ?? '25.10', o.hostname ?? `truenas-${i + 1}`, usersOf(o.users), now - randomInt(3_600_000, 30 * DAY_MS));
  });
  const certs = await createCertificates(states.map((s) => s.hostname));
  const servers = states.map((s, i) => new SystemServer(s, certs[i]!, settings));
  try {
    await Promise.all(servers.map((s) => s.listen()));
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const systems: SimSystemInfo[] = servers.map((server, i) => ({
    index: i,
    url: `https://${host}:${server.port}`,
    port: server.port,
    fingerprint: certs[i]!.fingerprint,
    version: server.state.version,
    hostname: server.state.hostname,
    users: server.state.users.map(({ username, password, otp }) => (otp === undefined ? { username, password } : { username, password, otp })),
  }));

  const server = (index: number): SystemServer => {
    const s = servers[index];
    if (!s) throw new RangeError(`no simulated system ${index}`);
    return s;
  };

  return {
    systems,
    setFault: (index: number, fault: SimFault) => server(index).setFault(fault),
    revokeKeys: (index: number) => server(index).state.revokeAll(),
    async rotateCertificate(index: number) {
      const s = server(index);
      const cert = await createCertificate(s.state.hostname);
      s.setCertificate(cert);
      systems[index]!.fingerprint = cert.fingerprint;
    },
    apiKeys: (index: number) => server(index).state.summaries(),
    logins: (index: number) => server(index).state.logins(),
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      // libuv frees closed handles in the close phase that follows the next check phase: wait for
      // it, so that nothing of ours is left in process.getActiveResourcesInfo() when we resolve.
      for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
