// Command-line options of the standalone simulator (`npm run sim -- …`).
import { parseArgs } from 'node:util';
import type { SimOptions, SimSystemOptions, SimUser, SimVersion } from './types.js';

export class UsageError extends Error {}

export const SIM_USAGE = `usage: npm run sim -- [--systems N] [--versions V[,V…]] [--otp-system I[,I…]]
                      [--fail-delay-ms MIN[,MAX]] [--rate-limit N] [--slow-ms MS]

  --systems N          number of systems (default 3)
  --versions V,…       24.10 (REST only), 25.10 (JSON-RPC and REST), 26 (JSON-RPC only);
                       system i gets the (i mod count)-th version (default 25.10)
  --otp-system I,…     these systems also have the 2FA user otp_admin (code 123456)
  --fail-delay-ms A,B  failed-login delay range (default 1000,2500)
  --rate-limit N       unauthenticated logins per minute per method and client; 0 = off (default 20)
  --slow-ms MS         answer delay of the slow fault (default 2000)

Prints one JSON ready line, then answers JSON-line commands on stdin:
  {"cmd":"fault","index":0,"fault":"none|down|hang|slow|garbage"}  {"cmd":"revoke","index":0}
  {"cmd":"rotate","index":0}  {"cmd":"keys","index":0}  {"cmd":"logins","index":0}
Exits on SIGTERM, SIGINT or the end of stdin.`;

export const OTP_USER: SimUser = { username: 'otp_admin', password: 'truenas-demo', otp: '123456' };
const VERSIONS: readonly SimVersion[] = ['24.10', '25.10', '26'];

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
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const systems = parsed.systems === undefined ? 3 : count(parsed.systems, '--systems', 1);
  const options: SimOptions = { systems };

  const versions = parsed.versions === undefined ? [] : list(parsed.versions);
  for (const v of versions) {
    if (!VERSIONS.includes(v as SimVersion)) throw new UsageError(`--versions: unknown version "${v}" (known: ${VERSIONS.join(', ')})`);
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
  return options;
}
