// Command-line options of the standalone simulator (`npm run sim -- …`).
import { parseArgs } from 'node:util';
import { SIM_VERSIONS } from './release.js';
import type { SimOptions, SimSystemOptions, SimUser, SimVersion } from './types.js';

export class UsageError extends Error {}

export const SIM_USAGE = `usage: npm run sim -- [--systems N] [--versions V[,V…]] [--otp-system I[,I…]]
                      [--fail-delay-ms MIN[,MAX]] [--rate-limit N] [--slow-ms MS]
                      [--alerts N] [--pools M] [--scenario demo]

  --systems N          number of systems (default 3)
  --versions V,…       24.10 (REST only), 25.04 and 25.10 (JSON-RPC and REST), 26 (JSON-RPC only);
                       system i gets the (i mod count)-th version (default 25.10)
  --otp-system I,…     these systems also have the 2FA user otp_admin (code 123456); 2FA is then
                       on for the whole system (REST refuses Basic auth for every account)
  --fail-delay-ms A,B  failed-login delay range (default 1000,2500)
  --rate-limit N       unauthenticated calls per minute per method and client; 0 = off (default 20)
  --slow-ms MS         answer delay of the slow fault (default 2000)
  --alerts N           every system has N alerts (default none)
  --pools M            every system has M pools: tank, pool-2, … (default 1: tank, healthy)
  --scenario demo      system 0: a DEGRADED pool and a CRITICAL alert; system 1: an update available

Every system has the users truenas_admin (FULL_ADMIN) and pool_operator (roles POOL_READ and
API_KEY_WRITE), password truenas-demo.

Prints one JSON ready line, then answers JSON-line commands on stdin, each {"cmd":…,"index":I,…}:
  fault {fault: none|down|hang|slow|garbage}   revoke   expire {at?: ms}   scram {offered}   rotate   keys   logins
  calls   alerts {alerts: [{klass?, level?, text?, args?, formatted?, dismissed?}]}
  add-alert {alert: {…}}   dismiss {uuid}   add-pool {name, status?}   pool {name, status}
  scan {name, scan: {function: SCRUB|RESILVER, state: SCANNING|FINISHED|CANCELED, percentage?}}
  update {version: "25.10.3" | null} or {rebootRequired: true}   populate {alerts?, pools?}   hostile
Exits on SIGTERM, SIGINT or the end of stdin.`;

export const OTP_USER: SimUser = { username: 'otp_admin', password: 'truenas-demo', otp: '123456' };

function count(value: string, flag: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got "${value}"`);
  return Number(value);
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

export function parseSimArgs(argv: string[]): SimOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        systems: { type: 'string' },
        versions: { type: 'string' },
        'otp-system': { type: 'string' },
        'fail-delay-ms': { type: 'string' },
        'rate-limit': { type: 'string' },
        'slow-ms': { type: 'string' },
        alerts: { type: 'string' },
        pools: { type: 'string' },
        scenario: { type: 'string' },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const systems = parsed.systems === undefined ? 3 : count(parsed.systems, '--systems', 1);
  const options: SimOptions = { systems };

  const versions = parsed.versions === undefined ? [] : list(parsed.versions);
  for (const v of versions) {
    if (!SIM_VERSIONS.includes(v as SimVersion)) throw new UsageError(`--versions: unknown version "${v}" (known: ${SIM_VERSIONS.join(', ')})`);
  }
  const otpSystems = new Set((parsed['otp-system'] === undefined ? [] : list(parsed['otp-system'])).map((s) => count(s, '--otp-system', 0)));
  for (const i of otpSystems) if (i >= systems) throw new UsageError(`--otp-system: ${i} is not a system index below ${systems}`);
  if (versions.length > 0 || otpSystems.size > 0) {
    const overrides: Record<number, SimSystemOptions> = {};
    for (let i = 0; i < systems; i++) {
      const o: SimSystemOptions = {};
      if (versions.length > 0) o.version = versions[i % versions.length] as SimVersion;
      if (otpSystems.has(i)) o.users = [OTP_USER];
      overrides[i] = o;
    }
    options.overrides = overrides;
  }

  if (parsed['fail-delay-ms'] !== undefined) {
    const range = list(parsed['fail-delay-ms']).map((s) => count(s, '--fail-delay-ms', 0));
    if (range.length > 2) throw new UsageError('--fail-delay-ms: expected MIN or MIN,MAX');
    options.failDelayMs = [range[0]!, range[1] ?? range[0]!];
  }
  if (parsed['rate-limit'] !== undefined) options.rateLimitPerMinute = count(parsed['rate-limit'], '--rate-limit', 0);
  if (parsed['slow-ms'] !== undefined) options.slowMs = count(parsed['slow-ms'], '--slow-ms', 0);
  if (parsed.alerts !== undefined || parsed.pools !== undefined) {
    options.populate = {
      ...(parsed.alerts === undefined ? {} : { alerts: count(parsed.alerts, '--alerts', 0) }),
      ...(parsed.pools === undefined ? {} : { pools: count(parsed.pools, '--pools', 0) }),
    };
  }
  if (parsed.scenario !== undefined) {
    if (parsed.scenario !== 'demo') throw new UsageError(`--scenario: unknown scenario "${parsed.scenario}" (known: demo)`);
    options.scenario = 'demo';
  }
  return options;
}
