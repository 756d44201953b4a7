// The command lines of `tnc list`, `tnc status` and `tnc call` (SPEC §6). node:util's parseArgs
// reads them; the checks here turn its findings into errors that name the bad option and the
// command. In `call`, options go before METHOD: everything after it is the method's
// arguments, as with midclt, so a JSON argument such as `-1` is never taken for an option.
import { parseArgs } from 'node:util';
import { cleanText } from '../../store/clean-text.js';
import { positiveNumber, UsageError } from '../cli-args.js';

const COMMAND_NAMES = ['list', 'status', 'call'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

interface Common {
  dataDir?: string;
}

export interface ListCommand extends Common {
  name: 'list';
  json: boolean;
}

/** What every command that unlocks the keyring and talks to systems takes. */
export interface RemoteOptions extends Common {
  timeoutMs: number;
  concurrency: number;
  /** Read the passphrase from this descriptor instead of the terminal. */
  passphraseFd?: number;
  caFile?: string;
}

export interface StatusCommand extends RemoteOptions {
  name: 'status';
  json: boolean;
}

export interface CallCommand extends RemoteOptions {
  name: 'call';
  /** A system's name or address; null for --all. */
  system: string | null;
  method: string;
  params: unknown[];
}

export type Command = ListCommand | StatusCommand | CallCommand | { name: 'help'; of: CommandName };

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

const DATA_DIR = `  --data-dir DIR        where the keyring lives (default: $TNC_DATA_DIR, else
                        $XDG_DATA_HOME/truenas-connect, else ~/.local/share/truenas-connect)`;
const REMOTE = `  --timeout SECONDS     deadline of each system's check or call (default 10)
  --concurrency N       systems contacted at once (default 16)
  --passphrase-fd N     read the passphrase from the first line of file descriptor N
                        (default: ask on the terminal, /dev/tty, without echo)
  --ca-file PEM         extra certificate authorities to trust`;
const EXIT = 'Exit status: 0 done, 1 error (one line on stderr), 2 usage';

const COMMANDS: Record<CommandName, { options: Record<string, OptionSpec>; usage: string }> = {
  list: {
    options: { json: { type: 'boolean' } },
    usage: `Usage: tnc list [--data-dir DIR] [--json]

The systems in the keyring file: name, address and whether an API key is stored.
Needs no passphrase.

Options:
${DATA_DIR}
  --json                one JSON array of {name, address, fingerprint, keyStored}
  --help

${EXIT}.`,
  },
  status: {
    options: { json: { type: 'boolean' } },
    usage: `Usage: tnc status [--data-dir DIR] [--json] [--timeout SECONDS] [--concurrency N]
                  [--passphrase-fd N] [--ca-file PEM]

Unlocks the keyring, checks every system once with its stored API key (the check the UI's
Connected column shows) and prints a table.

Options:
${DATA_DIR}
  --json                one JSON array of {name, address, version, connected, reason,
                        alerts, pools, update}; reason is null when connected, unknown
                        fields are null
${REMOTE}
  --help

${EXIT}, 3 a system is not Connected.`,
  },
  call: {
    options: { all: { type: 'boolean' } },
    usage: `Usage: tnc call [--data-dir DIR] [--timeout SECONDS] [--concurrency N] [--passphrase-fd N]
                [--ca-file PEM] (SYSTEM | --all) METHOD [ARG ...]

One TrueNAS JSON-RPC call with the stored API key, like midclt call; the result is printed
as JSON. SYSTEM is a system's name or address. Each ARG is a JSON value; a bare word that
is not JSON is passed as a string. Options go before METHOD: what follows it are ARGs.
Needs TrueNAS 25.04 or later.

Options:
${DATA_DIR}
  --all                 call every system with a stored key; prints one JSON object keyed
                        by system name, holding each result or {"error": "..."}
${REMOTE}
  --help

${EXIT}; a TrueNAS error prints its reason. With --all, 1 when any system failed.

Examples:
  tnc call nas1 system.info
  tnc call nas1 api_key.query '[["name", "^", "tnc-"]]'
  tnc call --all system.info | jq -r 'to_entries[] | "\\(.key) \\(.value.version // .value.error)"'`,
  },
};

const COMMON_OPTIONS: Record<string, OptionSpec> = { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } };
const REMOTE_OPTIONS: Record<string, OptionSpec> = {
  timeout: { type: 'string' },
  concurrency: { type: 'string' },
  'passphrase-fd': { type: 'string' },
  'ca-file': { type: 'string' },
};

function optionsOf(name: CommandName): Record<string, OptionSpec> {
  return { ...COMMON_OPTIONS, ...(name === 'list' ? {} : REMOTE_OPTIONS), ...COMMANDS[name].options };
}

export function isCommandName(word: string | undefined): word is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(word ?? '');
}

export function commandUsage(name: CommandName): string {
  return COMMANDS[name].usage;
}

type Values = Record<string, string | boolean | undefined>;

function tokensOf(args: string[], options: Record<string, OptionSpec>) {
  return parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
}

/** Options and positionals of `args`, refusing unknown options and missing or stray values. */
function readOptions(name: CommandName, args: string[]): { values: Values; positionals: string[] } {
  const options = optionsOf(name);
  const { values, positionals, tokens } = tokensOf(args, options);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    const flag = cleanText(token.rawName);
    if (!spec) throw new UsageError(`${name}: unknown option ${flag} (see tnc ${name} --help)`);
    if (spec.type === 'boolean' && token.inlineValue) throw new UsageError(`${name}: ${flag} takes no value`);
    // `--timeout --json` would take "--json" as the timeout.
    if (spec.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
      throw new UsageError(`${name}: ${flag} needs a value`);
    }
  }
  return { values, positionals };
}

/** `call`'s arguments split after METHOD: the 2nd positional, or the 1st after --all. */
function splitAtMethod(args: string[]): { head: string[]; tail: string[] } {
  let all = false;
  let seen = 0;
  for (const token of tokensOf(args, optionsOf('call')).tokens) {
    if (token.kind === 'option' && token.name === 'all') all = true;
    if (token.kind !== 'positional') continue;
    seen++;
    if (seen >= (all ? 1 : 2)) return { head: args.slice(0, token.index + 1), tail: args.slice(token.index + 1) };
  }
  return { head: args, tail: [] };
}

/** `midclt call` style: a JSON value, else the word as a string; broken JSON is refused. */
export function callArgument(text: string, position: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message would quote the argument, which may be a secret typed by mistake.
    if (/^\s*[[{"]/.test(text)) throw new UsageError(`call: ARG ${position} starts like JSON but is not valid JSON`);
    return text;
  }
}

const METHOD_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/;

function remoteOptions(name: CommandName, values: Values): RemoteOptions {
  const fd = values['passphrase-fd'] as string | undefined;
  if (fd !== undefined && !/^\d{1,9}$/.test(fd)) {
    throw new UsageError(`${name}: --passphrase-fd needs a file descriptor number, got "${cleanText(fd)}"`);
  }
  const number = (option: string, fallback: number, integer: boolean): number => {
    try {
      return positiveNumber(option, values[option] as string | undefined, fallback, integer);
    } catch (error) {
      throw new UsageError(`${name}: ${cleanText((error as Error).message)}`);
    }
  };
  return {
    dataDir: values['data-dir'] as string | undefined,
    timeoutMs: number('timeout', 10, false) * 1000,
    concurrency: number('concurrency', 16, true),
    ...(fd === undefined ? {} : { passphraseFd: Number(fd) }),
    ...(values['ca-file'] === undefined ? {} : { caFile: values['ca-file'] as string }),
  };
}

/** `argv` starts with the command's name. Throws UsageError. */
export function parseCommand(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (!isCommandName(name)) throw new UsageError(`unknown command ${cleanText(name ?? '')}`);
  const { head, tail } = name === 'call' ? splitAtMethod(rest) : { head: rest, tail: [] };
  const { values, positionals } = readOptions(name, head);
  if (values.help) return { name: 'help', of: name };
  if (name === 'list') {
    if (positionals.length > 0) throw new UsageError(`list: unexpected argument "${cleanText(positionals[0])}"`);
    return { name, dataDir: values['data-dir'] as string | undefined, json: values.json === true };
  }
  const remote = remoteOptions(name, values);
  if (name === 'status') {
    if (positionals.length > 0) throw new UsageError(`status: unexpected argument "${cleanText(positionals[0])}"`);
    return { name, ...remote, json: values.json === true };
  }
  const all = values.all === true;
  if (all && positionals.length > 1) throw new UsageError('call: give SYSTEM or --all, not both');
  const method = positionals[all ? 0 : 1];
  if (method === undefined) {
    throw new UsageError(`call: needs ${all || positionals.length === 1 ? 'a METHOD' : 'SYSTEM (or --all) and a METHOD'}`);
  }
  if (!METHOD_NAME.test(method)) {
    throw new UsageError(`call: METHOD is a TrueNAS method name such as system.info, got "${cleanText(method)}"`);
  }
  return {
    name,
    ...remote,
    system: all ? null : positionals[0]!,
    method,
    params: tail.map((text, i) => callArgument(text, i + 1)),
  };
}
