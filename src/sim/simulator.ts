// One process serving N simulated TrueNAS systems on loopback, each with its own certificate.
import { randomInt } from 'node:crypto';
import { createCertificate, createCertificates } from './certificate.js';
import { makeHostile } from './hostile.js';
import { isRole } from './roles.js';
import { applyDemoScenario, populate } from './scenario.js';
import { SystemServer, type ServerSettings } from './system-server.js';
import { SystemState } from './system-state.js';
import type { SimFault, SimOptions, SimSystemInfo, SimUser, Simulator } from './types.js';

export const DEFAULT_USER: SimUser = { username: 'truenas_admin', password: 'truenas-demo' };
/**
 * A second account on every system, without 2FA, whose privilege holds two builtin roles:
 * POOL_READ (pool.query) and API_KEY_WRITE (its own keys, api_key.my_keys). It may not call
 * alert.list, system.info or the update methods, and REST refuses it (not FULL_ADMIN).
 */
export const LIMITED_USER: SimUser = { username: 'pool_operator', password: 'truenas-demo', roles: ['POOL_READ', 'API_KEY_WRITE'] };
const DEFAULT_FAIL_DELAY_MS: [number, number] = [1000, 2500];
const DEFAULT_RATE_LIMIT = 20;
const DEFAULT_SLOW_MS = 2000;
const DAY_MS = 86_400_000;

function publicUser({ username, password, otp, roles }: SimUser): SimUser {
  return { username, password, ...(otp === undefined ? {} : { otp }), ...(roles === undefined ? {} : { roles: [...roles] }) };
}

/** The admin, the override's users, and the limited user; an override with one of their names replaces it. */
function usersOf(extra: SimUser[] = []): SimUser[] {
  const named = (u: SimUser) => extra.some((e) => e.username === u.username);
  const users = [...(named(DEFAULT_USER) ? [] : [DEFAULT_USER]), ...extra, ...(named(LIMITED_USER) ? [] : [LIMITED_USER])];
  for (const u of users) {
    const unknown = u.roles?.find((role) => !isRole(role));
    if (unknown !== undefined) throw new Error(`user ${u.username}: unknown role ${unknown}`);
  }
  return users.map(publicUser);
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
  const overrides = Array.from({ length: opts.systems }, (_, i) => opts.overrides?.[i] ?? {});
  const users = overrides.map((o) => usersOf(o.users));
  const states = overrides.map(
    // Boot times spread over the last month so every system shows its own uptime.
    (o, i) => new SystemState(i, o.version ?? '25.10', o.hostname ?? `truenas-${i + 1}`, users[i]!, now - randomInt(3_600_000, 30 * DAY_MS)),
  );
  if (opts.populate) for (const s of states) populate(s, opts.populate);
  if (opts.scenario === 'demo') applyDemoScenario(states);
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
    users: users[i]!.map(publicUser),
  }));

  const server = (index: number): SystemServer => {
    const s = servers[index];
    if (!s) throw new RangeError(`no simulated system ${index}`);
    return s;
  };
  const state = (index: number): SystemState => server(index).state;

  return {
    systems,
    setFault: (index, fault: SimFault) => server(index).setFault(fault),
    revokeKeys: (index) => state(index).revokeAll(),
    expireKeys: (index, at = Date.now()) => state(index).expireAll(at),
    offerScram: (index, offered) => {
      state(index).scramOffered = offered;
    },
    async rotateCertificate(index) {
      const s = server(index);
      const cert = await createCertificate(s.state.hostname);
      s.setCertificate(cert);
      systems[index]!.fingerprint = cert.fingerprint;
    },
    apiKeys: (index) => state(index).summaries(),
    logins: (index) => state(index).logins(),
    callCounts: (index) => state(index).callCounts(),
    setAlerts: (index, alerts) => state(index).alerts.set(alerts),
    addAlert: (index, alert) => state(index).alerts.add(alert),
    dismissAlert: (index, uuid) => state(index).alerts.dismiss(uuid),
    addPool: (index, name, status) => void state(index).pools.add(name, status),
    setPoolStatus: (index, pool, status) => state(index).pools.setStatus(pool, status),
    setScan: (index, pool, scan) => state(index).pools.setScan(pool, scan),
    offerUpdate(index, offer) {
      state(index).update = offer;
    },
    populate: (index, data) => populate(state(index), data),
    makeHostile(index) {
      makeHostile(state(index));
      systems[index]!.hostname = state(index).hostname;
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
      // libuv frees closed handles in the close phase that follows the next check phase: wait for
      // it, so that nothing of ours is left in process.getActiveResourcesInfo() when we resolve.
      for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
