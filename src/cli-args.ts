import { parseArgs } from 'node:util';

export interface CliOptions {
  dataDir?: string;
  pollIntervalMs: number;
  timeoutMs: number;
  concurrency: number;
  caFile?: string;
  demo: boolean;
  demoSystems: number;
}

export type ParsedCli =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: CliOptions };

export const USAGE = `Usage: tnc [--data-dir DIR] [--poll-interval SECONDS] [--timeout SECONDS] [--concurrency N]
           [--ca-file PEM] [--demo [--systems N]]
       tnc list   [--data-dir DIR] [--json]
       tnc status [--data-dir DIR] [--json] [--timeout SECONDS] [--concurrency N] [--passphrase-fd N]
       tnc call   [--data-dir DIR] [--timeout SECONDS] [--passphrase-fd N] (SYSTEM | --all) METHOD [ARG ...]
       tnc --help | --version
       tnc COMMAND --help

TrueNAS Connect keyring: keeps TrueNAS API keys encrypted under one passphrase and shows
which systems are connected. Without a command it runs the full-screen terminal UI.

Commands (for shells and scripts; no terminal needed on stdout):
  list                    the systems in the keyring file (no passphrase needed)
  status                  check every system once; exit 0 when all are Connected, 3 when not
  call                    one TrueNAS JSON-RPC call with the stored API key, like midclt call

Options:
  --data-dir DIR          where the keyring lives (default: $TNC_DATA_DIR, else
                          $XDG_DATA_HOME/truenas-connect, else ~/.local/share/truenas-connect)
  --poll-interval SECONDS how often each system is checked (default 30)
  --timeout SECONDS       deadline of one check (default 10)
  --concurrency N         checks at once (default 16)
  --ca-file PEM           extra certificate authorities to trust
  --demo                  run against a built-in simulator with demo credentials
  --systems N             number of simulated systems with --demo (default 3)
  --help, --version`;

export class UsageError extends Error {}

export function positiveNumber(name: string, raw: string | undefined, fallback: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} needs a positive ${integer ? 'whole number' : 'number'}, got "${raw}"`);
  }
  return value;
}

export function parseCli(argv: string[]): ParsedCli {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        'poll-interval': { type: 'string' },
        timeout: { type: 'string' },
        concurrency: { type: 'string' },
        'ca-file': { type: 'string' },
        demo: { type: 'boolean' },
        systems: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values.systems !== undefined && !values.demo) throw new UsageError('--systems goes with --demo');
  return {
    kind: 'run',
    options: {
      dataDir: values['data-dir'],
      pollIntervalMs: positiveNumber('poll-interval', values['poll-interval'], 30, false) * 1000,
      timeoutMs: positiveNumber('timeout', values.timeout, 10, false) * 1000,
      concurrency: positiveNumber('concurrency', values.concurrency, 16, true),
      caFile: values['ca-file'],
      demo: values.demo ?? false,
      demoSystems: positiveNumber('systems', values.systems, 3, true),
    },
  };
}

/** SPEC §6: --data-dir, else $TNC_DATA_DIR, else $XDG_DATA_HOME/truenas-connect, else ~/.local/share/truenas-connect. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv, home: string): string {
  if (flag) return flag;
  if (env.TNC_DATA_DIR) return env.TNC_DATA_DIR;
  if (env.XDG_DATA_HOME) return `${env.XDG_DATA_HOME}/truenas-connect`;
  return `${home}/.local/share/truenas-connect`;
}
